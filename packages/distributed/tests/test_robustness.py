"""Failures users hit: dying workers, tasks that kill workers, big results, large graphs."""

import asyncio
import os
import signal
import time

import pytest

from shoal.distributed import Client, KilledWorker, LocalCluster, Worker
from shoal.distributed.testing import gen_cluster, until

pytestmark = pytest.mark.timeout(120)


def inc(x):
    return x + 1


def slow_add(*args):
    time.sleep(0.002)
    return sum(args)


def tree_graph(n_leaves):
    dsk = {f"leaf-{i}": (inc, i) for i in range(n_leaves)}
    level = list(dsk)
    j = 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level), 2):
            key = f"add-{j}"
            j += 1
            dsk[key] = (slow_add, *level[i:i + 2])
            nxt.append(key)
        level = nxt
    return dsk, level[0]


def test_sigkill_worker_in_2000_task_graph_gives_right_answer():
    dsk, root = tree_graph(1000)  # 1999 tasks
    expected = sum(i + 1 for i in range(1000))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
        with Client(cluster) as c:
            futures = c.get(dsk, root, sync=False)
            time.sleep(0.8)
            victim = next(iter(cluster.workers.values()))
            os.kill(victim.pid, signal.SIGKILL)
            assert futures.result(timeout=90) == expected
            assert len(c.ncores()) == 2  # the nanny brought the worker back


def crash():
    os._exit(1)


def test_task_that_kills_workers_ends_as_killed_worker():
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True) as cluster:
        with Client(cluster) as c:
            f = c.submit(crash, pure=False)
            with pytest.raises(KilledWorker, match="crash"):
                f.result(timeout=90)
            assert c.submit(inc, 1).result(timeout=30) == 2


def test_restart_forgets_tasks_and_replaces_worker_processes():
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True) as cluster:
        with Client(cluster) as c:
            pid_before = c.run(os.getpid)
            f = c.submit(inc, 1)
            assert f.result() == 2
            c.restart()
            assert f.cancelled()
            assert c.run(os.getpid) != pid_before
            assert c.submit(inc, 2).result(timeout=30) == 3


# in-process workers share the test process's memory, so only the managed-memory target is tested here
@gen_cluster(nthreads=[1], worker_kwargs={"memory_limit": "100 MB", "memory_pause_fraction": False,
                                          "memory_spill_fraction": False})
async def test_result_bigger_than_memory_target_is_spilled_and_read_back(c, s, a):
    np = pytest.importorskip("numpy")
    big = c.submit(np.ones, 10_000_000)  # 80 MB > 0.6 * 100 MB
    assert a.data.target < 80e6
    total = c.submit(np.sum, big)
    assert await total == 10_000_000
    assert big.key in a.data.slow and a.data.spilled_count >= 1
    out = await big
    assert out.shape == (10_000_000,)


@gen_cluster(nthreads=[2, 2], timeout=120)
async def test_ten_thousand_task_graph_with_validate(c, s, a, b):
    assert s.state.validate
    dsk = {f"x-{i}": (inc, i) for i in range(5000)}
    for i in range(5000):
        dsk[f"y-{i}"] = (inc, f"x-{i}")
    dsk["total"] = (sum, [f"y-{i}" for i in range(5000)])
    futures = c._graph_to_futures(dsk, "total")
    assert await futures == sum(i + 2 for i in range(5000))
    s.state.validate_state()


@gen_cluster(nthreads=[1, 1])
async def test_worker_leaving_mid_graph_recomputes(c, s, a, b):
    dsk, root = tree_graph(64)
    fut = c._graph_to_futures(dsk, root)
    await asyncio.sleep(0.05)
    await b.close()
    assert await fut == sum(i + 1 for i in range(64))
    s.state.validate_state()


@gen_cluster(nthreads=[1])
async def test_client_disconnect_releases_its_keys(c, s, a):
    async with Client(s.address, asynchronous=True, set_as_default=False) as c2:
        f = c2.submit(inc, 1000)
        await f
        key = f.key
        assert key in s.state.tasks
    await until(lambda: key not in s.state.tasks)
    assert await c.submit(inc, 1) == 2


@gen_cluster(nthreads=[1])
async def test_worker_joining_later_gets_queued_work(c, s, a):
    fs = c.map(inc, range(20))
    async with Worker(s.address, nthreads=1):
        assert await c.gather(fs) == list(range(1, 21))


def hog_memory(nbytes):
    data = bytearray(nbytes)
    for i in range(0, nbytes, 4096):
        data[i] = 1
    time.sleep(10)
    return len(data)


def test_nanny_restarts_worker_past_memory_limit():
    from shoal.distributed import Nanny, Scheduler

    async def main():
        async with Scheduler(port=0, allowed_failures=0) as s:
            async with Nanny(s.address, nthreads=1, memory_limit="400 MB") as n:
                async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                    f = c.submit(hog_memory, 600_000_000, pure=False)
                    with pytest.raises(KilledWorker, match="hog_memory"):
                        await asyncio.wait_for(f, 60)
                    await until(lambda: n.restarts >= 1, timeout=30)
                    assert await asyncio.wait_for(c.submit(inc, 1), 30) == 2

    asyncio.run(main())


