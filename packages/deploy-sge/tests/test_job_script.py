"""Job scripts, submit/cancel command lines and options of all three systems (no batch system needed)."""

import shlex
import sys

import pytest

import shoal.config
from shoal.distributed.deploy import cluster_classes
from shoal.jobqueue import PBSCluster, PBSJob, SGEJob, SLURMCluster, SLURMJob
from shoal.jobqueue.cluster import scheduler_options
from shoal.jobqueue.options import resolve

SCHEDULER = "tcp://10.1.2.3:8786"


def script(job_cls, **kwargs):
    settings = resolve(job_cls.system, {"cores": 8, "memory": "16GB", "processes": 2, **kwargs})
    return job_cls(SCHEDULER, name="shoal-worker-3", settings=settings)


def directives(job, prefix):
    return [line[len(prefix) + 1:] for line in job.job_script().splitlines() if line.startswith(prefix + " ")]


def worker_argv(job):
    return shlex.split(job.job_script().strip().splitlines()[-1])


def test_slurm_script():
    job = script(SLURMJob, queue="short", account="proj1", walltime="01:00:00", log_directory="/scratch/logs",
                 job_extra_directives=["--exclusive", "--qos=high"], job_script_prologue=["module load python", "export X=1"])
    text = job.job_script()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert directives(job, "#SBATCH") == [
        "-J shoal-worker-3", "-e /scratch/logs/%x-%j.err", "-o /scratch/logs/%x-%j.out", "-p short", "-A proj1", "-n 1",
        "--cpus-per-task=8", "--mem=15259M", "-t 01:00:00", "--exclusive", "--qos=high"]
    lines = text.splitlines()
    assert lines.index("module load python") < lines.index("export X=1") < len(lines) - 1  # prologue before workers
    assert worker_argv(job) == [sys.executable, "-m", "shoal.distributed.cli.worker", SCHEDULER, "--nthreads", "4",
                                "--nworkers", "2", "--memory-limit", "8000000000", "--name", "shoal-worker-3", "--nanny"]
    assert job.worker_names == ["shoal-worker-3-0", "shoal-worker-3-1"]
    assert job.submit_argv("/tmp/x.sh") == ["sbatch", "--parsable", "/tmp/x.sh"]


def test_slurm_job_cpu_mem_skip_and_extra_worker_args():
    job = script(SLURMJob, job_cpu=16, job_mem="32GB", job_directives_skip=["-t ", "-n 1"], nanny=False,
                 worker_extra_args=["--resources", "GPU=1"], local_directory="/local/scratch", python="/opt/py/bin/python")
    found = directives(job, "#SBATCH")
    assert "--cpus-per-task=16" in found and "--mem=30518M" in found
    assert not any(d.startswith("-t ") or d == "-n 1" for d in found)
    argv = worker_argv(job)
    assert argv[0] == "/opt/py/bin/python" and "--no-nanny" in argv
    assert argv[-4:] == ["--local-directory", "/local/scratch", "--resources", "GPU=1"]


def test_sge_script():
    job = script(SGEJob, queue="all.q", project="physics", parallel_environment="smp", walltime="02:00:00",
                 job_extra_directives=["-l gpu=1"])
    assert directives(job, "#$") == ["-N shoal-worker-3", "-q all.q", "-P physics", "-pe smp 8",
                                     "-l h_vmem=1908M", "-l h_rt=02:00:00", "-cwd", "-j y", "-V", "-S /bin/bash",
                                     "-l gpu=1"]
    assert job.submit_argv("/tmp/x.sh") == ["qsub", "-terse", "/tmp/x.sh"]
    job.job_id = "17"
    assert job.cancel_argv() == ["qdel", "17"]


def test_sge_resource_spec_replaces_the_memory_request_and_no_pe_means_one_slot():
    job = script(SGEJob, resource_spec="h_vmem=4G,mem_req=4G", log_directory="/logs")
    found = directives(job, "#$")
    assert "-l h_vmem=4G,mem_req=4G" in found and not any(d.startswith("-pe") for d in found)
    assert "-e /logs/" in found and "-o /logs/" in found
    assert "-l h_vmem=15259M" in directives(script(SGEJob), "#$")  # the whole job's memory in one slot


def test_pbs_script_and_command_lines():
    job = script(PBSJob, queue="regular", account="P4850", walltime="00:20:00", job_extra_directives=["-m abe"],
                 submit_command_extra=["-W", "depend=afterok:1"], cancel_command_extra=["-W", "force"])
    assert directives(job, "#PBS") == ["-N shoal-worker-3", "-q regular", "-A P4850",
                                       "-l select=1:ncpus=8:mem=15259mb", "-l walltime=00:20:00", "-m abe"]
    assert job.submit_argv("/tmp/x.sh") == ["qsub", "-W", "depend=afterok:1", "/tmp/x.sh"]
    assert job.parse_job_id("1234.pbs-server\n") == "1234.pbs-server"
    job.job_id = "1234.pbs-server"
    assert job.cancel_argv() == ["qdel", "-W", "force", "1234.pbs-server"]
    torque = script(PBSJob, resource_spec="nodes=1:ppn=8,mem=16gb")
    assert "-l nodes=1:ppn=8,mem=16gb" in directives(torque, "#PBS")


