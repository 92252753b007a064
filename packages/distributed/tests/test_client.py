"""Client API against an in-process cluster (validate=True), compared with plain Python results."""

import asyncio
import queue
import threading

import pytest

from shoal.distributed import CancelledError, Future, as_completed, fire_and_forget, wait
from shoal.distributed.testing import gen_cluster, until

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


def add(x, y):
    return x + y


def boom(x):
    raise ValueError(f"bad value {x}")


@gen_cluster(nthreads=[1, 2])
async def test_submit_map_gather(c, s, a, b):
    x = c.submit(inc, 1)
    assert await x == 2
    assert x.key.startswith("inc-")
    assert c.submit(inc, 1).key == x.key  # pure: same key
    assert c.submit(inc, 1, pure=False).key != x.key
    ys = c.map(inc, range(50))
    assert await c.gather(ys) == [i + 1 for i in range(50)]
    z = c.submit(add, ys[0], y=ys[1])
    assert await z == 3
    nested = c.submit(sum, [ys[0], ys[1], 10])
    assert await nested == 13
    d = c.submit(lambda d: d["a"] + d["b"][0], {"a": ys[2], "b": (ys[3],)})
    assert await d == 7
    assert await c.gather({"k": [x, (x, 1)]}) == {"k": [2, (2, 1)]}
    named = c.submit(inc, 5, key="my-key")
    assert named.key == "my-key" and await named == 6
    m = c.map(add, [1, 2], [10, 20], key=["a1", "a2"])
    assert [f.key for f in m] == ["a1", "a2"] and await c.gather(m) == [11, 22]


@gen_cluster(nthreads=[1])
async def test_errors_travel_back_with_traceback(c, s, a):
    f = c.submit(boom, 3)
    with pytest.raises(ValueError, match="bad value 3"):
        await f
    assert f.status == "error"
    assert isinstance(await f.exception(), ValueError)
    import traceback

    tb = await f.traceback()
    assert traceback.extract_tb(tb)[-1].name == "boom"
    g = c.submit(inc, f)  # depends on a failed task: fails with the same error
    with pytest.raises(ValueError, match="bad value 3"):
        await g
    assert repr(f).startswith("<Future: error")


@gen_cluster(nthreads=[1])
async def test_unpicklable_argument_fails_at_submit(c, s, a):
    lock = threading.Lock()
    with pytest.raises(TypeError, match="lock"):
        c.submit(lambda x: x, lock)
    assert await c.submit(inc, 1) == 2


@gen_cluster(nthreads=[1, 1])
async def test_scatter(c, s, a, b):
    [x, y] = await c.scatter([1, 2])
    assert await c.submit(add, x, y) == 3
    d = await c.scatter({"p": 10})
    assert d["p"].key == "p" and await d["p"] == 10
    z = await c.scatter(100, broadcast=True)
    who = s.state.who_has([z.key])[z.key]
    assert len(who) == 2
    w = await c.scatter(5, workers=[a.address])
    assert s.state.who_has([w.key])[w.key] == [a.address]


@gen_cluster(nthreads=[1, 1])
async def test_restrictions_and_resources(c, s, a, b):
    f = c.submit(inc, 1, workers=[b.address])
    assert await f == 2
    assert s.state.who_has([f.key])[f.key] == [b.address]
    g = c.submit(inc, 2, workers=["nope"], allow_other_workers=True)
    assert await g == 3
    h = c.submit(inc, 3, resources={"GPU": 1})
    await until(lambda: h.key in s.state.tasks and s.state.tasks[h.key].state == "no-worker")
    assert h.status == "pending"
    from shoal.distributed import Worker

    async with Worker(s.address, nthreads=1, resources={"GPU": 1}) as gpu:
        assert await h == 4
        assert s.state.who_has([h.key])[h.key] == [gpu.address]


@gen_cluster(nthreads=[1])
async def test_retries(c, s, a):
    def flaky():
        from shoal.distributed import get_worker

        w = get_worker()
        w.flaky_calls = getattr(w, "flaky_calls", 0) + 1
        if w.flaky_calls < 3:
            raise RuntimeError("try again")
        return w.flaky_calls

    assert await c.submit(flaky, retries=2, pure=False) == 3
    with pytest.raises(RuntimeError, match="try again"):
        a.flaky_calls = 0
        await c.submit(flaky, retries=1, pure=False)


@gen_cluster(nthreads=[1])
async def test_cancel_and_release(c, s, a):
    import time

    f = c.submit(time.sleep, 0.5, pure=False)
    await asyncio.sleep(0.05)
    await c.cancel([f])
    assert f.cancelled()
    with pytest.raises(CancelledError):
        await f
    x = c.submit(inc, 1)
    await x
    key = x.key
    del x
    await until(lambda: key not in s.state.tasks)


