"""Operations that move elements between partitions or depend on their order: groupby (shuffle,
in memory and on disk), join, product, accumulate, take, repartition, zip, concat, random sampling."""

from __future__ import annotations

import itertools
import os
import random
from collections import Counter

import pytest
import shoal
import shoal.bag as sb
from shoal import multiprocessing as shoal_multiprocessing
from shoal.bag.shuffle import SpillFile, stable_hash
from shoal.local import get_sync
from shoal.bag.testing import assert_eq

DATA = list(range(50))


def grouped(data, key):
    out = {}
    for x in data:
        out.setdefault(key(x), []).append(x)
    return out


def as_dict(pairs):
    return {k: sorted(v) for k, v in pairs}


@pytest.mark.parametrize("shuffle", ["auto", "disk", "tasks"])
def test_groupby(shuffle, tmp_path):
    b = sb.from_sequence(DATA, npartitions=5)
    with shoal.config.set({"bag.temporary-directory": str(tmp_path)}):
        result = b.groupby(lambda x: x % 7, shuffle=shuffle).compute()
    assert as_dict(result) == grouped(DATA, lambda x: x % 7)
    assert len(result) == 7  # each key in exactly one output partition
    assert list(tmp_path.iterdir()) == []  # spill files (and their directory) removed once read
    # run one split task alone: 'disk' writes its pieces to files, the others keep small ones in memory
    g = b.groupby(lambda x: x % 7, shuffle=shuffle)
    with shoal.config.set({"bag.temporary-directory": str(tmp_path)}):
        pieces = get_sync(dict(g.dask), (f"{g.name}-split", 0))
    assert {type(p) for p in pieces if p} == ({SpillFile} if shuffle == "disk" else {list})


def test_groupby_output_partitions_and_key_index():
    words = ["apple", "avocado", "banana", "blueberry", "cherry", "cranberry", "date"]
    b = sb.from_sequence([{"w": w, "first": w[0]} for w in words], npartitions=3)
    g = b.groupby("first", npartitions=2)
    assert g.npartitions == 2
    assert {k: sorted(d["w"] for d in v) for k, v in g.compute()} == {
        k: sorted(v) for k, v in grouped(words, lambda w: w[0]).items()}


def test_groupby_spills_large_partitions_in_processes(tmp_path):
    b = sb.from_sequence(range(3000), npartitions=4).map(lambda x: (x % 11, str(x) * 20))
    with shoal.config.set({"bag.temporary-directory": str(tmp_path),
                           "bag.shuffle-spill-threshold": "10 kB"}):
        g = b.groupby(0)
        result = g.compute(scheduler="processes")
    assert {k: len(v) for k, v in result} == Counter(x % 11 for x in range(3000))
    assert list(tmp_path.iterdir()) == []  # the spill files were read and removed
    split = shoal_multiprocessing.get(dict(g.dask), (f"{g.name}-split", 0))
    assert {type(p) for p in split} == {SpillFile}  # large pieces went through files


def test_groupby_split_writes_spill_files(tmp_path):
    from shoal.bag.errors import Where
    from shoal.bag.shuffle import SpillSettings, group_pieces, split_partition

    spill = SpillSettings(str(tmp_path / "spill"), threshold=100)
    where = Where("partition 0 of a test")
    pieces = split_partition(lambda x: x % 3, 3, range(1000), spill, where)
    assert all(type(p) is SpillFile for p in pieces)
    assert len(os.listdir(tmp_path / "spill")) == 3
    small = split_partition(lambda x: x % 3, 3, range(5), SpillSettings(str(tmp_path / "s2"), 10**6),
                            where)
    assert all(type(p) is list for p in small)
    assert as_dict(group_pieces([pieces[1], small[1]])) == {1: sorted(list(range(1, 1000, 3)) + [1, 4])}
    assert len(os.listdir(tmp_path / "spill")) == 2
    with pytest.raises(FileNotFoundError, match="shuffle='tasks'"):
        pieces[1].load()


def test_errors_in_groupby_and_reductions_name_the_partition():
    b = sb.from_sequence([{"k": 1}, {"k": 2}, {"j": 3}], npartitions=3)
    with pytest.raises(KeyError) as info:
        b.groupby(lambda d: d["k"]).compute()
    assert "element 0 of partition 2 of groupby-lambda" in "\n".join(info.value.__notes__)
    with pytest.raises(KeyError) as info:
        b.foldby(lambda d: d["k"], lambda acc, d: acc + 1, 0).compute()
    assert "foldby-lambda failed on partition 2 of foldby-lambda" in "\n".join(info.value.__notes__)


