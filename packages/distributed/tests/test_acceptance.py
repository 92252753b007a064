"""Scenarios written the way Dask users write them: blocking Client code against a LocalCluster."""

import operator
import threading
import time

import pytest

import shoal
from shoal.distributed import (
    CancelledError,
    Client,
    LocalCluster,
    TimeoutError,
    as_completed,
    fire_and_forget,
    get_client,
    get_worker,
    rejoin,
    secede,
    wait,
    worker_client,
)
from shoal.distributed.testing import until_blocking

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


def add(x, y=0, z=0):
    return x + y + z


def slow_inc(x, delay=0.05):
    time.sleep(delay)
    return x + 1


def fail(x):
    raise ValueError(f"bad value {x}")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=False, validate=True,
                      resources={"GPU": 1}) as cluster:
        yield cluster


@pytest.fixture
def c(cluster):
    with Client(cluster) as client:
        yield client


def test_client_context_manager_starts_and_stops_a_cluster():
    with Client(n_workers=2, threads_per_worker=1, processes=False) as c:
        assert len(c.nthreads()) == 2
        assert set(c.nthreads().values()) == {1}
        assert c.submit(inc, 1).result() == 2
        cluster = c.cluster
    assert c.status == "closed"
    assert cluster.status == "closed"
    c.close()  # twice is fine


def test_client_processes_false_runs_in_this_process():
    import os

    with Client(processes=False) as c:
        pids = c.run(os.getpid)
        assert set(pids.values()) == {os.getpid()}
        assert c.submit(inc, 10).result() == 11


def test_submit_keywords(c):
    f = c.submit(inc, 1, key="my-key")
    assert f.key == "my-key" and f.result() == 2
    assert c.submit(inc, 5).key == c.submit(inc, 5).key  # pure by default
    assert c.submit(inc, 5, pure=False).key != c.submit(inc, 5, pure=False).key
    high = c.submit(inc, 7, priority=10)
    assert high.result() == 8
    assert c.submit(add, 1, y=2, z=3).result() == 6
    gpu = c.submit(inc, 1, resources={"GPU": 1}, pure=False)
    assert gpu.result() == 2
    worker = sorted(c.nthreads())[0]
    pinned = c.submit(inc, 2, workers=[worker], pure=False)
    pinned.result()
    assert c.who_has(pinned)[pinned.key] == [worker]


def flaky(path, x):
    """Fails until it has been called three times (calls are counted in a file: workers share it)."""
    with open(path, "a+") as f:
        f.write(".")
        f.seek(0)
        calls = len(f.read())
    if calls < 3:
        raise ZeroDivisionError(f"call {calls}")
    return x


def test_retries(c, tmp_path):
    assert c.submit(flaky, tmp_path / "a", 42, retries=3).result() == 42
    with pytest.raises(ZeroDivisionError, match="call 2"):
        c.submit(flaky, tmp_path / "b", 42, retries=1).result()


def test_unpicklable_function_fails_at_submit_naming_the_key(c):
    lock = threading.Lock()
    with pytest.raises(TypeError, match="lock"):
        c.submit(lambda: lock, key="with-lock")


def test_futures_as_arguments_anywhere(c):
    x = c.submit(inc, 1)
    y = c.submit(inc, x)
    z = c.submit(add, x, y=y)
    total = c.submit(sum, [x, y, z])
    nested = c.submit(lambda d: d["a"][0] + d["b"], {"a": [x], "b": y})
    assert z.result() == 5
    assert total.result() == 10
    assert nested.result() == 5


def test_map_with_several_iterables_and_kwargs(c):
    futures = c.map(add, range(10), range(10, 20), z=100)
    assert c.gather(futures) == [i + i + 10 + 100 for i in range(10)]
    assert c.gather(c.map(inc, [1, 2, 3], pure=False)) == [2, 3, 4]
    keys = [f.key for f in c.map(inc, range(3), key=["a", "b", "c"])]
    assert keys == ["a", "b", "c"]


