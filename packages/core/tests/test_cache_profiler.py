"""CacheProfiler on every local scheduler, and the ``_release`` callback hook it is built on."""

import math
import time
from operator import add

import pytest

import shoal
from shoal.callbacks import Callback
from shoal.diagnostics import CacheData, CacheProfiler
from shoal.local import get_sync
from shoal.multiprocessing import get as get_processes
from shoal.threaded import get as get_threads

SCHEDULERS = [get_sync, get_threads, get_processes]
IDS = ["sync", "threads", "processes"]


def make_list(n):
    return list(range(n))


def joined(a, b):
    return a + b


# sizes: a=3, b=4, ab=7, c=2, total=len 1 (a sum in a list)
LISTS = {
    "a": (make_list, 3),
    "b": (make_list, 4),
    "ab": (joined, "a", "b"),
    "c": (make_list, 2),
    "total": (lambda x, y: [sum(x) + sum(y)], "ab", "c"),
}


@pytest.mark.parametrize("get", SCHEDULERS, ids=IDS)
def test_counts_every_task_once(get):
    with CacheProfiler() as cprof:
        assert get(LISTS, "total") == [sum(range(3)) + sum(range(4)) + sum(range(2))]
    assert sorted(r.key for r in cprof.results) == sorted(LISTS)
    assert sum(r.metric for r in cprof.results) == len(LISTS)
    assert cprof.metric_name == "count"
    assert all(isinstance(r, CacheData) for r in cprof.results)


@pytest.mark.parametrize("get", SCHEDULERS, ids=IDS)
def test_metric_sums_match_a_hand_count(get):
    with CacheProfiler(metric=len) as cprof:
        get(LISTS, "total")
    by_key = {r.key: r.metric for r in cprof.results}
    assert by_key == {"a": 3, "b": 4, "ab": 7, "c": 2, "total": 1}
    assert cprof.metric_name == "len"
    assert CacheProfiler(metric=len, metric_name="items").metric_name == "items"


@pytest.mark.parametrize("get", SCHEDULERS, ids=IDS)
def test_free_time_follows_cache_time_and_the_last_use(get):
    with CacheProfiler() as cprof:
        get(LISTS, "total")
    rec = {r.key: r for r in cprof.results}
    assert all(r.free_time >= r.cache_time for r in cprof.results)
    # inputs are released once the task that needs them has its result, not before
    assert rec["a"].free_time >= rec["ab"].cache_time and rec["b"].free_time >= rec["ab"].cache_time
    assert rec["ab"].free_time >= rec["total"].cache_time
    # the result asked for is held until the computation ends
    assert rec["total"].free_time == max(r.free_time for r in cprof.results)
    assert cprof.start_time <= min(r.cache_time for r in cprof.results)
    assert cprof.end_time >= rec["total"].free_time


def test_released_intermediates_free_before_the_end():
    def slow(x):
        time.sleep(0.05)
        return x

    dsk = {"x": (slow, 1), "y": (slow, "x"), "z": (slow, "y")}
    with CacheProfiler() as cprof:
        get_sync(dsk, "z")
    rec = {r.key: r for r in cprof.results}
    assert rec["x"].free_time < rec["z"].cache_time  # freed as soon as y had its result
    assert rec["z"].free_time - rec["x"].free_time >= 0.04


def test_delayed_compute_and_clear():
    parts = [shoal.delayed(make_list)(i) for i in range(1, 5)]
    total = shoal.delayed(sum)([shoal.delayed(len)(p) for p in parts])
    with CacheProfiler(metric=lambda v: len(v) if isinstance(v, list) else 0, metric_name="items") as cprof:
        assert total.compute(scheduler="threads", num_workers=2, optimize_graph=False) == 1 + 2 + 3 + 4
    assert sum(r.metric for r in cprof.results) == 1 + 2 + 3 + 4
    assert len(cprof.results) == 9
    cprof.clear()
    assert cprof.results == [] and cprof.start_time is None


def test_results_accumulate_over_computations():
    with CacheProfiler() as cprof:
        get_sync({"x": 1, "y": (add, "x", 1)}, "y")
        get_threads({"p": 2, "q": (add, "p", "p")}, "q", num_workers=2)
    assert sorted(r.key for r in cprof.results) == ["p", "q", "x", "y"]


def test_a_failing_metric_warns_and_records_nan():
    with CacheProfiler(metric=len) as cprof, pytest.warns(RuntimeWarning, match="'len' failed on the result of 'x'"):
        assert get_threads({"x": 1, "y": (make_list, "x")}, "y", num_workers=2) == [0]
    by_key = {r.key: r.metric for r in cprof.results}
    assert math.isnan(by_key["x"]) and by_key["y"] == 1


def test_a_nested_compute_keeps_the_outer_results():
    inner = {"i": 5, "j": (add, "i", 1)}

    def run_inner(x):
        return x + get_threads(inner, "j")

    with CacheProfiler() as cprof:
        assert get_threads({"x": 1, "y": (run_inner, "x")}, "y", num_workers=2) == 7
    assert sorted(r.key for r in cprof.results) == ["i", "j", "x", "y"]
    assert all(r.free_time >= r.cache_time for r in cprof.results)


def test_errors_still_free_what_was_held():
    def boom(x):
        raise ValueError("no")

    with CacheProfiler() as cprof, pytest.raises(ValueError):
        get_sync({"x": 1, "y": (boom, "x")}, "y")
    assert [r.key for r in cprof.results] == ["x"]


@pytest.mark.parametrize("get", SCHEDULERS, ids=IDS)
def test_release_hook_sees_each_dropped_intermediate(get):
    released = []
    cb = Callback(release=lambda key, dsk, state: released.append((key, key in state.cache)))
    with cb:
        get(LISTS, ["total", "a"])
    # 'a' is asked for, so it stays; 'total' is the output; the rest are released once, after dropping
    assert sorted(released) == [("ab", False), ("b", False), ("c", False)]