def test_stable_hash_is_stable_and_consistent_with_equality():
    assert stable_hash("abc") == 891568578  # crc32: the same in every process
    assert stable_hash(1) == stable_hash(1.0) == stable_hash(True)
    assert stable_hash(("a", 1)) == stable_hash(("a", 1.0))
    assert stable_hash(frozenset({"a", "b"})) == stable_hash(frozenset({"b", "a"}))


def test_groupby_string_keys_in_processes():
    rng = random.Random(1)
    words = [rng.choice("abcdefgh") * 3 for _ in range(200)]
    words = [w + str(i % 2) for i, w in enumerate(words)]
    b = sb.from_sequence(words, npartitions=4)
    result = b.groupby(lambda w: w, shuffle="tasks").compute(scheduler="processes")
    assert {k: len(v) for k, v in result} == Counter(words)
    assert len(result) == len(set(words))


def test_join():
    people = sb.from_sequence(["Alice", "Bob", "Charlie", "Dan"], npartitions=2)
    fruit = ["Apple", "Apricot", "Banana", "Date"]
    expected = [(f, p) for p in ["Alice", "Bob", "Charlie", "Dan"] for f in fruit if f[0] == p[0]]
    first = lambda s: s[0]  # noqa: E731
    assert_eq(people.join(fruit, first), expected)
    assert_eq(people.join(iter(fruit), first), expected)
    assert_eq(people.join(sb.from_sequence(fruit, npartitions=1), first), expected)
    assert_eq(people.join(shoal.delayed(fruit), first), expected)
    records = sb.from_sequence([{"id": 1, "x": "a"}, {"id": 2, "x": "b"}])
    names = [(1, "one"), (2, "two"), (1, "uno")]
    assert_eq(records.join(names, on_self="id", on_other=0),
              [((1, "one"), {"id": 1, "x": "a"}), ((1, "uno"), {"id": 1, "x": "a"}),
               ((2, "two"), {"id": 2, "x": "b"})])
    with pytest.raises(ValueError, match="repartition"):
        people.join(sb.from_sequence(fruit, npartitions=2), first)


def test_product():
    a = sb.from_sequence([1, 2, 3], npartitions=2)
    c = sb.from_sequence("xy", npartitions=2)
    p = a.product(c)
    assert p.npartitions == 4
    assert_eq(p, list(itertools.product([1, 2, 3], "xy")), check_order=False)


def test_accumulate():
    b = sb.from_sequence(range(12), npartitions=4)
    assert_eq(b.accumulate(lambda a, x: a + x), list(itertools.accumulate(range(12))))
    assert_eq(b.accumulate(max, initial=5), list(itertools.accumulate(range(12), max, initial=5)))
    gaps = sb.from_sequence(range(12), npartitions=4).filter(lambda x: x < 2 or x > 9)
    assert_eq(gaps.accumulate(lambda a, x: a + x), list(itertools.accumulate([0, 1, 10, 11])))


def test_take_touches_only_needed_partitions():
    computed = []

    def record(x):
        computed.append(x)
        return x

    b = sb.from_sequence(range(100), npartitions=10).map(record)
    assert b.take(3) == (0, 1, 2)
    assert computed == [0, 1, 2]  # first partition only, and only as far as needed
    computed.clear()
    assert b.take(25, npartitions=-1) == tuple(range(25))
    assert max(computed) < 40  # partitions 0..3 at most (1, then 2, then 4 at a time)
    assert b.take(12, npartitions=2) == tuple(range(12))
    taken = b.take(5, compute=False)
    assert isinstance(taken, sb.Bag)
    assert_eq(taken, list(range(5)))


def test_take_warns_when_short():
    b = sb.from_sequence(range(10), npartitions=5)
    with pytest.warns(UserWarning, match="only 2"):
        assert b.take(5) == (0, 1)
    with pytest.warns(UserWarning, match="only 10"):
        assert b.take(50, npartitions=-1) == tuple(range(10))
    with pytest.raises(ValueError, match="npartitions"):
        b.take(1, npartitions=9)


