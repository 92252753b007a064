"""A 3-"host" SSHCluster on the private sshd: computing, scaling, adapting, logs, reprs, closing cleanly."""

import sys
import time

import numpy as np
import pytest
from conftest import alive, remote_pids

import shoal.array as da
from shoal.distributed import Client
from shoal.ssh import SSHCluster


@pytest.fixture(scope="module")
def cluster(sshd):
    with SSHCluster(["localhost", "localhost", "localhost"], connect_options=dict(sshd),
                    worker_options={"nthreads": 2, "memory_limit": "1GB"},
                    scheduler_options={"port": 0, "dashboard_address": ":0"},
                    worker_class="shoal.distributed.Nanny", remote_python=sys.executable) as cluster:
        yield cluster


@pytest.fixture
def client(cluster):
    cluster.scale(2)
    with Client(cluster) as client:
        client.wait_for_workers(2, timeout=30)
        yield client


def test_array_sum_and_futures_map(client):
    x = np.arange(10_000, dtype="f8").reshape(100, 100)
    assert da.from_array(x, chunks=25).sum().compute() == x.sum()
    futures = client.map(lambda i: i * i, range(20))
    assert client.gather(futures) == [i * i for i in range(20)]


def test_workers_have_the_worker_options(client):
    workers = client.scheduler_info()["workers"].values()
    assert [w["nthreads"] for w in workers] == [2, 2]
    assert [w["memory_limit"] for w in workers] == [10**9, 10**9]


def test_workers_run_in_their_own_remote_processes(client, cluster):
    import os

    pids = client.run(os.getpid)
    assert os.getpid() not in pids.values()
    nanny_pids = {w.process.pid for w in cluster.workers.values()}
    assert len(set(pids.values())) == 2 and not nanny_pids & set(pids.values())


def test_scale_up_and_down(client, cluster):
    cluster.scale(4)
    client.wait_for_workers(4, timeout=30)
    assert len(cluster.workers) == 4
    assert client.submit(sum, [1, 2, 3]).result() == 6
    cluster.scale(cores=6)  # 2 threads each
    assert len(cluster.workers) == 3
    cluster.scale(memory="2 GB")  # 1 GB each
    assert len(cluster.workers) == 2
    cluster.scale(1)
    assert len(cluster.workers) == 1
    deadline = time.time() + 10
    while len(client.scheduler_info()["workers"]) != 1:
        assert time.time() < deadline, client.scheduler_info()["workers"]
        time.sleep(0.1)
    assert client.submit(sum, [4, 5]).result() == 9


def test_adapt_grows_with_work_and_shrinks_when_idle(client, cluster):
    cluster.scale(1)
    adaptive = cluster.adapt(minimum=1, maximum=3, interval="200ms", target_duration="1s", wait_count=2)
    try:
        futures = client.map(time.sleep, [0.5] * 40, pure=False)
        deadline = time.time() + 30
        while len(cluster.workers) < 2:
            assert time.time() < deadline, adaptive.log
            time.sleep(0.1)
        client.gather(futures)
        deadline = time.time() + 30
        while len(cluster.workers) > 1:
            assert time.time() < deadline, adaptive.log
            time.sleep(0.1)
    finally:
        cluster.loop.call_soon_threadsafe(adaptive.stop)  # Adaptive.stop is not thread-safe (yet)
    assert max(len(cluster.workers), 1) == 1
    assert client.submit(sum, [1, 1]).result() == 2


def test_logs_repr_and_dashboard(client, cluster):
    logs = cluster.get_logs()
    assert "Scheduler at:" in logs["Scheduler"]
    worker_logs = [text for key, text in logs.items() if key != "Scheduler"]
    assert len(worker_logs) == 2 and all("started worker" in text for text in worker_logs)
    assert cluster.scheduler_address in repr(cluster) and "workers=2" in repr(cluster)
    assert "SSHCluster" in cluster._repr_html_() and cluster.scheduler_address in cluster._repr_html_()
    assert cluster.dashboard_link.startswith("http://localhost:")


def test_close_leaves_no_remote_processes(sshd):
    cluster = SSHCluster(["localhost", "localhost"], connect_options=dict(sshd),
                         worker_options={"nthreads": 1, "n_workers": 2}, scheduler_options={"port": 0, "dashboard_address": None},
                         remote_python=sys.executable)
    with Client(cluster) as client:
        client.wait_for_workers(2, timeout=30)
        pids = remote_pids(cluster)
        assert len(pids) >= 5  # a scheduler, two nannies and their two workers (and their helpers)
        address = cluster.scheduler_address
    cluster.close()
    deadline = time.time() + 5
    while any(alive(p) for p in pids):
        assert time.time() < deadline, [p for p in pids if alive(p)]
        time.sleep(0.1)
    import subprocess

    assert subprocess.run(["pgrep", "-f", address], capture_output=True).stdout == b""