def test_gather_nested_structures(c):
    x, y = c.submit(inc, 1), c.submit(inc, 2)
    out = c.gather({"x": x, "pair": (x, y), "list": [y, [x]], "const": 7})
    assert out == {"x": 2, "pair": (2, 3), "list": [3, [2]], "const": 7}
    assert c.gather(x) == 2


def test_scatter_lists_dicts_and_broadcast(c):
    futures = c.scatter([1, 2, 3])
    assert c.gather(futures) == [1, 2, 3]
    d = c.scatter({"a": 10, "b": 20})
    assert set(d) == {"a", "b"} and d["a"].result() == 10
    [big] = c.scatter([list(range(1000))], broadcast=True)
    assert len(c.who_has(big)[big.key]) == 2
    assert c.submit(len, big).result() == 1000
    single = c.scatter(5)
    assert c.submit(inc, single).result() == 6


def test_as_completed_with_results_and_adding_while_iterating(c):
    futures = c.map(slow_inc, range(4), delay=0.01)
    seen = []
    ac = as_completed(futures, with_results=True)
    added = False
    for _future, result in ac:
        seen.append(result)
        if not added:
            ac.add(c.submit(inc, 100))
            added = True
    assert sorted(seen) == [1, 2, 3, 4, 101]


def test_wait_first_completed(c):
    fast = c.submit(inc, 1, pure=False)
    slow = c.submit(slow_inc, 1, delay=2, pure=False)
    done, not_done = wait([fast, slow], return_when="FIRST_COMPLETED")
    assert fast in done and slow in not_done
    done, not_done = wait([fast, slow])
    assert not not_done


def test_result_timeout_raises_timeout_error(c):
    f = c.submit(slow_inc, 1, delay=2, pure=False)
    with pytest.raises(TimeoutError, match=f.key):
        f.result(timeout=0.1)
    with pytest.raises(TimeoutError):
        f.result(timeout=0.1)  # a builtin TimeoutError too
    assert f.result(timeout=10) == 2


def test_exception_and_traceback(c):
    f = c.submit(fail, 3)
    with pytest.raises(ValueError, match="bad value 3"):
        f.result()
    exc = f.exception()
    assert isinstance(exc, ValueError) and "bad value 3" in str(exc)
    import traceback

    frames = traceback.extract_tb(f.traceback())
    assert frames[-1].name == "fail" and frames[-1].line == 'raise ValueError(f"bad value {x}")'
    try:
        f.result()
    except ValueError as e:
        assert traceback.extract_tb(e.__traceback__)[-1].name == "fail"  # re-raised with the task's frames
    assert c.submit(inc, 1).exception() is None
    assert f.status == "error" and "error" in repr(f)


def test_cancel_then_result_raises_cancelled_error(c):
    f = c.submit(slow_inc, 1, delay=1, pure=False)
    f.cancel()
    assert f.cancelled()
    with pytest.raises(CancelledError):
        f.result()


def test_fire_and_forget_runs_after_release(c, tmp_path):
    path = tmp_path / "done.txt"

    def write(p):
        time.sleep(0.1)
        p.write_text("ok")

    fire_and_forget(c.submit(write, path, pure=False))
    until_blocking(lambda: path.exists() and path.read_text() == "ok", what="the forgotten task to write")


def test_compute_of_delayed_and_lists(c):
    x = shoal.delayed(inc)(1)
    y = shoal.delayed(add)(x, 10)
    fut = c.compute(y)
    assert fut.result() == 12
    futures = c.compute([x, y])
    assert [f.result() for f in futures] == [2, 12]
    assert c.compute([x, y], sync=True) == [2, 12]


def test_persist_then_compute(c):
    x = shoal.delayed(inc)(1)
    y = shoal.delayed(add)(x, 10)
    y2 = c.persist(y)
    assert y2.compute() == 12
    assert shoal.compute(y2)[0] == 12


