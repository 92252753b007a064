"""The Bag and Item collections themselves: protocol, repr, optimisation into one task per partition,
default scheduler and its configuration, persist, to_delayed, Item behaving like a delayed value."""

from __future__ import annotations

import operator
import os
import pickle

import cloudpickle
import pytest
import shoal
import shoal.bag as sb
from shoal.bag.testing import assert_eq
from shoal.highlevelgraph import HighLevelGraph


def test_repr_names_operation_and_npartitions():
    b = sb.from_sequence(range(10), npartitions=3).map(str)
    assert repr(b) == "shoal.bag<map-str, npartitions=3>"
    assert repr(b.count()).startswith("Item<('count-")


def test_graph_is_high_level_and_keys_are_partitions():
    b = sb.from_sequence(range(10), npartitions=3).map(str).filter(bool)
    assert isinstance(b.__shoal_graph__(), HighLevelGraph)
    assert len(b.__shoal_graph__().layers) == 3
    assert b.__shoal_keys__() == [(b.name, i) for i in range(3)]
    assert shoal.tokenize(b) == shoal.tokenize(b)
    assert b.name == sb.from_sequence(range(10), npartitions=3).map(str).filter(bool).name


def test_pipeline_fuses_to_one_task_per_partition(tmp_path):
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text("a b\nc\n")
    b = sb.read_text(str(tmp_path / "*.txt")).map(str.split).filter(len).flatten().map(str.upper)
    total = b.count()
    dsk = total.__shoal_optimize__(total.__shoal_graph__(), total.__shoal_keys__())
    assert len(dsk) == 4 + 1  # one task per partition, and the final sum
    assert_eq(total, 12)
    dsk = b.__shoal_optimize__(b.__shoal_graph__(), b.__shoal_keys__())
    assert len(dsk) == 4
    assert all(isinstance(v, tuple) for v in dsk.values())


def test_optimize_culls_unneeded_partitions():
    b = sb.from_sequence(range(100), npartitions=10).map(lambda x: x + 1)
    dsk = b.__shoal_optimize__(b.__shoal_graph__(), [(b.name, 3)])
    assert list(dsk) == [(b.name, 3)]


def test_shared_intermediate_is_materialised_once():
    calls = []

    def record(x):
        calls.append(x)
        return x

    b = sb.from_sequence(range(10), npartitions=2).map(record)
    assert shoal.compute(b.sum(), b.count(), scheduler="sync") == (45, 10)
    assert sorted(calls) == list(range(10))  # not twice


def test_default_scheduler_is_processes_and_configurable():
    assert any(d.get("bag", {}).get("scheduler") == "processes" for d in shoal.config.defaults)
    pids = sb.from_sequence(range(4), npartitions=2).map(lambda x: os.getpid())
    with shoal.config.set({"bag.scheduler": "processes"}):
        assert os.getpid() not in pids.compute()
    with shoal.config.set({"bag.scheduler": "threads"}):
        assert set(pids.compute()) == {os.getpid()}
    with shoal.config.set({"bag.scheduler": "processes"}), shoal.config.set(scheduler="sync"):
        assert set(pids.compute()) == {os.getpid()}  # the global setting wins
    assert set(pids.compute(scheduler="threads")) == {os.getpid()}


def test_persist_keeps_results():
    calls = []

    def record(x):
        calls.append(x)
        return x * 2

    b = sb.from_sequence(range(6), npartitions=3).map(record).persist()
    assert isinstance(b, sb.Bag) and b.npartitions == 3
    calls.clear()
    assert_eq(b.map(operator.neg), [-2 * x for x in range(6)])
    assert calls == []
    item = b.sum().persist()
    assert item.compute() == 30


def test_to_delayed_and_delayed_functions_take_bags():
    b = sb.from_sequence(range(6), npartitions=3).map(lambda x: x + 1)
    parts = b.to_delayed()
    assert len(parts) == 3
    assert shoal.compute(*parts, scheduler="sync") == ([1, 2], [3, 4], [5, 6])
    assert b.to_delayed(optimize_graph=False)[2].compute(scheduler="sync") == [5, 6]
    assert shoal.delayed(sum)(b).compute(scheduler="sync") == 21
    assert b.sum().to_delayed().compute(scheduler="sync") == 21


def test_bags_pickle():
    b = sb.from_sequence(range(6), npartitions=2).map(lambda x: x * 3)
    assert_eq(cloudpickle.loads(cloudpickle.dumps(b)), [x * 3 for x in range(6)])
    assert_eq(pickle.loads(pickle.dumps(sb.range(5, 2).sum())), 10)


def test_iterating_a_bag_computes_it():
    assert list(sb.from_sequence("abc", npartitions=2)) == ["a", "b", "c"]


def test_item_is_like_a_delayed_value():
    b = sb.from_sequence(["b", "a", "c"], npartitions=2)
    joined = b.fold(operator.add)
    assert_eq(joined.upper(), "BAC")
    assert_eq(joined.replace("a", "x"), "bxc")
    assert_eq(joined[1:], "ac")
    assert_eq(joined.apply(sorted), ["a", "b", "c"])
    n = b.count()
    assert_eq(n + 1, 4)
    assert_eq(10 - n, 7)
    assert_eq(n * n, 9)
    assert_eq(-n, -3)
    assert_eq(n / 2, 1.5)
    assert_eq(n > 2, True)
    assert_eq(2 ** n, 8)
    with pytest.raises(TypeError, match="compute"):
        bool(n)
    via_delayed = sb.Item.from_delayed(shoal.delayed(lambda: 5)())
    assert_eq(via_delayed + n, 8)
    assert_eq(b.map(lambda x, k: x * k, n), ["bbb", "aaa", "ccc"])


def test_assert_eq_can_fail():
    b = sb.from_sequence([1, 2, 3])
    with pytest.raises(AssertionError):
        assert_eq(b, [1, 2, 4])
    with pytest.raises(AssertionError):
        assert_eq(b, [3, 2, 1])
    assert_eq(b, [3, 2, 1], check_order=False)
    with pytest.raises(AssertionError):
        assert_eq(b.sum(), 7)
    assert_eq(b.mean(), 2.0000000000001)
