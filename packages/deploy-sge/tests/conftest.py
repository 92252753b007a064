"""Real batch systems for the tests: a single-node SLURM and a single-node Grid Engine on localhost.

The session fixtures run the recipes in ``infra/`` (they install the Debian packages when missing,
start the daemons, and wait until the node takes jobs) and stop the daemons at the end.  They need
root, as on CI.  ``batch`` is parametrised over both systems: each test using it runs on each.
"""

import os
import subprocess
import time
from pathlib import Path

import psutil
import pytest

INFRA = Path(__file__).parent / "infra"
SGE_ENV = {"SGE_ROOT": "/var/lib/gridengine", "SGE_CELL": "default"}


def _run_recipe(script, **env):
    if os.geteuid() != 0:
        pytest.fail(f"{script} needs root to start the batch system's daemons")
    done = subprocess.run(["bash", str(INFRA / script)], env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"{script} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def slurm():
    _run_recipe("slurm-up.sh", SLURM_CI_CPUS="8")
    yield
    _run_recipe("slurm-down.sh")


@pytest.fixture(scope="session")
def sge():
    os.environ.update(SGE_ENV)  # qsub/qstat/qdel need them, in this process and its children
    _run_recipe("sge-up.sh", SGE_CI_SLOTS="8")
    yield
    _run_recipe("sge-down.sh")


class BatchSystem:
    """What the tests need to know about one batch system: its cluster, options, and job list."""

    def __init__(self, name, cluster_cls, options, list_command):
        self.name, self.cluster_cls, self.options, self.list_command = name, cluster_cls, options, list_command

    def cluster(self, tmp_path, **kwargs):
        options = {"cores": 1, "memory": "1GB", "processes": 1, "walltime": "00:10:00", "log_directory": str(tmp_path),
                   "poll_interval": 0.3, "scheduler_options": {"dashboard_address": None}, **self.options, **kwargs}
        return self.cluster_cls(**options)

    def queued_job_ids(self):
        """Ids of this user's jobs the batch system lists (queued, running or finishing)."""
        out = subprocess.run(self.list_command, capture_output=True, text=True, check=True).stdout
        return [line.split()[0] for line in out.splitlines() if line.strip() and line.split()[0][0].isdigit()]


@pytest.fixture(params=["slurm", "sge"])
def batch(request):
    from shoal.jobqueue import SGECluster, SLURMCluster

    if request.param == "slurm":
        request.getfixturevalue("slurm")
        system = BatchSystem("slurm", SLURMCluster, {}, ["squeue", "-h", "-o", "%i %T"])
    else:
        request.getfixturevalue("sge")
        system = BatchSystem("sge", SGECluster, {"queue": "all.q", "parallel_environment": "smp"}, ["qstat"])
    assert system.queued_job_ids() == [], f"{request.param} has jobs left from before: {system.queued_job_ids()}"
    return system


def worker_processes(scheduler_address):
    """Processes started for workers of the scheduler at ``scheduler_address``."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if scheduler_address in cmdline and "shoal.distributed.cli.worker" in cmdline:
            found.append(proc)
    return found


def wait_until(predicate, timeout=20, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