def test_shoal_compute_goes_to_the_client(c):
    def where():
        return threading.current_thread().name

    name = shoal.delayed(where)().compute()
    assert name.startswith("shoal-worker")


def test_run_and_run_on_scheduler(c):
    results = c.run(lambda: 42)
    assert sorted(results) == sorted(c.nthreads()) and set(results.values()) == {42}
    one = sorted(c.nthreads())[0]
    assert c.run(lambda: 1, workers=[one]) == {one: 1}

    def n_workers(dask_scheduler):
        return len(dask_scheduler.state.workers)

    assert c.run_on_scheduler(n_workers) == 2


def test_introspection(c):
    x = c.submit(inc, 1)
    x.result()
    workers = sorted(c.nthreads())
    assert c.ncores() == c.nthreads() == {w: 2 for w in workers}
    holders = c.who_has([x])[x.key]
    assert len(holders) == 1 and holders[0] in workers
    assert x.key in c.has_what()[holders[0]]
    info = c.scheduler_info()
    assert set(info["workers"]) == set(workers)
    assert info["address"] == c.scheduler_address


def test_get_client_and_get_worker_inside_tasks(c):
    def task():
        w = get_worker()
        client = get_client()
        return w.address, client.submit(inc, 1).result()

    address, value = c.submit(task, pure=False).result()
    assert address in c.nthreads() and value == 2


def test_secede_rejoin_and_worker_client(c):
    def fib(n):
        if n < 2:
            return n
        with worker_client() as client:
            a = client.submit(fib, n - 1)
            b = client.submit(fib, n - 2)
            return a.result() + b.result()

    assert c.submit(fib, 6).result() == 8

    def long_wait():
        secede()
        client = get_client()
        value = client.submit(inc, 1, pure=False).result()
        rejoin()
        return value

    futures = [c.submit(long_wait, pure=False) for _ in range(6)]  # more than the 4 threads
    assert c.gather(futures) == [2] * 6


def test_upload_file(c, tmp_path):
    module = tmp_path / "acceptance_helper_mod.py"
    module.write_text("def triple(x):\n    return 3 * x\n")
    c.upload_file(str(module))

    def use(x):
        import acceptance_helper_mod

        return acceptance_helper_mod.triple(x)

    assert c.submit(use, 3).result() == 9


def test_get_versions_check(c):
    versions = c.get_versions(check=True)
    assert {"client", "scheduler", "workers"} <= set(versions)
    assert len(versions["workers"]) == 2


def test_repr_and_html(c):
    text = repr(c)
    assert c.scheduler_address in text and "threads=4" in text
    html = c._repr_html_()
    assert c.scheduler_address in html
    f = c.submit(inc, 1)
    f.result()
    assert f.key in repr(f) and "finished" in repr(f)
    assert "int" in repr(f)


def test_restart_and_scale():
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False) as cluster:
        with Client(cluster) as c:
            f = c.submit(inc, 1)
            assert f.result() == 2
            cluster.scale(3)
            c.wait_for_workers(3, timeout=20)
            assert len(c.nthreads()) == 3
            cluster.scale(1)
            until_blocking(lambda: len(c.nthreads()) == 1, what="scale(1) to retire two workers")
            assert c.submit(inc, 5).result() == 6
            c.restart()
            assert f.cancelled()
            with pytest.raises(CancelledError):
                f.result()
            assert c.submit(inc, 6).result() == 7


def test_wait_for_workers_timeout_says_what_it_waited_for(c):
    with pytest.raises(TimeoutError, match="5 workers"):
        c.wait_for_workers(5, timeout=0.2)


def test_unreachable_scheduler_error_names_the_address():
    with pytest.raises((OSError, TimeoutError), match="127.0.0.1:1"):
        Client("tcp://127.0.0.1:1", timeout=1)