@gen_cluster(nthreads=[1], worker_kwargs={"memory_limit": "50 MB", "memory_spill_fraction": False})
async def test_worker_pauses_above_pause_fraction_and_resumes(c, s, a):
    await until(lambda: a.state.paused)  # this test process uses far more than 80% of 50 MB
    f = c.submit(inc, 1)
    await asyncio.sleep(0.3)
    assert not f.done() and a.state.executed_count == 0
    a.memory_limit = 100 * 2**30
    assert await asyncio.wait_for(f, 10) == 2
    assert not a.state.paused


def test_scheduler_survives_garbage_and_malformed_messages():
    import socket
    import struct

    from shoal.distributed import Scheduler
    from shoal.distributed.comm import connect

    async def main():
        async with Scheduler(port=0, validate=True) as s:
            async with Worker(s.address, nthreads=1):
                loop = asyncio.get_running_loop()

                def raw(payload):
                    with socket.create_connection(("127.0.0.1", s.port)) as sock:
                        sock.sendall(payload)

                await loop.run_in_executor(None, raw, b"GET / HTTP/1.1\r\n\r\n" + b"\x00" * 100)
                await loop.run_in_executor(None, raw, struct.pack("<QQQ", 2, 5, 2**62))
                # a client speaking the protocol but sending nonsense
                comm = await connect(s.address)
                await comm.write({"op": "register-client", "client": "rogue"})
                await comm.read()
                await comm.write([{"op": "update-graph", "tasks": "not a dict", "keys": ["k"]},
                                  {"op": "client-releases-keys"}, 42, {"op": "no-such-op"}])
                await comm.write(7)
                await asyncio.sleep(0.1)
                comm.abort()  # and vanishes without saying goodbye
                async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                    assert await c.submit(inc, 1) == 2
                s.state.validate_state()

    asyncio.run(main())


def test_silent_worker_is_removed_after_ttl_and_its_work_rerun():
    from shoal.distributed import Nanny, Scheduler

    async def main():
        async with Scheduler(port=0, worker_ttl=1.0) as s:
            async with Nanny(s.address, nthreads=1, name="frozen") as frozen, \
                    Nanny(s.address, nthreads=1, name="alive", restart_on_death=False) as alive:
                async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                    x = c.submit(inc, 1, workers=["frozen"], allow_other_workers=True)
                    await x
                    os.kill(frozen.pid, signal.SIGSTOP)  # hangs: its connection stays open, heartbeats stop
                    try:
                        await until(lambda: frozen.worker_address not in s.state.workers, timeout=20)
                        assert await asyncio.wait_for(c.submit(inc, x), 20) == 3  # x recomputed on alive
                        assert s.state.who_has([x.key])[x.key] == [alive.worker_address]
                    finally:
                        os.kill(frozen.pid, signal.SIGKILL)

    asyncio.run(main())


# the test process's own memory is far above 70% of 50 MB, so the process-memory rule spills
@gen_cluster(nthreads=[1], worker_kwargs={"memory_limit": "50 MB", "memory_pause_fraction": False,
                                          "memory_target_fraction": False})
async def test_process_memory_above_spill_fraction_spills_results(c, s, a):
    np = pytest.importorskip("numpy")
    assert a.data.target == float("inf")
    x = c.submit(np.ones, 100_000)
    await x
    await until(lambda: x.key in a.data.slow)
    assert (await c.submit(np.sum, x)) == 100_000


def sleepy_add(x, y):
    time.sleep(0.2)
    return x + y


@gen_cluster(nthreads=[1, 1])
async def test_worker_closing_while_its_task_runs_loses_nothing(c, s, a, b):
    for delay in (0.0, 0.01, 0.03):
        x = c.submit(sleepy_add, 1, 2, workers=[b.address], allow_other_workers=True, pure=False)
        y = c.submit(inc, x, pure=False)
        await until(lambda x=x, b=b: x.key in b.state.tasks and b.state.tasks[x.key].state == "executing")
        await asyncio.sleep(delay)
        replacement = Worker(s.address, nthreads=1, validate=True)
        await b.close()
        assert await asyncio.wait_for(y, 20) == 4
        b = await replacement
    await b.close()


def test_arguments_a_worker_cannot_unpickle_give_that_error_and_keep_the_connection(tmp_path, monkeypatch):
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        # a module only the client can import (the worker process started before it existed)
        (tmp_path / "client_only_module.py").write_text(
            "def answer():\n    return 42\n\nclass Thing:\n    v = 3\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        import client_only_module

        with pytest.raises(ModuleNotFoundError, match="client_only_module"):
            client.run(client_only_module.answer)
        with pytest.raises(ModuleNotFoundError, match="client_only_module"):
            client.scatter(client_only_module.Thing())
        with pytest.raises(ModuleNotFoundError, match="client_only_module"):
            client.submit(client_only_module.answer).result()
        assert client.submit(sum, [1, 2]).result() == 3
        assert list(client.run(os.getpid).values())[0] != os.getpid()
