"""Element-wise operations against plain Python: map (with extra arguments), starmap, filter, remove,
pluck, flatten, map_partitions, the str accessor, and errors naming the partition."""

from __future__ import annotations

import operator

import pytest
import shoal
import shoal.bag as sb
from shoal.bag.testing import assert_eq

DATA = list(range(23))


@pytest.fixture
def b():
    return sb.from_sequence(DATA, npartitions=4)


def test_map(b):
    assert_eq(b.map(lambda x: x * 3), [x * 3 for x in DATA])
    assert_eq(sb.map(str, b), [str(x) for x in DATA])


def test_map_with_bag_item_scalar_and_delayed_arguments(b):
    other = b.map(lambda x: x * 10)
    assert_eq(b.map(operator.add, other), [x + 10 * x for x in DATA])
    total = b.sum()
    assert_eq(b.map(operator.sub, total), [x - sum(DATA) for x in DATA])
    assert_eq(b.map(divmod, 5), [divmod(x, 5) for x in DATA])
    assert_eq(b.map(pow, shoal.delayed(2)), [x**2 for x in DATA])

    def f(x, y, *, scale, shift):
        return (x + y) * scale + shift

    assert_eq(b.map(f, other, scale=total, shift=other),
              [(x + 10 * x) * sum(DATA) + 10 * x for x in DATA])
    # the bag need not be the first argument of the module-level map
    assert_eq(sb.map(operator.sub, 100, b), [100 - x for x in DATA])


def test_map_keeps_literal_tuples_and_lists(b):
    assert_eq(b.map(lambda x, t: (x, t), ("name", 1)), [(x, ("name", 1)) for x in DATA])
    assert_eq(b.map(lambda x, lst: x in lst, [1, 2, 3]), [x in [1, 2, 3] for x in DATA])


def test_map_bags_must_be_partitioned_alike(b):
    with pytest.raises(ValueError, match="same number of partitions"):
        b.map(operator.add, sb.from_sequence(DATA, npartitions=3))
    uneven = sb.from_sequence(DATA, partition_size=7)  # b's partitions hold 6 elements
    assert uneven.npartitions == 4
    with pytest.raises(ValueError, match="different lengths"):
        b.map(operator.add, uneven).compute()


def test_starmap(b):
    pairs = b.map(lambda x: (x, x + 1))
    assert_eq(pairs.starmap(operator.mul), [x * (x + 1) for x in DATA])
    assert_eq(pairs.starmap(lambda a, c, k: a + c + k, k=b.count()), [2 * x + 1 + 23 for x in DATA])


def test_filter_and_remove(b):
    assert_eq(b.filter(lambda x: x % 3 == 0), [x for x in DATA if x % 3 == 0])
    assert_eq(b.remove(lambda x: x % 3 == 0), [x for x in DATA if x % 3 != 0])
    assert_eq(b.filter(lambda x: x > 100), [])


def test_pluck():
    records = [{"a": {"b": i, "c": [i, i * 2]}, "n": i} for i in range(10)]
    b = sb.from_sequence(records, npartitions=3)
    assert_eq(b.pluck("a").pluck("b"), list(range(10)))
    assert_eq(b.pluck("a").pluck("c").pluck(1), [i * 2 for i in range(10)])
    assert_eq(b.pluck(["n", "a"]).pluck(0), list(range(10)))
    assert_eq(b.pluck("a").pluck(["b", "c"]), [(i, [i, i * 2]) for i in range(10)])
    assert_eq(b.pluck("missing", default=None), [None] * 10)
    assert_eq(sb.from_sequence([{("t", 1): 5}]).pluck(("t", 1)), [5])
    with pytest.raises(KeyError) as info:
        b.pluck("missing").compute()
    assert "pluck('missing')" in "\n".join(info.value.__notes__)


def test_unzip():
    b = sb.from_sequence([(i, str(i)) for i in range(5)], npartitions=2)
    nums, strs = b.unzip(2)
    assert_eq(nums, list(range(5)))
    assert_eq(strs, [str(i) for i in range(5)])


def test_flatten(b):
    nested = b.map(lambda x: [x] * (x % 3))
    assert_eq(nested.flatten(), [x for x in DATA for _ in range(x % 3)])


def test_map_partitions(b):
    assert_eq(b.map_partitions(len), [6, 6, 6, 5])  # one value per partition
    # partitions arrive as lists even after lazy steps, and extra arguments work as in map
    assert_eq(b.map(lambda x: x + 1).map_partitions(lambda p, k: [len(p) * k], 10), [60, 60, 60, 50])
    assert_eq(sb.map_partitions(lambda p, q: [x * y for x, y in zip(p, q)], b, b),
              [x * x for x in DATA])
    assert_eq(b.map_partitions(lambda p, total: [x / total for x in p], total=b.sum()),
              [x / sum(DATA) for x in DATA])


def test_str_accessor():
    words = ["Apple.json", "banana.txt", "cherry.json"]
    b = sb.from_sequence(words, npartitions=2)
    assert_eq(b.str.lower(), [w.lower() for w in words])
    assert_eq(b.str.split("."), [w.split(".") for w in words])
    assert_eq(b.str.match("*.json"), ["Apple.json", "cherry.json"])
    with pytest.raises(AttributeError):
        b.str.not_a_method


def test_error_in_mapped_function_names_the_partition(b):
    with pytest.raises(ZeroDivisionError) as info:
        b.map(lambda x: 1 / (x - 13)).sum().compute()
    notes = "\n".join(info.value.__notes__)
    assert "lambda failed on element 1 of partition 2 of map-lambda" in notes


def test_error_in_filter_and_map_partitions_names_the_partition(b):
    with pytest.raises(TypeError) as info:
        b.filter(lambda x: x < "a").compute()
    assert "partition 0 of filter-lambda" in "\n".join(info.value.__notes__)

    def boom(part):
        raise RuntimeError("no")

    with pytest.raises(RuntimeError) as info:
        b.map_partitions(boom).compute()
    assert "boom failed on partition 0 of map-partitions-boom" in "\n".join(info.value.__notes__)


def test_error_names_partition_in_processes(b):
    with pytest.raises(ZeroDivisionError) as info:
        b.map(lambda x: 1 / (x - 20)).compute(scheduler="processes")
    assert "element 2 of partition 3" in "\n".join(info.value.__notes__)