def test_arrays_dataframes_and_bags_on_the_client(c):
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    import shoal.array as sa
    import shoal.bag as sb
    import shoal.dataframe as sd

    x = np.arange(100.0).reshape(10, 10)
    a = sa.from_array(x, chunks=5)
    np.testing.assert_allclose(((a + 1) * 2).sum(axis=0).compute(), ((x + 1) * 2).sum(axis=0))
    persisted = c.persist(a.T)
    np.testing.assert_allclose(persisted.compute(), x.T)
    np.testing.assert_allclose(c.compute(a.mean()).result(), x.mean())

    pdf = pd.DataFrame({"k": [i % 3 for i in range(30)], "v": range(30)})
    df = sd.from_pandas(pdf, npartitions=3)
    pd.testing.assert_series_equal(df.groupby("k").v.sum().compute(), pdf.groupby("k").v.sum())

    b = sb.from_sequence(range(20), npartitions=4)
    assert b.map(inc).filter(lambda v: v % 2).sum().compute() == sum(v for v in range(1, 21) if v % 2)


def test_futures_with_operator_module_and_lambdas(c):
    xs = c.map(operator.mul, range(5), range(5))
    assert c.submit(sum, xs).result() == sum(i * i for i in range(5))


def test_async_client_basics():
    import asyncio

    from shoal.distributed import Scheduler, Worker

    async def main():
        async with Scheduler(port=0, dashboard_address=":0") as s:
            async with Worker(s.address, nthreads=2):
                async with Client(s.address, asynchronous=True) as c:
                    assert await c.submit(inc, 1) == 2
                    futures = c.map(inc, range(5))
                    assert await c.gather(futures) == [1, 2, 3, 4, 5]
                    f = c.submit(slow_inc, 1, delay=2, pure=False)
                    with pytest.raises(TimeoutError):
                        await f.result(timeout=0.05)

    asyncio.run(main())


def test_cli_scheduler_and_client_by_address(tmp_path):
    import subprocess
    import sys

    port_file = tmp_path / "scheduler.json"
    sched = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.scheduler", "--port", "0",
                              "--host", "127.0.0.1", "--dashboard-address", "none",
                              "--scheduler-file", str(port_file)], stderr=subprocess.PIPE, text=True)
    try:
        address = _read_address(sched)
        worker = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.worker", "--scheduler-file",
                                   str(port_file), "--nthreads", "1", "--no-nanny"], stderr=subprocess.DEVNULL)
        try:
            with Client(scheduler_file=str(port_file)) as c:
                c.wait_for_workers(1, timeout=30)
                assert c.submit(operator.add, 41, 1).result() == 42
                assert address in repr(c)
        finally:
            worker.terminate()
            worker.wait(10)
    finally:
        sched.terminate()
        sched.wait(10)


def _read_address(proc):
    import re

    deadline = time.time() + 30
    while time.time() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"(tcp://[\d.]+:\d+)", line)
        if m:
            return m.group(1)
    raise RuntimeError("scheduler did not print its address")


def test_variable_shares_values_and_futures(c):
    from shoal.distributed import Variable

    v = Variable("acceptance-x")
    v.set(10)
    assert v.get() == 10
    f = c.submit(inc, 1)
    v.set(f)
    got = v.get()
    assert got.key == f.key and got.result() == 2
    assert c.submit(lambda: Variable("acceptance-x").get().result() + 100, pure=False).result() == 102
    with pytest.raises(TimeoutError, match="never-set"):
        Variable("never-set").get(timeout=0.1)


def test_queue_between_tasks_and_client(c):
    from shoal.distributed import Queue

    q = Queue("acceptance-q")
    q.put(1)
    q.put(c.submit(inc, 5))
    assert q.qsize() == 2
    assert q.get() == 1 and q.get().result() == 6

    def produce(n):
        out = Queue("acceptance-q")
        for i in range(n):
            out.put(i)
        return n

    c.submit(produce, 5).result()
    assert q.get(batch=True) == [0, 1, 2, 3, 4]
    with pytest.raises(TimeoutError, match="acceptance-q"):
        q.get(timeout=0.1)