@gen_cluster(nthreads=[1, 1])
async def test_shared_keys_between_clients(c, s, a, b):
    from shoal.distributed import Client

    async with Client(s.address, asynchronous=True, set_as_default=False) as c2:
        f1 = c.submit(inc, 10)
        f2 = c2.submit(inc, 10)
        assert f1.key == f2.key
        assert await f1 == 11 and await f2 == 11
        assert s.state.tasks[f1.key].who_wants == {s.state.clients[c.id], s.state.clients[c2.id]}
        del f1
        await asyncio.sleep(0.05)
        assert await f2 == 11


@gen_cluster(nthreads=[1, 1])
async def test_wait_and_as_completed(c, s, a, b):
    fs = c.map(inc, range(10))
    done, not_done = await c._wait(fs)
    assert len(done) == 10 and not not_done
    results = []
    async for _f, r in as_completed(c.map(inc, range(20, 30)), with_results=True):
        results.append(r)
    assert sorted(results) == list(range(21, 31))


@gen_cluster(nthreads=[1])
async def test_fire_and_forget(c, s, a):
    import time

    f = c.submit(time.sleep, 0.1, pure=False)
    key = f.key
    fire_and_forget(f)
    del f
    await until(lambda: a.state.executed_count == 1, what="the forgotten future to run")
    await until(lambda: key not in s.state.tasks, what="the scheduler to forget it once done")


@gen_cluster(nthreads=[1, 1])
async def test_who_has_run_and_info(c, s, a, b):
    f = c.submit(inc, 1)
    await f
    who = await c.who_has([f])
    assert len(who[f.key]) == 1
    assert await c.ncores() == {a.address: 1, b.address: 1}
    info = await c.scheduler_info()
    assert set(info["workers"]) == {a.address, b.address}
    assert await c.run(lambda: 7) == {a.address: 7, b.address: 7}
    assert await c.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.state.workers)) == 2
    versions = await c.get_versions(check=True)
    assert set(versions) == {"client", "scheduler", "workers"}
    story = await c.story(f)
    assert [t[1] for t in story][-1] == "memory"
    await c._wait_for_workers(2, timeout=1)


@gen_cluster(nthreads=[1, 1])
async def test_graph_get_and_delayed(c, s, a, b):
    dsk = {"x": 1, "y": (inc, "x"), "z": (add, "y", "x"), "w": ["x", "y"]}
    futures = c._graph_to_futures(dsk, ["z", ["w"]])
    assert await c.gather(futures) == [3, [[1, 2]]]
    import shoal

    d = shoal.delayed(add)(shoal.delayed(inc)(1), 10)
    assert await c.compute(d) == 12
    # a future used inside a delayed graph
    f = c.submit(inc, 100)
    e = shoal.delayed(inc)(f)
    assert await c.compute(e) == 102


def test_sync_client_is_default_scheduler(client):
    import shoal

    d = shoal.delayed(inc)(41)
    assert d.compute() == 42  # runs on the client
    assert client.get({"a": (inc, 1)}, "a") == 2
    fut = client.compute(d)
    assert isinstance(fut, Future) and fut.result(timeout=10) == 42
    persisted = client.persist(d)
    assert persisted.compute() == 42
    assert shoal.config.get("scheduler") == client.get
    q = queue.Queue()
    out = client.map(inc, q)
    for i in range(3):
        q.put(i)
    assert [out.get(timeout=5).result() for _ in range(3)] == [1, 2, 3]
    fs = client.map(inc, range(5))
    wait(fs)
    assert all(f.done() for f in fs)
    assert sorted(f.result() for f in as_completed(fs)) == [1, 2, 3, 4, 5]
    batches = list(as_completed(client.map(inc, range(10, 15))).batches())
    assert sum(len(b) for b in batches) == 5
    with pytest.raises(ValueError, match="bad value 1"):
        client.submit(boom, 1).result(timeout=10)
    seen = []
    done = threading.Event()
    client.submit(inc, 5).add_done_callback(lambda f: (seen.append(f.result()), done.set()))
    done.wait(5)
    assert seen == [6]
    assert "Client" in repr(client) and "threads=2" in repr(client)
    assert "Scheduler" in client._repr_html_()


def test_result_timeout(client):
    import time

    from shoal.distributed import TimeoutError

    f = client.submit(time.sleep, 1, pure=False)
    with pytest.raises(TimeoutError):
        f.result(timeout=0.05)