def test_job_ids_are_parsed_from_the_submit_output():
    assert SLURMJob.parse_job_id("4242\n") == "4242"
    assert SLURMJob.parse_job_id("4242;cluster2\n") == "4242"
    assert SGEJob.parse_job_id("99\n") == "99"


def test_config_gives_defaults_and_arguments_win():
    with shoal.config.set({"jobqueue.slurm.cores": 4, "jobqueue.slurm.memory": "8GB", "jobqueue.slurm.queue": "cfgq",
                           "jobqueue.slurm.job-extra-directives": ["--constraint=skylake"]}):
        settings = resolve("slurm", {})
        assert (settings.cores, settings.memory, settings.queue) == (4, 8_000_000_000, "cfgq")
        assert settings.processes == 1 and settings.job_extra_directives == ["--constraint=skylake"]
        assert resolve("slurm", {"queue": "argq"}).queue == "argq"


def test_job_name_and_old_spellings():
    settings = resolve("sge", {"cores": 2, "memory": "1GB", "job_name": "analysis", "env_extra": ["module load x"],
                               "job_extra": ["-l gpu=1"], "header_skip": ["-V"]})
    job = SGEJob(SCHEDULER, name="analysis-0", settings=settings)
    assert settings.name == "analysis" and "module load x" in job.job_script()
    assert "-l gpu=1" in directives(job, "#$") and "-V" not in directives(job, "#$")


def test_scheduler_listens_on_the_named_interface():
    options = scheduler_options("slurm", {"port": 8786}, "lo", None)
    assert (options["host"], options["port"], options["protocol"]) == ("127.0.0.1", 8786, "tcp")
    with pytest.raises(ValueError, match="No network interface 'nope0'"):
        scheduler_options("slurm", {}, "nope0", None)


def test_config_name_picks_a_site_section_over_the_system_defaults():
    with shoal.config.set({"jobqueue.slurm-gpu.cores": 4, "jobqueue.slurm-gpu.memory": "30GB",
                           "jobqueue.slurm-gpu.job-extra-directives": ["--gres=gpu:1"]}):
        settings = resolve("slurm", {"config_name": "slurm-gpu", "queue": "gpu"})
        assert (settings.cores, settings.memory, settings.queue) == (4, 30_000_000_000, "gpu")
        assert settings.job_extra_directives == ["--gres=gpu:1"] and settings.walltime == "00:30:00"
    with pytest.raises(ValueError, match="jobqueue.nowhere"):
        resolve("slurm", {"config_name": "nowhere", "cores": 1, "memory": "1GB"})


def test_processes_default_to_about_sqrt_cores():
    assert resolve("slurm", {"cores": 36, "memory": "1GB"}).processes == 6
    assert resolve("slurm", {"cores": 10, "memory": "1GB"}).processes == 2
    assert resolve("slurm", {"cores": 3, "memory": "1GB"}).processes == 1


def test_clear_errors_for_missing_and_unknown_options():
    with pytest.raises(ValueError, match="cores= and memory="):
        resolve("sge", {"cores": 2})
    with pytest.raises(TypeError, match=r"\['partition'\]"):
        resolve("slurm", {"cores": 2, "memory": "1GB", "partition": "x"})
    with pytest.raises(ValueError, match="processes=4"):
        resolve("pbs", {"cores": 2, "memory": "1GB", "processes": 4})


def test_cluster_job_script_without_a_batch_system():
    """job_script() needs only the local scheduler: no job is submitted (there is no PBS here)."""
    with PBSCluster(cores=2, memory="2GB", queue="q1", scheduler_options={"dashboard_address": None}) as cluster:
        text = cluster.job_script()
        assert "#PBS -q q1" in text and f"shoal.distributed.cli.worker {cluster.scheduler_address}" in text
        assert cluster.workers == {} and "jobs=0" in repr(cluster)


def test_registered_through_the_deploy_entry_points():
    classes = cluster_classes(refresh=True)
    assert classes["slurm"] is SLURMCluster and classes["SLURMCluster"] is SLURMCluster
    assert classes["pbs"] is PBSCluster and classes["sge"].__name__ == "SGECluster"


def test_queue_listings_are_parsed():
    assert SLURMJob.parse_queue("12 RUNNING\n13 PENDING\n") == {"12": "RUNNING", "13": "PENDING"}
    sge = """job-ID  prior   name       user         state submit/start at     queue                          slots ja-task-ID
-----------------------------------------------------------------------------------------------------------------
      2 0.50000 shoal-work root         r     11/23/2026 16:32:22 all.q@localhost                    1
      3 0.00000 shoal-work root         Eqw   11/23/2026 16:32:23                                    1
"""
    assert SGEJob.parse_queue(sge) == {"2": "r", "3": "Eqw"}
    assert SGEJob.is_error_state("Eqw") and not SGEJob.is_error_state("qw")
    pbs = """
pbs-server:
                                                            Req'd  Req'd   Elap
Job ID          Username Queue    Jobname    SessID NDS TSK Memory Time  S Time
--------------- -------- -------- ---------- ------ --- --- ------ ----- - -----
1234.pbs-serv*  alice    regular  shoal-work  51234   1   8   16gb 00:20 R 00:01
1235.pbs-serv*  alice    regular  shoal-work    --    1   8   16gb 00:20 Q   --
"""
    assert PBSJob.parse_queue(pbs) == {"1234": "R", "1235": "Q"}
