"""Regression tests for bugs Dask users hit: each scenario is written the way a Dask user writes it."""

import asyncio
import logging
import operator
import time
import traceback
import types

import pytest

from shoal.distributed import Adaptive, Client, LocalCluster, Scheduler, SpecCluster, Worker, wait
from shoal.distributed.testing import gen_cluster, until

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


def test_traceback_of_an_error_raised_by_a_builtin(client):
    e = client.submit(operator.truediv, 1, 0)
    tb = e.traceback()
    assert isinstance(tb, types.TracebackType)
    assert traceback.format_tb(tb)
    with pytest.raises(ZeroDivisionError):
        e.result()


def test_wait_on_a_persisted_array(client):
    import numpy as np

    import shoal.array as sa

    x = sa.arange(20, chunks=5).persist()
    done, not_done = wait(x)
    assert len(done) == 4 and not not_done
    np.testing.assert_array_equal(x.compute(), np.arange(20))


def test_submit_after_cancel_and_restart_recomputes(client):
    fs = client.map(inc, range(10))
    client.cancel(fs)
    client.restart()
    assert client.submit(inc, 1).result(timeout=10) == 2
    assert client.gather(client.map(inc, range(10))) == list(range(1, 11))
    assert all(f.cancelled() for f in fs)  # the old futures stay cancelled


@gen_cluster(nthreads=[1])
async def test_datasets_with_an_asynchronous_client(c, s, a):
    x = c.submit(inc, 1)
    await c.publish_dataset(x=x)
    assert await c.list_datasets() == ["x"]
    y = await c.get_dataset("x")
    assert await y == 2
    await c.unpublish_dataset("x")
    assert await c.list_datasets() == []


def _task_using_a_client(x):
    from shoal.distributed import get_client, secede

    client = get_client()
    secede()
    return client.submit(inc, x).result()


def _task_using_worker_client(x):
    from shoal.distributed import worker_client

    with worker_client() as client:
        return client.submit(operator.mul, x, 2).result()


def test_two_in_process_workers_close_after_tasks_used_clients():
    """Each worker closes its own task client, once, however its close is triggered."""
    loops_before = _loop_threads()

    async def main():
        async with Scheduler(port=0, dashboard_address=None) as s:
            async with Worker(s.address, nthreads=2) as w1, Worker(s.address, nthreads=2) as w2:
                async with Client(s.address, asynchronous=True) as c:
                    assert await c.gather(c.map(_task_using_a_client, range(8))) == list(range(1, 9))
                    assert await c.gather(c.map(_task_using_worker_client, range(8))) == list(range(0, 16, 2))
                clients = [w._client for w in (w1, w2) if w._client is not None]
                assert len(set(map(id, clients))) == len(clients)
                # a blocking client's repr on the loop its scheduler runs on: an answer, not a hang
                assert s.address in repr(clients[0]) and "Client" in clients[0]._repr_html_()
                # closing twice at once (the scheduler's close and the context manager) is one close
                await asyncio.gather(w1.close(), w1.close(), w2.close())
            assert all(c.status == "closed" for c in clients)
            assert w1.status == w2.status == "closed"

    asyncio.run(main())
    assert _loop_threads() <= loops_before  # no task client was left running


def _loop_threads():
    import threading

    return sum(t.name == "shoal-loop" and t.is_alive() for t in threading.enumerate())


def test_closing_a_client_from_two_threads_at_once():
    import threading

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        for _ in range(5):
            c = Client(cluster.scheduler_address, set_as_default=False)
            errors = []

            def close(c=c, errors=errors):
                try:
                    c.close()
                except Exception as e:
                    errors.append(e)

            threads = [threading.Thread(target=close) for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors and c.status == "closed"
            assert c.loop.is_closed()


def test_adapt_with_a_time_string_interval_scales_up_then_down():
    with LocalCluster(n_workers=0, threads_per_worker=1, processes=False) as cluster:
        adaptive = cluster.adapt(minimum=1, maximum=4, interval="200ms", wait_count=2)
        assert adaptive.interval == 0.2
        with Client(cluster) as c:
            c.wait_for_workers(1, timeout=10)
            fs = c.map(time.sleep, [0.2] * 40, pure=False)
            deadline = time.monotonic() + 20
            while len(cluster.workers) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(cluster.workers) >= 2, adaptive.log
            c.cancel(fs)  # the work is gone: back to the minimum
            del fs
            deadline = time.monotonic() + 20
            while len(cluster.workers) > 1 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(cluster.workers) == 1, adaptive.log


def test_a_failing_adaptive_step_is_logged_and_adaptivity_goes_on(caplog):
    class Flaky:
        """A mechanism that fails once, then works."""

        def __init__(self):
            self.calls = []

        async def scale(self, n):
            self.calls.append(n)
            if len(self.calls) == 1:
                raise OSError("cloud API unavailable")

    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None) as s:
            mechanism = Flaky()
            adaptive = Adaptive(s, mechanism, minimum=2, maximum=4, interval="10ms")
            adaptive.start()
            await until(lambda: len(mechanism.calls) >= 2)
            adaptive.stop()
            assert mechanism.calls[:2] == [2, 2]

    with caplog.at_level(logging.ERROR, logger="shoal.distributed.adaptive"):
        asyncio.run(main())
    assert "cloud API unavailable" in caplog.text