def locked_increment(i):
    from shoal.distributed import Lock, Variable

    with Lock("acceptance-lock"):
        v = Variable("acceptance-counter")
        x = v.get()
        time.sleep(0.005)
        v.set(x + 1)
    return i


def test_lock_serialises_tasks(c):
    from shoal.distributed import Lock, Variable

    Variable("acceptance-counter").set(0)
    c.gather(c.map(locked_increment, range(12)))
    assert Variable("acceptance-counter").get() == 12
    lock = Lock("acceptance-lock")
    assert lock.acquire() and lock.locked()
    assert Lock("acceptance-lock").acquire(timeout=0.1) is False
    lock.release()
    assert not lock.locked()


def test_semaphore_limits_concurrency(c):
    from shoal.distributed import Semaphore

    def use(i):
        with Semaphore(2, name="acceptance-sem") as s:
            n = s.get_value()
            time.sleep(0.05)
            return n

    assert max(c.gather(c.map(use, range(8)))) <= 2


def test_event_wakes_waiting_task(c):
    from shoal.distributed import Event

    ev = Event("acceptance-event")
    assert not ev.is_set() and ev.wait(timeout=0.05) is False
    waiter = c.submit(lambda: Event("acceptance-event").wait(timeout=20), pure=False)
    ev.set()
    assert waiter.result() is True and ev.is_set()


def test_retire_workers_and_executor():
    import concurrent.futures

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False) as cluster:
        with Client(cluster) as c:
            x = c.submit(inc, 1)
            x.result()
            holder = c.who_has(x)[x.key][0]
            retired = c.retire_workers([holder])
            assert list(retired) == [holder]
            until_blocking(lambda: holder not in c.nthreads(), what="the retired worker to leave")
            assert x.result() == 2  # moved to the remaining worker before the holder closed
            with c.get_executor() as ex:
                futures = [ex.submit(inc, i) for i in range(5)]
                done, _ = concurrent.futures.wait(futures)
                assert sorted(f.result() for f in done) == [1, 2, 3, 4, 5]
                assert list(ex.map(inc, range(3))) == [1, 2, 3]


class CountingPlugin:
    """A WorkerPlugin (duck-typed like Dask's) counting results that reach memory on each worker."""

    def setup(self, worker):
        worker.counted = []
        self.worker = worker
        return "ready"

    def transition(self, key, start, finish, **kwargs):
        if finish == "memory":
            self.worker.counted.append(key)

    def teardown(self, worker):
        worker.torn_down = True


def test_worker_plugins_reach_current_and_future_workers():
    from shoal.distributed import WorkerPlugin

    class Plugin(CountingPlugin, WorkerPlugin):
        pass

    with Client(n_workers=1, threads_per_worker=1, processes=False) as c:
        assert set(c.register_plugin(Plugin(), name="counter").values()) == {"ready"}
        c.gather(c.map(inc, range(10)))
        assert sum(c.run(lambda dask_worker: len(dask_worker.counted)).values()) >= 10
        c.cluster.scale(2)  # the client's own cluster is blocking like the client
        c.wait_for_workers(2, timeout=20)
        assert all(c.run(lambda dask_worker: hasattr(dask_worker, "counted")).values())
        c.unregister_worker_plugin("counter")
        assert all(c.run(lambda dask_worker: getattr(dask_worker, "torn_down", False)).values())
        assert c.register_plugin(Plugin(), name="again") and c.register_plugin(Plugin(), name="again",
                                                                                 idempotent=True) == {}


def test_client_owned_cluster_adapts():
    with Client(n_workers=0, threads_per_worker=1, processes=False) as c:
        c.cluster.adapt(minimum=1, maximum=2, interval=0.05)
        c.wait_for_workers(1, timeout=20)
        assert c.submit(inc, 1).result() == 2
