"""SLURMCluster and SGECluster against the real batch systems: computing, scaling, adapting, failing, closing."""

import asyncio
import subprocess
import sys

import numpy as np
import psutil
import pytest
from conftest import wait_until, worker_processes

import shoal.array as sa
from shoal.distributed import Client
from shoal.jobqueue import JobDiedError, JobSubmissionError


def job_processes(cluster):
    """The worker command lines of the cluster's jobs and every process under them."""
    procs = worker_processes(cluster.scheduler_address)
    return procs + [child for p in procs for child in p.children(recursive=True)]


def test_computes_scales_by_jobs_and_closes_clean(batch, tmp_path):
    cluster = batch.cluster(tmp_path)
    try:
        cluster.scale(jobs=2)
        assert len(batch.queued_job_ids()) == 2
        cluster.wait_for_workers(2, timeout=60)
        with Client(cluster) as client:
            x = np.arange(400_000, dtype="float64").reshape(400, 1000)
            assert sa.from_array(x, chunks=(100, 500)).sum().compute() == x.sum()
            assert client.gather(client.map(lambda i: i * i, range(50))) == [i * i for i in range(50)]
            workers = client.scheduler_info()["workers"].values()
            assert sorted(w["name"] for w in workers) == sorted(cluster.workers)  # one worker per job, named after it
            processes = job_processes(cluster)
            assert processes

            cluster.scale(jobs=1)
            assert len(batch.queued_job_ids()) == 1
            assert len(cluster.workers) == 1
            wait_until(lambda: len(client.scheduler_info()["workers"]) == 1, what="one worker left")
            assert client.submit(sum, [1, 2, 3]).result() == 6  # the job left still computes
            (address,) = client.scheduler_info()["workers"]
            cluster.scale_down([address])  # by worker address: its job is cancelled
            assert batch.queued_job_ids() == [] and cluster.workers == {}
    finally:
        cluster.close()
    assert batch.queued_job_ids() == []
    wait_until(lambda: not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in processes),
               what="the jobs' processes to end")


def test_several_processes_per_job_and_scale_by_workers(batch, tmp_path):
    with batch.cluster(tmp_path, cores=2, processes=2) as cluster:
        cluster.scale(4)  # four workers: two jobs of two processes
        assert len(cluster.workers) == 2 and len(batch.queued_job_ids()) == 2
        cluster.wait_for_workers(4, timeout=60)
        with Client(cluster) as client:
            names = sorted(w["name"] for w in client.scheduler_info()["workers"].values())
            assert names == sorted(f"{job}-{i}" for job in cluster.workers for i in range(2))
            assert all(w["nthreads"] == 1 for w in client.scheduler_info()["workers"].values())
            future = client.submit(lambda: 42)
            assert future.result() == 42
            cluster.scale(2)  # whole jobs are cancelled: one job of two workers stays
            assert len(batch.queued_job_ids()) == 1
            wait_until(lambda: len(client.scheduler_info()["workers"]) == 2, what="two workers left")
            left = {w["name"].rsplit("-", 1)[0] for w in client.scheduler_info()["workers"].values()}
            assert left == set(cluster.workers)
            assert future.result() == 42  # results moved off the retired workers
            del future
            cluster.scale(0)
            assert batch.queued_job_ids() == []


def test_adapt_submits_jobs_for_work_and_cancels_them_when_idle(batch, tmp_path):
    with batch.cluster(tmp_path) as cluster:
        adaptive = cluster.adapt(minimum_jobs=0, maximum_jobs=2, interval="200ms", wait_count=3)
        with Client(cluster) as client:
            futures = client.map(lambda i: __import__("time").sleep(0.2) or i, range(20))
            assert client.gather(futures) == list(range(20))
            assert any(direction == "up" for direction, _ in adaptive.log)
            submitted = cluster.get_logs(workers=False)["Cluster"].count("submitted as")
            assert 1 <= submitted <= 2  # never more than maximum_jobs
            del futures
            wait_until(lambda: batch.queued_job_ids() == [] and not cluster.workers, timeout=30,
                       what="adapt to cancel the idle jobs")
            assert client.scheduler_info()["workers"] == {}


def test_bad_queue_is_reported_in_the_batch_systems_words(batch, tmp_path):
    with batch.cluster(tmp_path, queue="no-such-queue") as cluster:
        with pytest.raises(JobSubmissionError) as info:
            cluster.scale(jobs=1)
        message = str(info.value)
        assert "no-such-queue" in message
        assert {"slurm": "invalid partition", "sge": "unknown queue"}[batch.name] in message
        assert cluster.workers == {} and cluster.worker_specs == {}
        assert batch.queued_job_ids() == []
    with pytest.raises(JobSubmissionError, match="no-such-queue"):
        batch.cluster(tmp_path, queue="no-such-queue", n_workers=1)


def test_job_dying_before_its_workers_connect_is_reported(batch, tmp_path):
    with batch.cluster(tmp_path, python="/no/such/python") as cluster:
        cluster.scale(jobs=1)
        with pytest.raises(JobDiedError) as info:
            cluster.wait_for_workers(1, timeout=60)
        message = str(info.value)
        assert "ended before its workers" in message and "/no/such/python" in message
        assert "No such file or directory" in message  # quoted from the job's own output
        assert cluster.job_errors and cluster.workers == {}
        assert "ended before its workers" in cluster.get_logs()["Cluster"]


def test_logs_repr_and_html(batch, tmp_path):
    with batch.cluster(tmp_path, n_workers=1, job_script_prologue=["echo prologue-ran-$((6 * 7))"]) as cluster:
        cluster.wait_for_workers(1, timeout=60)
        (job,) = cluster.workers
        assert "jobs=1" in repr(cluster) and "workers=1" in repr(cluster)
        assert job in cluster._repr_html_() and cluster.workers[job].job_id in cluster._repr_html_()
        logs = cluster.get_logs()
        assert f"job {job} submitted as {cluster.workers[job].job_id}" in logs["Cluster"]
        assert any("prologue-ran-42" in text for title, text in logs.items() if title.startswith(f"Job {job}"))
        worker_logs = [text for title, text in logs.items() if title.startswith("tcp://")]
        assert len(worker_logs) == 1
        assert "Scheduler" in logs


def test_asynchronous_cluster(batch, tmp_path):
    async def main():
        async with batch.cluster(tmp_path, asynchronous=True) as cluster:
            await cluster.scale(jobs=1)
            await cluster.wait_for_workers(1, timeout=60)
            async with Client(cluster, asynchronous=True) as client:
                assert await client.submit(lambda x: x + 1, 41) == 42
            logs = await cluster.get_logs(workers=False)
            assert "submitted as" in logs["Cluster"]
        assert batch.queued_job_ids() == []

    asyncio.run(main())


def test_jobs_are_cancelled_when_python_exits_without_close(batch, tmp_path):
    program = f"""
from shoal.jobqueue import {batch.cluster_cls.__name__} as Cluster
cluster = Cluster(**{dict(batch.options, cores=1, memory="1GB", log_directory=str(tmp_path),
                          scheduler_options={"dashboard_address": None})!r})
cluster.scale(jobs=1)
cluster.wait_for_workers(1, timeout=60)
print(cluster.workers[next(iter(cluster.workers))].job_id)
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    job_id = done.stdout.split()[-1]
    wait_until(lambda: job_id not in batch.queued_job_ids(), timeout=20, what=f"job {job_id} to be cancelled")