def test_client_restores_previous_scheduler():
    import shoal
    from shoal.distributed import Client, LocalCluster

    before = shoal.config.get("scheduler", None)
    with LocalCluster(n_workers=1, processes=False) as cluster:
        with Client(cluster) as c:
            assert shoal.config.get("scheduler") == c.get
    assert shoal.config.get("scheduler", None) == before


def test_delayed_over_futures(client):
    np = pytest.importorskip("numpy")
    import shoal

    parts = client.map(np.arange, [3, 4])
    total = shoal.delayed(sum)([shoal.delayed(np.sum)(p) for p in parts])
    assert total.compute() == np.arange(3).sum() + np.arange(4).sum()


def slow_inc(x, delay):
    import time

    time.sleep(delay)
    return x + 1


@gen_cluster(nthreads=[1], timeout=60)
async def test_work_stealing_moves_waiting_tasks_to_new_worker(c, s, a):
    from shoal.distributed import Worker

    x = await c.scatter(1)
    fs = [c.submit(slow_inc, x, 0.1, pure=False) for _ in range(12)]
    await until(lambda: all(f.key in s.state.tasks for f in fs))
    assert all(s.state.tasks[f.key].processing_on.address == a.address for f in fs)
    async with Worker(s.address, nthreads=1) as b:
        assert await c.gather(fs) == [2] * 12
        ran_on_b = [f for f in fs if b.address in s.state.who_has([f.key])[f.key]]
    assert s.state.stolen_count >= 3 and len(ran_on_b) >= 3
    assert s.state.steals == {}


@gen_cluster(nthreads=[1, 1, 1])
async def test_replicate_copies_data_peer_to_peer(c, s, a, b, w3):
    x = c.submit(inc, 1, workers=[a.address])
    await x
    assert await c.replicate([x], n=2) == {x.key: 2}
    assert len(s.state.who_has([x.key])[x.key]) == 2
    await c.replicate([x])
    assert sorted(s.state.who_has([x.key])[x.key]) == sorted([a.address, b.address, w3.address])
    await a.close()
    assert await c.submit(inc, x) == 3  # a copy survived the loss of the first holder
    s.state.validate_state()


def make_bytes(i, n):
    return bytes([i % 256]) * n


@gen_cluster(nthreads=[1, 1, 1])
async def test_rebalance_evens_out_bytes_held(c, s, a, b, w3):
    fs = c.map(make_bytes, range(12), n=100_000, workers=[a.address])
    await c.gather(fs)
    held = lambda: {w.address: len(w.data) for w in (a, b, w3)}  # noqa: E731
    assert held() == {a.address: 12, b.address: 0, w3.address: 0}
    extra = c.submit(make_bytes, 99, 50, workers=[a.address])
    await extra
    assert (await c.rebalance(fs))["moved"] == 8
    await until(lambda: len(a.data) == 5)  # the 4 results it kept + extra, which was not asked to move
    assert len(b.data) == 4 and len(w3.data) == 4
    who_has = s.state.who_has([f.key for f in fs])
    assert all(len(holders) == 1 for holders in who_has.values())
    assert sorted(await c.gather(fs)) == sorted(make_bytes(i, 100_000) for i in range(12))
    assert (await c.rebalance())["moved"] == 0  # already even: nothing moves
    s.state.validate_state()


@gen_cluster(nthreads=[1, 1])
async def test_rebalance_within_chosen_workers(c, s, a, b):
    fs = c.map(make_bytes, range(4), n=10_000, workers=[a.address])
    await c.gather(fs)
    assert (await c.rebalance(workers=[a.address]))["moved"] == 0  # one worker: nowhere to go
    assert (await c.rebalance(workers=[a.address, b.address]))["moved"] == 2
    await until(lambda: len(a.data) == 2 and len(b.data) == 2)


def fib(n):
    from shoal.distributed import worker_client

    if n < 2:
        return n
    with worker_client() as c:
        a = c.submit(fib, n - 1)
        b = c.submit(fib, n - 2)
        return a.result() + b.result()


@gen_cluster(nthreads=[1], timeout=60)
async def test_tasks_submitting_tasks_on_one_thread_do_not_deadlock(c, s, a):
    assert await c.submit(fib, 6) == 8
    assert not a.state.long_running and not a.state.executing


def test_progress_bar_reports_completion(client):
    import io

    from shoal.distributed import progress

    fs = client.map(slow_inc, range(4), delay=0.05)
    out = io.StringIO()
    progress(fs, file=out, interval=0.01)
    text = out.getvalue()
    assert "100% Completed" in text and all(f.done() for f in fs)