@pytest.mark.parametrize("n", [1, 3, 7, 12])
def test_repartition_npartitions(n):
    b = sb.from_sequence(range(30), npartitions=5).map(lambda x: x * 2)
    r = b.repartition(n)
    assert r.npartitions == n
    assert_eq(r, [x * 2 for x in range(30)])
    sizes = [len(p) for p in shoal.compute(*r.to_delayed(), scheduler="sync")]
    assert sum(sizes) == 30 and all(s > 0 for s in sizes)


@pytest.mark.parametrize("inline", [True, False])
def test_repartition_computes_merged_inputs_in_the_merging_task(inline):
    b = sb.from_sequence(range(40), npartitions=8).filter(lambda x: x % 3).map(lambda x: x * 2)
    r = b.repartition(2)
    with shoal.config.set({"bag.inline-combined-inputs": inline}):
        graph = r.__shoal_optimize__(r.__shoal_graph__(), r.__shoal_keys__())
        assert len(graph) == (2 if inline else 10)
        assert r.compute(scheduler="processes") == [x * 2 for x in range(40) if x % 3]
    # an input partition that is also wanted elsewhere is computed once, in its own task
    both = shoal.compute(r.count(), b.sum(), optimize_graph=True)
    assert both == (len([x for x in range(40) if x % 3]), sum(x * 2 for x in range(40) if x % 3))


def test_zip_and_map_compute_their_input_partitions_in_one_task():
    a = sb.from_sequence(range(12), npartitions=3).map(lambda x: x + 1)
    c = sb.range(12, npartitions=3).map(lambda x: x * 10)  # its own input, not shared with a
    for combined, expected in [(sb.zip(a, c), [(x + 1, x * 10) for x in range(12)]),
                               (a.map(lambda x, y: x - y, c), [x + 1 - x * 10 for x in range(12)]),
                               (a.map(lambda x, y: x * y, y=c), [(x + 1) * x * 10 for x in range(12)])]:
        graph = combined.__shoal_optimize__(combined.__shoal_graph__(), combined.__shoal_keys__())
        assert len(graph) == 3
        assert combined.compute(scheduler="processes") == expected
    assert sb.zip(a, a).compute() == [(x + 1, x + 1) for x in range(12)]


def test_repartition_partition_size():
    b = sb.from_sequence(range(30), npartitions=4)
    r = b.repartition(partition_size=7 * 28)  # bytes, as in Dask: seven small ints
    assert r.npartitions == 5
    assert [len(p) for p in shoal.compute(*r.to_delayed(), scheduler="sync")] == [7, 7, 7, 7, 2]
    assert_eq(r, list(range(30)))
    by_bytes = sb.from_sequence(["x" * 100] * 40, npartitions=2).repartition(partition_size="1 kB")
    assert by_bytes.npartitions > 2
    assert_eq(by_bytes.count(), 40)


def test_zip_and_concat():
    a = sb.from_sequence(range(6), npartitions=2)
    c = a.map(str)
    assert_eq(sb.zip(a, c), [(i, str(i)) for i in range(6)])
    both = sb.concat([a, c])
    assert both.npartitions == 4
    assert_eq(both, list(range(6)) + [str(i) for i in range(6)])
    with pytest.raises(ValueError, match="partitions"):
        sb.zip(a, sb.from_sequence(range(6), npartitions=3))


def test_random_sample_and_choices():
    b = sb.from_sequence(range(100), npartitions=7)
    s = sb.random.sample(b, 10).compute()
    assert len(s) == 10 and len(set(s)) == 10 and set(s) <= set(range(100))
    assert sorted(sb.random.sample(b, 100).compute()) == list(range(100))
    with pytest.raises(ValueError, match="larger than the bag"):
        sb.random.sample(b, 101).compute()
    c = sb.random.choices(b, 500).compute()
    assert len(c) == 500 and set(c) <= set(range(100)) and len(set(c)) > 50
    # uniformity: every decile of the population is drawn about equally often
    deciles = Counter(x // 10 for x in sb.random.choices(b, 5000).compute())
    assert min(deciles.values()) > 350
    firsts = Counter(min(sb.random.sample(b, 5).compute()) < 50 for _ in range(40))
    assert firsts[True] > 25
    kept = b.random_sample(0.5, random_state=3)
    assert kept.compute() == kept.compute()
    assert 20 < len(kept.compute()) < 80
