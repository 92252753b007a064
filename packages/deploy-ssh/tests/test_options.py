"""Per-host options, several workers per host, workers without a nanny, and the asynchronous API."""

import asyncio
import collections
import sys

from conftest import alive, remote_pids

import shoal.config
from shoal.distributed import Client
from shoal.ssh import SSHCluster


def test_per_host_options_n_workers_and_plain_workers(connect_options):
    hosts = ["localhost", "localhost", "127.0.0.1"]
    with SSHCluster(hosts, connect_options=[connect_options] * 3, remote_python=[sys.executable] * 3,
                    worker_options={"n_workers": 2, "nthreads": 1, "resources": {"GPU": 1}},
                    worker_class="shoal.distributed.Worker", worker_module="shoal.distributed.cli.worker",
                    scheduler_options={"port": 0, "dashboard_address": None}) as cluster:
        assert collections.Counter(w.host for w in cluster.workers.values()) == {"localhost": 2, "127.0.0.1": 2}
        with Client(cluster) as client:
            client.wait_for_workers(4, timeout=30)
            info = client.scheduler_info()["workers"]
            assert sorted(info) == sorted(w.worker_address for w in cluster.workers.values())
            assert all(w.address == w.worker_address for w in cluster.workers.values())  # no nanny
            assert [w["nthreads"] for w in info.values()] == [1, 1, 1, 1]
            future = client.submit(lambda: "on a GPU worker", resources={"GPU": 1})
            assert future.result() == "on a GPU worker"
            cluster.scale(6)  # new workers go to the hosts running the fewest
            client.wait_for_workers(6, timeout=30)
            assert collections.Counter(w.host for w in cluster.workers.values()) == {"localhost": 3, "127.0.0.1": 3}
            logs = cluster.get_logs(scheduler=False, workers=[0])
            assert list(logs) == [cluster.workers[0].worker_address]
            assert "Start worker at:" in logs[cluster.workers[0].worker_address]


def test_async_with_cluster_and_client(connect_options):
    async def main():
        async with SSHCluster(["localhost", "localhost"], connect_options=connect_options,
                              worker_options={"nthreads": 2}, remote_python=sys.executable,
                              scheduler_options={"port": 0, "dashboard_address": None},
                              asynchronous=True) as cluster:
            async with Client(cluster, asynchronous=True) as client:
                await client.wait_for_workers(1)
                result = await client.gather(client.map(lambda x: x + 1, range(10)))
                await cluster.scale(2)
                await client.wait_for_workers(2)
                pids = remote_pids(cluster)
        return result, pids

    result, pids = asyncio.run(main())
    assert result == list(range(1, 11))
    assert len(pids) >= 5 and not any(alive(p) for p in pids)


def test_remote_processes_follow_this_process_settings(connect_options):
    settings = {"distributed.worker.ssh-test-setting": [1, "two"], "ssh.startup-timeout": "45s"}
    with shoal.config.set(settings), SSHCluster(
            ["localhost", "localhost"], connect_options=connect_options, remote_python=sys.executable,
            scheduler_options={"port": 0, "dashboard_address": None}) as cluster, Client(cluster) as client:
        client.wait_for_workers(1, timeout=30)
        on_workers = client.run(lambda: shoal.config.get("distributed.worker.ssh-test-setting", None))
        assert list(on_workers.values()) == [[1, "two"]]
        assert "SHOAL_SSH__STARTUP_TIMEOUT='45s'" in cluster.scheduler.process.argv  # the scheduler runs no user code
    cluster = SSHCluster(["localhost"], connect_options=connect_options, remote_python=sys.executable,
                         scheduler_options={"port": 0, "dashboard_address": None})
    try:
        assert cluster.scheduler.process.argv[0] != "env"  # nothing changed, nothing passed
    finally:
        cluster.close()
