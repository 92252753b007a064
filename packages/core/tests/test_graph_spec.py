"""The graph spec: keys, tasks, dependencies and the errors for graphs that cannot run."""

from operator import add, mul

import pytest

from shoal.core import GraphError, flatten, get_dependencies, iskey, istask, quote, subs, validate_graph
from shoal.local import get_sync
from shoal.multiprocessing import get as get_processes
from shoal.threaded import get as get_threads

SCHEDULERS = [get_sync, get_threads, get_processes]


def inc(x):
    return x + 1


def test_istask_and_iskey():
    assert istask((inc, 1))
    assert not istask((1, inc))
    assert not istask([inc, 1])
    assert iskey("x") and iskey(("x", 0, 1)) and iskey(("x", "a", 1.5))
    assert not iskey(1) and not iskey((1, "x")) and not iskey(["x"]) and not iskey(())


def test_dependencies_through_nesting():
    dsk = {"x": 1, "y": 2, ("a", 0): 3, "z": (add, (inc, "x"), ["y", [("a", 0)], 5])}
    assert get_dependencies(dsk, "z") == {"x", "y", ("a", 0)}
    assert get_dependencies(dsk, task=(inc, "not-a-key")) == set()


def test_flatten_and_subs():
    assert list(flatten([["a", ["b"]], "c"])) == ["a", "b", "c"]
    assert subs((add, "x", ["x", 1]), "x", 5) == (add, 5, [5, 1])


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_classic_graph(get):
    dsk = {"x": 1, "y": (inc, "x"), "z": (add, "y", 10)}
    assert get(dsk, "z") == 12
    assert get(dsk, ["x", ["y", "z"]]) == [1, [2, 12]]


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_nested_tasks_keys_in_lists_and_aliases(get):
    dsk = {
        ("a", 0): 1,
        ("a", 1): 2,
        "s": (sum, [("a", 0), ("a", 1), (inc, ("a", 1))]),
        "m": (mul, (add, "s", 1), (inc, (inc, 0))),
        "alias": "m",
        "lit": quote(("a", 0)),
    }
    assert get(dsk, ["s", "m", "alias", "lit"]) == [6, 14, 14, ("a", 0)]


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_100_000_task_graph(get):
    n = 100_000
    dsk = {("x", i): (inc, i) for i in range(n)}
    # a tree of sums over the leaves, 100 at a time
    level, keys = 0, list(dsk)
    while len(keys) > 1:
        level += 1
        new = []
        for j in range(0, len(keys), 100):
            k = ("sum", level, j)
            dsk[k] = (sum, keys[j:j + 100])
            new.append(k)
        keys = new
    assert get(dsk, keys[0]) == sum(range(1, n + 1))


def test_long_chain_runs_without_recursion():
    n = 50_000
    dsk = {("c", 0): 0, **{("c", i): (inc, ("c", i - 1)) for i in range(1, n)}}
    assert get_threads(dsk, ("c", n - 1)) == n - 1


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_cycle_is_reported_with_its_keys(get):
    dsk = {"a": (inc, "b"), "b": (inc, "c"), "c": (inc, "a"), "d": 1, "e": (inc, "d")}
    with pytest.raises(GraphError, match="cycle") as info:
        get(dsk, ["a", "e"])
    assert all(repr(k) in str(info.value) for k in ("a", "b", "c"))


def test_validate_graph_errors():
    with pytest.raises(GraphError, match=r"cycle: 'x' -> 'y' -> 'x'|cycle: 'y' -> 'x' -> 'y'"):
        validate_graph({"x": (inc, "y"), "y": (inc, "x")})
    with pytest.raises(GraphError, match=r"\('missing', 3\).*not in the graph"):
        validate_graph({"x": (inc, ("missing", 3))})
    with pytest.raises(GraphError, match="cannot be a key"):
        validate_graph({1.5: 1})
    assert validate_graph({"x": 1, "y": (inc, "x")}) == {"x": set(), "y": {"x"}}


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_schedulers_reject_bad_graphs(get):
    with pytest.raises(GraphError, match=r"\('x', 7\).*not in the graph"):
        get({("x", 0): 1, "y": (add, ("x", 0), ("x", 7))}, "y")
    with pytest.raises(GraphError, match="cannot be a key"):
        get({("x", 0): 1, 5: (inc, ("x", 0))}, ("x", 0))
    with pytest.raises(KeyError, match="'nope' was asked for"):
        get({"x": 1}, "nope")


@pytest.mark.parametrize("get", SCHEDULERS, ids=["sync", "threads", "processes"])
def test_data_that_looks_like_keys_is_data(get):
    pairs = [("apple", 3), ("pear", 1)]
    dsk = {("part", 0): pairs, "n": (len, ("part", 0)), "q": quote(("apple", 3))}
    assert get(dsk, [("part", 0), "n", "q"]) == [pairs, 2, ("apple", 3)]


def test_persisted_results_that_look_like_tasks_stay_data():
    import shoal

    value = shoal.delayed(lambda: [("x", 1), (inc, 1), "y"])()
    (p,) = shoal.persist(value)
    assert p.compute() == [("x", 1), (inc, 1), "y"]