def test_adaptive_takes_the_scheduler_then_the_cluster():
    async def main():
        async with SpecCluster(
            scheduler={"cls": Scheduler, "options": {"protocol": "inproc"}},
            worker={"cls": Worker, "options": {"nthreads": 1}},
            asynchronous=True,
        ) as cluster:
            by_object = Adaptive(cluster.scheduler, cluster, minimum=1, maximum=2)
            assert await by_object.adapt() == 1
            assert len(cluster.workers) == 1
            by_address = Adaptive(cluster.scheduler_address, cluster, minimum=2, maximum=2)
            assert await by_address.adapt() == 2
            assert len(cluster.workers) == 2
            by_address.stop()
            dask_style = Adaptive(cluster=cluster, minimum=1, maximum=1, wait_count=1)
            assert dask_style.scheduler is cluster.scheduler
            assert await dask_style.adapt() == 1
            assert len(cluster.workers) == 1

    asyncio.run(main())


def test_adaptive_rejects_a_cluster_in_the_scheduler_position():
    with LocalCluster(n_workers=0, processes=False) as cluster:
        with pytest.raises(TypeError, match="Adaptive\\(scheduler, cluster"):
            Adaptive(cluster)


def test_in_process_cluster_serves_a_dashboard():
    import urllib.request

    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        link = c.dashboard_link
        assert link is not None and link.endswith("/status")
        with urllib.request.urlopen(link.replace("/status", "/health"), timeout=10) as r:
            assert r.read() == b"ok"


def test_dashboard_is_on_by_default_and_moves_off_a_busy_port():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with LocalCluster(n_workers=0, processes=False, dashboard_address=f":{port}") as cluster:
            link = cluster.dashboard_link
            assert link is not None and f":{port}/" not in link
        with LocalCluster(n_workers=0, processes=False) as cluster:  # the default: ':8787' or a free port
            assert cluster.dashboard_link is not None
        with LocalCluster(n_workers=0, processes=False, dashboard_address=None) as cluster:
            assert cluster.dashboard_link is None  # explicitly off


@gen_cluster(nthreads=[1, 1])
async def test_cancel_or_restart_then_the_same_work_again_recomputes(c, s, a, b):
    import shoal

    for forget in ("cancel", "restart"):
        x = c.submit(inc, 1)
        ys = c.map(inc, range(5))
        total = shoal.delayed(sum)([1, 2, 3])
        persisted = c.persist(total)
        computed = c.compute(total)
        assert await x == 2 and await c.gather(ys) == list(range(1, 6)) and await computed == 6
        if forget == "cancel":
            await c.cancel([x, *ys, persisted, computed])
        else:
            await c.restart()
        assert x.cancelled() and all(y.cancelled() for y in ys) and computed.cancelled()
        assert await c.submit(inc, 1) == 2, forget
        assert await c.gather(c.map(inc, range(5))) == list(range(1, 6)), forget
        assert await c.compute(total) == 6, forget
        assert await c.gather(c.persist(total)) == 6, forget


def test_shutdown_of_a_client_by_address_closes_scheduler_and_workers():
    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None) as s:
            async with Worker(s.address, nthreads=1) as w:
                c = await Client(s.address, asynchronous=True, set_as_default=False)
                assert await c.submit(inc, 1) == 2
                await c.shutdown()
                assert c.status == "closed"
                await until(lambda: s.status == "closed" and w.status == "closed")

    asyncio.run(main())


@gen_cluster(nthreads=[1])
async def test_a_cancelled_key_kept_by_a_dataset_comes_back_with_it(c, s, a):
    x = c.submit(inc, 1)
    await c.publish_dataset(x=x)
    await c.cancel(x)
    assert x.cancelled()
    again = await c.get_dataset("x")
    assert await again == 2 and not again.cancelled()
