"""Clusters: LocalCluster in threads, SpecCluster scaling, adaptive scaling, backend discovery."""

import asyncio
import sys
import types

import pytest

from shoal.distributed import Adaptive, Client, LocalCluster, SpecCluster, Worker
from shoal.distributed.deploy import get_cluster_class, hookimpl
from shoal.distributed.deploy.registry import _manager
from shoal.distributed.scheduler import Scheduler
from shoal.distributed.testing import until

pytestmark = pytest.mark.timeout(60)


def test_local_cluster_scale_up_and_down():
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False) as cluster:
        with Client(cluster) as c:
            assert sum(c.ncores().values()) == 2
            cluster.scale(3)
            c.wait_for_workers(3, timeout=10)
            assert len(c.scheduler_info()["workers"]) == 3
            cluster.scale(1)
            assert len(c.scheduler_info()["workers"]) == 1
            assert c.submit(sum, [1, 2]).result() == 3
            assert "LocalCluster" in repr(cluster) and "workers=1" in repr(cluster)
            assert "Workers" in cluster._repr_html_()


def test_spec_cluster_async_context_manager():
    async def main():
        async with SpecCluster(
            scheduler={"cls": Scheduler, "options": {"protocol": "inproc"}},
            workers={"a": {"cls": Worker, "options": {"nthreads": 1}}},
            worker={"cls": Worker, "options": {"nthreads": 1}},
            asynchronous=True,
        ) as cluster:
            async with Client(cluster, asynchronous=True, set_as_default=False) as c:
                assert await c.submit(abs, -3) == 3
                await cluster._scale(2)
                assert len(cluster.workers) == 2
                await cluster._scale_down(["a"])
                assert list(cluster.workers) != ["a"] and len(cluster.workers) == 1

    asyncio.run(main())


def test_adaptive_scales_with_load():
    async def main():
        async with SpecCluster(
            scheduler={"cls": Scheduler, "options": {"protocol": "inproc"}},
            worker={"cls": Worker, "options": {"nthreads": 1}},
            asynchronous=True,
        ) as cluster:
            adaptive = Adaptive(cluster.scheduler, cluster, minimum=0, maximum=3, wait_count=1, target_duration=0.1)
            assert await adaptive.adapt() == 0
            async with Client(cluster, asynchronous=True, set_as_default=False) as c:
                import time

                fs = c.map(time.sleep, [0.05] * 20, pure=False)
                await until(lambda: len(cluster.scheduler.state.tasks) == 20)
                assert await adaptive.adapt() == 3  # 20 tasks of unknown duration: as many as allowed
                assert len(cluster.workers) == 3
                await c.gather(fs)
                del fs
                await until(lambda: not cluster.scheduler.state.tasks)
                assert await adaptive.adapt() == 0
                assert len(cluster.workers) == 0

    asyncio.run(main())


def test_backends_are_found_through_the_plugin_manager():
    backend = types.ModuleType("fake_backend")

    class FakeCluster(SpecCluster):
        pass

    @hookimpl
    def shoal_deploy_cluster_classes():
        return {"FakeCluster": FakeCluster}

    backend.shoal_deploy_cluster_classes = shoal_deploy_cluster_classes
    pm = _manager()
    pm.register(backend, name="fake_backend")
    try:
        assert get_cluster_class("FakeCluster") is FakeCluster
        assert get_cluster_class("LocalCluster") is LocalCluster
        with pytest.raises(ValueError, match="NoSuchCluster"):
            get_cluster_class("NoSuchCluster")
    finally:
        pm.unregister(name="fake_backend")
    assert "fake_backend" not in sys.modules


def test_cli_scheduler_and_worker(tmp_path):
    import socket
    import subprocess

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sched = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--dashboard-address", "none"],
                             stderr=subprocess.PIPE, text=True)
    worker = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.worker", f"tcp://127.0.0.1:{port}",
                               "--nworkers", "2", "--nthreads", "2", "--memory-limit", "1GB", "--name", "cli-w",
                               "--local-directory", str(tmp_path)], stderr=subprocess.PIPE, text=True)
    try:
        with Client(f"tcp://127.0.0.1:{port}", timeout=20) as c:
            c.wait_for_workers(2, timeout=30)
            assert list(c.ncores().values()) == [2, 2]
            names = sorted(w["name"] for w in c.scheduler_info()["workers"].values())
            assert names == ["cli-w-0", "cli-w-1"]
            assert c.submit(sum, [1, 2, 3]).result(timeout=10) == 6
    finally:
        worker.terminate()
        sched.terminate()
        w_err = worker.communicate(timeout=10)[1]
        s_err = sched.communicate(timeout=10)[1]
    assert f"tcp://127.0.0.1:{port}" in s_err
    assert "Threads: 2" in w_err and "Local directory" in w_err and "Memory:" in w_err


def test_local_cluster_adapt_grows_and_shrinks():
    import time

    with LocalCluster(n_workers=0, threads_per_worker=1, processes=False) as cluster:
        adaptive = cluster.adapt(minimum=1, maximum=2, interval=0.05, wait_count=2, target_duration=0.01)
        with Client(cluster) as c:
            c.wait_for_workers(1, timeout=10)
            futures = c.map(time.sleep, [0.2] * 6, pure=False)
            deadline = time.time() + 10
            while len(c.ncores()) < 2 and time.time() < deadline:
                time.sleep(0.02)
            assert len(c.ncores()) == 2
            c.gather(futures)
            del futures
            while len(c.ncores()) > 1 and time.time() < deadline:
                time.sleep(0.02)
            assert len(c.ncores()) == 1  # never below minimum
            assert ("up", 2) in adaptive.log


def test_adaptive_stop_from_the_users_thread_stops_it_on_the_cluster_loop(recwarn):
    import gc
    import time

    from shoal.distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        adaptive = cluster.adapt(minimum=1, maximum=2, interval="50ms")
        deadline = time.time() + 5
        while adaptive.task is None and time.time() < deadline:
            time.sleep(0.01)
        task = adaptive.task
        adaptive.stop()  # from this thread, not the loop's
        while not task.done() and time.time() < deadline:
            time.sleep(0.01)
        assert task.cancelled() and adaptive.task is None
    gc.collect()
    assert not [w for w in recwarn if "never awaited" in str(w.message)]


def test_spec_cluster_keeps_the_workers_that_started_when_another_fails():
    class Broken:
        def __init__(self, address, **options):
            pass

        def __await__(self):
            async def fail():
                raise RuntimeError("this worker cannot start")
            return fail().__await__()

    async def main():
        spec = {"cls": Worker, "options": {"nthreads": 1}}
        async with SpecCluster(workers={"a": spec}, scheduler={"cls": Scheduler, "options": {
                "port": 0, "dashboard_address": None}}, worker=spec, asynchronous=True) as cluster:
            cluster.worker_specs.update({"good": spec, "bad": {"cls": Broken, "options": {}}})
            with pytest.raises(RuntimeError, match="cannot start"):
                await cluster._correct_state()
            assert set(cluster.workers) == {"a", "good"} and set(cluster.worker_specs) == {"a", "good"}
            good = cluster.workers["good"]
            assert good.status == "running"
        assert good.status == "closed"

    asyncio.run(main())
