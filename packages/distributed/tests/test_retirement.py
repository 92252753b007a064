"""Scaling down without losing work: graceful retirement, choosing which workers close, adaptive shrinking."""

import threading
import time

import pytest

from shoal.distributed import Client, Event, LocalCluster, as_completed
from shoal.distributed.testing import until_blocking

pytestmark = pytest.mark.timeout(60)

RUNS = []  # keys of in-process runs, to tell a moved result from a recomputed one
RUNS_LOCK = threading.Lock()


def counted(x):
    with RUNS_LOCK:
        RUNS.append(x)
    return x * 10


def wait_for(name):
    Event(name).wait(timeout=20)
    return name


def closing_cluster(n):
    return LocalCluster(n_workers=n, threads_per_worker=1, processes=False)


def test_retired_worker_hands_over_scattered_data():
    with closing_cluster(2) as cluster, Client(cluster) as c:
        a, b = sorted(c.nthreads())
        [x] = c.scatter([[1, 2, 3]], workers=[a])
        assert c.who_has(x)[x.key] == [a]
        retired = c.retire_workers(workers=[a])
        assert list(retired) == [a]
        assert sorted(c.nthreads()) == [b]
        assert c.who_has(x)[x.key] == [b]
        assert x.result() == [1, 2, 3]  # scattered data cannot be recomputed: it must have moved
        assert c.submit(sum, x).result() == 6


def test_retired_worker_hands_over_computed_results_without_recomputing():
    with closing_cluster(2) as cluster, Client(cluster) as c:
        a, b = sorted(c.nthreads())
        futures = c.map(counted, range(100, 106), workers=[a])
        assert c.gather(futures) == [1000, 1010, 1020, 1030, 1040, 1050]
        c.retire_workers([a])
        assert c.gather(futures) == [1000, 1010, 1020, 1030, 1040, 1050]
        assert sorted(k for k in RUNS if k >= 100) == list(range(100, 106))  # each ran once
        assert set(w for ws in c.who_has(futures).values() for w in ws) == {b}


def test_retiring_the_only_holder_with_no_other_worker_is_an_error():
    with closing_cluster(1) as cluster, Client(cluster) as c:
        [a] = c.nthreads()
        x = c.scatter(42)
        with pytest.raises(Exception, match="no other worker") as info:
            c.retire_workers([a])
        assert a in str(info.value)
        assert list(c.nthreads()) == [a] and x.result() == 42
        assert c.submit(lambda v: v + 1, x).result() == 43  # the worker is still in service


def test_tasks_of_a_retired_worker_are_rescheduled():
    with closing_cluster(2) as cluster, Client(cluster) as c:
        a, b = sorted(c.nthreads())
        ev = Event("retire-rescheduled")
        running = c.submit(wait_for, "retire-rescheduled", workers=[a], allow_other_workers=True, pure=False)
        until_blocking(lambda: c.processing()[a], what="the task to start on the worker to retire")
        c.retire_workers([a])
        assert sorted(c.nthreads()) == [b]
        ev.set()
        assert running.result(timeout=20) == "retire-rescheduled"
        assert c.who_has(running)[running.key] == [b]


def test_workers_to_close_prefers_idle_then_least_memory():
    with closing_cluster(3) as cluster, Client(cluster) as c:
        busy, holder, idle = sorted(c.nthreads())
        held = c.scatter([list(range(10_000))], workers=[holder])
        Event("to-close-busy")
        blocked = c.submit(wait_for, "to-close-busy", workers=[busy], pure=False)
        until_blocking(lambda: c.processing()[busy], what="the busy worker to start")

        def choose(dask_scheduler, **kwargs):
            return dask_scheduler.workers_to_close(**kwargs)

        assert c.run_on_scheduler(choose, n=1) == [idle]
        assert c.run_on_scheduler(choose, n=2) == [idle, holder]
        assert c.run_on_scheduler(choose, target=1) == [idle, holder]
        assert c.run_on_scheduler(choose, target=3) == []
        assert c.run_on_scheduler(choose, n=3, attribute="name") == [
            c.scheduler_info()["workers"][w]["name"] for w in (idle, holder, busy)]
        Event("to-close-busy").set()
        assert blocked.result() == "to-close-busy" and len(held[0].result()) == 10_000


def test_scaling_down_closes_idle_workers_and_keeps_data():
    with closing_cluster(3) as cluster, Client(cluster) as c:
        first = sorted(c.nthreads())
        data = [c.scatter(i, workers=[w]) for i, w in enumerate(first)]
        ev = Event("scale-down-busy")
        running = c.submit(wait_for, "scale-down-busy", workers=[first[0]], allow_other_workers=True, pure=False)
        until_blocking(lambda: c.processing()[first[0]], what="the task to start")
        cluster.scale(1)
        assert list(c.nthreads()) == [first[0]]  # the busy worker stays
        assert list(c.processing()[first[0]]) == [running.key]  # and its task was not interrupted
        ev.set()
        assert running.result() == "scale-down-busy"
        assert c.gather(data) == [0, 1, 2]


def test_adaptive_keeps_busy_workers_until_the_work_runs_out():
    with closing_cluster(1) as cluster, Client(cluster) as c:
        adaptive = cluster.adapt(minimum=1, maximum=4, interval="200ms", wait_count=2)
        start = time.time()
        futures = c.map(time.sleep, [0.2] * 40, pure=False)
        log_with_work_left = None
        for done, _ in enumerate(as_completed(futures), start=1):
            if done == 15:  # 25 tasks of 0.2 s left: as much work as the 5 s target duration
                log_with_work_left = list(adaptive.log)
        elapsed = time.time() - start
        assert ("up", 4) in log_with_work_left
        assert not [step for step in log_with_work_left if step[0] == "down"], log_with_work_left
        assert elapsed < 6, (elapsed, adaptive.log)  # one worker alone needs 8 s
        until_blocking(lambda: len(c.nthreads()) == 1, what="adaptive to shrink back to the minimum")
        steps = [direction for direction, _ in adaptive.log]
        assert steps == sorted(steps, key=["up", "down"].index), adaptive.log  # no flapping


def test_scaling_to_zero_refuses_to_drop_the_last_copy_of_scattered_data():
    with closing_cluster(1) as cluster, Client(cluster) as c:
        [x] = c.scatter([[7, 8]])
        with pytest.raises(Exception, match="no other worker"):
            cluster.scale(0)
        assert len(cluster.worker_specs) == 1 and len(c.nthreads()) == 1  # the worker keeps its spec
        assert x.result() == [7, 8]
        cluster.scale(2)
        c.wait_for_workers(2, timeout=10)
        cluster.scale(1)  # now there is somewhere to move it
        assert len(c.nthreads()) == 1 and x.result() == [7, 8]
