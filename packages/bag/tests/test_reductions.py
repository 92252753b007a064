"""Reductions against plain Python, including trees of combine steps and empty partitions."""

from __future__ import annotations

import math
import operator
import statistics
from collections import Counter
from functools import reduce

import pytest
import shoal
import shoal.bag as sb
from shoal.bag.testing import assert_eq

DATA = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7]


@pytest.fixture(params=[1, 3, 30], ids=["1part", "3parts", "30parts"])
def b(request):
    return sb.from_sequence(DATA, npartitions=request.param)


def test_simple_aggregates(b):
    assert_eq(b.count(), len(DATA))
    assert_eq(b.sum(), sum(DATA))
    assert_eq(b.min(), min(DATA))
    assert_eq(b.max(), max(DATA))
    assert_eq(b.mean(), statistics.fmean(DATA))
    assert_eq(b.var(), statistics.pvariance(DATA))
    assert_eq(b.var(ddof=1), statistics.variance(DATA))
    assert_eq(b.std(), statistics.pstdev(DATA))
    assert_eq(b.std(ddof=1), statistics.stdev(DATA))
    assert_eq(b.map(lambda x: x > 8).any(), True)
    assert_eq(b.map(lambda x: x > 8).all(), False)
    assert_eq(b.map(lambda x: x > 0).all(), True)


def test_trees_with_small_split_every():
    b = sb.from_sequence(range(1000), npartitions=100)
    for split_every in (2, 3, 8):
        assert_eq(b.sum(split_every=split_every), sum(range(1000)))
        assert_eq(b.frequencies(split_every=split_every).count(), 1000)
        assert_eq(b.topk(4, split_every=split_every), [999, 998, 997, 996])
    with pytest.raises(ValueError, match="split_every"):
        b.sum(split_every=1)


def test_empty_partitions_and_empty_bags():
    b = sb.from_sequence(range(20), npartitions=5).filter(lambda x: x in (3, 17))
    assert_eq(b.min(), 3)
    assert_eq(b.max(), 17)
    assert_eq(b.mean(), 10.0)
    assert_eq(b.count(), 2)
    empty = b.filter(lambda x: False)
    assert_eq(empty.count(), 0)
    assert_eq(empty.sum(), 0)
    assert_eq(empty.any(), False)
    assert_eq(empty.all(), True)
    for reduction, what in [(empty.min, "min"), (empty.max, "max"), (empty.mean, "mean")]:
        with pytest.raises(ValueError, match=what):
            reduction().compute()


def test_large_values_variance_is_stable():
    data = [1e9 + x for x in (4, 7, 13, 16)]
    b = sb.from_sequence(data, npartitions=2)
    assert b.var().compute() == pytest.approx(statistics.pvariance(data), rel=1e-9)


def test_reduction_and_fold(b):
    assert_eq(b.reduction(sum, sum), sum(DATA))
    assert_eq(b.reduction(lambda p: max(p, default=0), max), max(DATA))
    assert_eq(b.reduction(lambda p: [sum(p)], lambda r: [sum(x for y in r for x in y)],
                          out_type=sb.Bag), [sum(DATA)])
    assert_eq(b.fold(operator.add), sum(DATA))
    assert_eq(b.fold(operator.add, initial=0), sum(DATA))
    # binop folds elements into an accumulator, combine merges accumulators
    assert_eq(b.fold(lambda acc, x: acc | {x}, operator.or_, initial=frozenset()), frozenset(DATA))
    assert_eq(b.fold(max), reduce(max, DATA))


def test_frequencies(b):
    assert_eq(b.frequencies(), list(Counter(DATA).items()), check_order=False)
    result = b.frequencies(sort=True).compute()
    assert [c for _, c in result] == sorted(Counter(DATA).values(), reverse=True)
    assert dict(result) == Counter(DATA)
    assert b.frequencies().npartitions == 1


def test_topk(b):
    assert_eq(b.topk(5), sorted(DATA, reverse=True)[:5])
    words = sb.from_sequence(["bb", "a", "dddd", "ccc"], npartitions=2)
    assert_eq(words.topk(2, key=len), ["dddd", "ccc"])
    pairs = sb.from_sequence([("a", 3), ("b", 9), ("c", 1)], npartitions=2)
    assert_eq(pairs.topk(1, key=1), [("b", 9)])  # key given as an index


def test_distinct(b):
    assert_eq(b.distinct(), list(dict.fromkeys(DATA)), check_order=False)
    words = sb.from_sequence(["apple", "avocado", "banana", "blueberry", "cherry"], npartitions=3)
    firsts = words.distinct(key=lambda w: w[0]).compute()
    assert sorted(w[0] for w in firsts) == ["a", "b", "c"]
    records = sb.from_sequence([{"k": 1, "v": "x"}, {"k": 1, "v": "y"}, {"k": 2, "v": "z"}])
    assert len(records.distinct(key="k").compute()) == 2


def test_foldby(b):
    def expected(binop, initial=None):
        out = {}
        for x in DATA:
            k = x % 3
            out[k] = binop(out[k], x) if k in out else (binop(initial, x) if initial is not None else x)
        return out

    assert dict(b.foldby(lambda x: x % 3, operator.add).compute()) == expected(operator.add)
    assert dict(b.foldby(lambda x: x % 3, max).compute()) == expected(max)
    # count per key: binop folds elements into counts, combine adds counts
    counted = b.foldby(lambda x: x % 3, lambda acc, x: acc + 1, 0, operator.add, 0)
    assert dict(counted.compute()) == dict(Counter(x % 3 for x in DATA))
    # initial may be a factory (called per key)
    lists = b.foldby(lambda x: x % 2, lambda acc, x: acc + [x], list, operator.add, list)
    assert {k: sorted(v) for k, v in lists.compute()} == {
        k: sorted(x for x in DATA if x % 2 == k) for k in (0, 1)}
    pairs = sb.from_sequence([("a", 1), ("b", 2), ("a", 3)], npartitions=2)
    assert sorted(pairs.foldby(0, lambda acc, kv: acc + kv[1], 0, operator.add).compute()) == [
        ("a", 4), ("b", 2)]


def test_item_results_compute_together(b):
    total, n = shoal.compute(b.sum(), b.count())
    assert (total, n) == (sum(DATA), len(DATA))
    assert_eq(b.sum() / b.count(), sum(DATA) / len(DATA))
    assert math.isclose(b.std().compute(), statistics.pstdev(DATA))


def test_optional_arguments_work_in_worker_processes():
    """"No initial value given" must still read as such after the task is pickled to a process."""
    b = sb.from_sequence(DATA, npartitions=3)
    with shoal.config.set({"bag.scheduler": "processes"}):
        assert dict(b.foldby(lambda x: x % 2, operator.add).compute()) == {
            k: sum(x for x in DATA if x % 2 == k) for k in (0, 1)}
        assert b.fold(operator.add).compute() == sum(DATA)
        assert b.accumulate(operator.add).compute()[-1] == sum(DATA)
        assert b.map(lambda x: {"v": x}).pluck("v").sum().compute() == sum(DATA)
    assert b.foldby(lambda x: x % 2, operator.add).name == b.foldby(lambda x: x % 2, operator.add).name
