"""Acceptance scenarios: what a dask.bag user writes, run on shoal.bag and checked against plain Python.

Each test is a short user story from the dask.bag API (creation, element-wise steps, reductions,
grouping, sampling, output, Items, the ``str`` accessor, keyword arguments and errors)."""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import math
import operator
import random
import statistics
from collections import Counter, defaultdict

import pytest
import shoal
import shoal.bag as sb
from shoal.bag import Bag, Item
from shoal.delayed import delayed

DATA = list(range(1, 101))
WORDS = ["Alice", "bob", "Charlie", "dave", "Eve", "bob", "alice", "Bob", "eve", "frank"]
PEOPLE = [
    {"name": "Alice", "age": 31, "city": "Paris", "pets": ["cat"]},
    {"name": "Bob", "age": 25, "city": "Berlin", "pets": []},
    {"name": "Charlie", "age": 35, "city": "Paris", "pets": ["dog", "fish"]},
    {"name": "Dave", "age": 25, "city": "Rome", "pets": ["cat", "dog"]},
    {"name": "Eve", "age": 41, "city": "Berlin", "pets": ["parrot"]},
]


# -- creation ----------------------------------------------------------------------------------
def test_from_sequence_npartitions_and_partition_size():
    b = sb.from_sequence(DATA, npartitions=4)
    assert isinstance(b, Bag)
    assert b.npartitions == 4
    assert b.compute() == DATA
    c = sb.from_sequence(DATA, partition_size=30)
    assert c.npartitions == 4
    assert c.compute() == DATA
    assert sb.from_sequence(range(5)).compute() == [0, 1, 2, 3, 4]
    assert "npartitions=4" in repr(b)


def test_from_sequence_of_tuples_and_lists_stays_data():
    seq = [(1, 2), [3, 4], (operator.add, 1, 2), ("x", 0)]
    assert sb.from_sequence(seq, npartitions=2).compute() == seq


def test_empty_bag():
    b = sb.from_sequence([], npartitions=1)
    assert b.compute() == []
    assert b.count().compute() == 0
    assert b.sum().compute() == 0
    assert b.map(str).compute() == []
    assert b.frequencies().compute() == []
    with pytest.raises(ValueError):
        b.max().compute()


def test_range():
    b = sb.range(10, npartitions=3)
    assert b.npartitions == 3
    assert b.compute() == list(range(10))
    assert b.sum().compute() == 45
    assert b.map_partitions(len).compute() == [3, 3, 4]
    assert sb.range(3, npartitions=5).compute() == [0, 1, 2]


def test_from_sequence_splits_like_dask():
    # partition size ceil(n / npartitions): the to_dataframe docstring's 3 records in 2 partitions
    assert sb.from_sequence("abc", npartitions=2).map_partitions(len).compute() == [2, 1]
    assert sb.from_sequence(range(10), npartitions=4).map_partitions(len).compute() == [3, 3, 3, 1]
    assert sb.from_sequence(range(1000)).npartitions == 100


def test_from_delayed():
    parts = [delayed(list)(range(i * 3, i * 3 + 3)) for i in range(3)]
    b = sb.from_delayed(parts)
    assert b.npartitions == 3
    assert b.map(lambda x: x * 2).compute() == [x * 2 for x in range(9)]


def test_from_delayed_of_a_generator_function():
    @delayed
    def load(i):
        return (i * 10 + j for j in range(4))

    b = sb.from_delayed([load(i) for i in range(3)])
    assert b.count().compute() == 12
    assert sorted(b.compute()) == sorted(i * 10 + j for i in range(3) for j in range(4))


def test_read_text_many_files_and_to_textfiles_roundtrip(tmp_path):
    lines = [f"line {i}" for i in range(25)]
    b = sb.from_sequence(lines, npartitions=3)
    written = b.to_textfiles(str(tmp_path / "out-*.txt.gz"))
    assert len(written) == 3
    with gzip.open(written[0], "rt") as f:
        first = f.read().splitlines()
    assert first == lines[:len(first)] and first
    back = sb.read_text(str(tmp_path / "out-*.txt.gz"))
    assert back.npartitions == 3
    assert back.str.strip().compute() == lines
    assert [line.rstrip("\n") for line in back.compute()] == lines


@pytest.mark.parametrize("ext", ["", ".gz", ".bz2", ".xz"])
def test_text_roundtrip_with_compression_by_extension(tmp_path, ext):
    lines = [f"{i},{'é' * (i % 3)}" for i in range(40)]
    out = sb.from_sequence(lines, npartitions=4).to_textfiles(
        str(tmp_path / f"part-*.csv{ext}"), name_function=lambda i: f"{i:02d}")
    assert [p.rsplit("/", 1)[1] for p in out] == [f"part-{i:02d}.csv{ext}" for i in range(4)]
    back = sb.read_text(str(tmp_path / f"part-*.csv{ext}"))
    assert back.map(str.rstrip).compute() == lines
    assert back.map(lambda line: line.split(",")[0]).map(int).sum().compute() == sum(range(40))


def test_read_text_compression_keyword_and_files_per_partition(tmp_path):
    for f in range(4):
        with gzip.open(tmp_path / f"log{f}", "wt") as out:
            out.write("".join(f"{f}-{i}\n" for i in range(5)))
    b = sb.read_text(str(tmp_path / "log*"), compression="gzip", files_per_partition=2)
    assert b.npartitions == 2
    assert b.count().compute() == 20
    assert b.str.strip().compute()[:2] == ["0-0", "0-1"]


def test_read_text_json_pipeline(tmp_path):
    rng = random.Random(3)
    records = [{"id": i, "kind": rng.choice("abc"), "value": rng.random()} for i in range(300)]
    for f in range(3):
        with open(tmp_path / f"{f}.json", "w") as out:
            out.writelines(json.dumps(r) + "\n" for r in records[f * 100:(f + 1) * 100])
    b = sb.read_text(str(tmp_path / "*.json"), blocksize=1000).map(json.loads)
    assert b.npartitions > 3
    assert sorted(b.pluck("kind").frequencies().compute()) == sorted(
        Counter(r["kind"] for r in records).items())
    assert b.pluck("value").sum().compute() == pytest.approx(sum(r["value"] for r in records))
    paths = sb.read_text(str(tmp_path / "*.json"), include_path=True).pluck(1).distinct().compute()
    assert len(paths) == 3


# -- element-wise ------------------------------------------------------------------------------
def test_map_filter_remove_chain():
    b = sb.from_sequence(DATA, npartitions=5)
    result = b.filter(lambda x: x % 2 == 0).map(lambda x: x * 10).remove(lambda x: x > 500)
    assert result.compute() == [x * 10 for x in DATA if x % 2 == 0 and x * 10 <= 500]


def test_map_with_extra_arguments():
    b = sb.from_sequence(DATA, npartitions=4)
    c = sb.from_sequence([x * 100 for x in DATA], npartitions=4)
    assert b.map(operator.add, c).compute() == [x + x * 100 for x in DATA]
    assert b.map(lambda x, y, z=0: x + y + z, 1, z=2).compute() == [x + 3 for x in DATA]
    total = b.sum()
    assert b.map(lambda x, t: x / t, total).compute() == [x / sum(DATA) for x in DATA]
    assert sb.map(lambda x, y: x * y, b, c).compute() == [x * x * 100 for x in DATA]
    assert b.map(lambda x, lst: x + len(lst), [1, 2, 3]).compute() == [x + 3 for x in DATA]
    assert b.map(lambda x, y: x + y, y=delayed(5)).compute() == [x + 5 for x in DATA]


def test_map_differently_partitioned_bags_is_an_error():
    with pytest.raises(ValueError, match="partitions"):
        sb.from_sequence(DATA, npartitions=2).map(operator.add, sb.from_sequence(DATA, npartitions=3))


def test_starmap():
    pairs = [(i, i + 1) for i in range(20)]
    b = sb.from_sequence(pairs, npartitions=3)
    assert b.starmap(operator.mul).compute() == [x * y for x, y in pairs]
    assert b.starmap(lambda x, y, z: x + y + z, z=10).compute() == [x + y + 10 for x, y in pairs]
    assert b.starmap(lambda x, y, z: x + y + z, z=b.count()).compute() == [x + y + 20 for x, y in pairs]


def test_pluck():
    b = sb.from_sequence(PEOPLE, npartitions=2)
    assert b.pluck("name").compute() == [p["name"] for p in PEOPLE]
    assert b.pluck(["name", "age"]).compute() == [(p["name"], p["age"]) for p in PEOPLE]
    assert b.pluck("email", None).compute() == [None] * len(PEOPLE)
    assert b.pluck("pets").pluck(0, "none").compute() == [(p["pets"] or ["none"])[0] for p in PEOPLE]
    nested = sb.from_sequence([{"a": {"b": i}} for i in range(6)], npartitions=2)
    assert nested.pluck("a").pluck("b").compute() == list(range(6))
    with pytest.raises(KeyError):
        b.pluck("email").compute()


def test_flatten_and_unzip():
    b = sb.from_sequence(PEOPLE, npartitions=2)
    assert b.pluck("pets").flatten().compute() == [x for p in PEOPLE for x in p["pets"]]
    pairs = sb.from_sequence([(i, str(i)) for i in range(7)], npartitions=2)
    nums, strs = pairs.unzip(2)
    assert nums.compute() == list(range(7))
    assert strs.compute() == [str(i) for i in range(7)]


def test_map_partitions():
    b = sb.from_sequence(DATA, npartitions=4)
    assert b.map_partitions(lambda part: [sum(part)]).sum().compute() == sum(DATA)
    assert b.map_partitions(len).compute() == [25, 25, 25, 25]
    doubled = sb.map_partitions(lambda part, k: [x * k for x in part], b, 2)
    assert doubled.compute() == [x * 2 for x in DATA]
    other = b.map(str)
    assert b.map_partitions(lambda p, q: list(zip(p, q)), other).compute() == [(x, str(x)) for x in DATA]


def test_str_accessor():
    b = sb.from_sequence(WORDS, npartitions=3)
    assert b.str.lower().compute() == [w.lower() for w in WORDS]
    assert b.str.upper().distinct().count().compute() == len({w.upper() for w in WORDS})
    assert b.str.match("*o*").compute() == [w for w in WORDS if "o" in w]
    assert b.str.split("a").compute() == [w.split("a") for w in WORDS]
    assert b.str.startswith("b").compute() == [w.startswith("b") for w in WORDS]
    assert b.str.strip("e").compute() == [w.strip("e") for w in WORDS]
    assert b.str.replace("b", "B").compute() == [w.replace("b", "B") for w in WORDS]


def test_word_count_idiom():
    text = ["the cat sat", "on the mat", "the end"]
    b = sb.from_sequence(text, npartitions=2)
    counts = b.str.split().flatten().frequencies(sort=True).compute()
    expected = Counter(w for line in text for w in line.split())
    assert counts[0] == ("the", 3)
    assert dict(counts) == expected
    assert [c for _, c in counts] == sorted(expected.values(), reverse=True)


# -- reductions ---------------------------------------------------------------------------------
@pytest.mark.parametrize("split_every", [None, 2, 3])
def test_numeric_reductions(split_every):
    b = sb.from_sequence(DATA, npartitions=10)
    assert b.count(split_every=split_every).compute() == len(DATA)
    assert b.sum(split_every=split_every).compute() == sum(DATA)
    assert b.min(split_every=split_every).compute() == min(DATA)
    assert b.max(split_every=split_every).compute() == max(DATA)
    assert b.any(split_every=split_every).compute() is True
    assert b.all(split_every=split_every).compute() is True
    assert b.map(lambda x: x - 1).all(split_every=split_every).compute() is False


def test_moments():
    data = [random.Random(1).gauss(5, 2) for _ in range(200)]
    b = sb.from_sequence(data, npartitions=7)
    assert b.mean().compute() == pytest.approx(statistics.fmean(data))
    assert b.var().compute() == pytest.approx(statistics.pvariance(data))
    assert b.var(ddof=1).compute() == pytest.approx(statistics.variance(data))
    assert b.std().compute() == pytest.approx(statistics.pstdev(data))
    assert b.std(ddof=1).compute() == pytest.approx(statistics.stdev(data))


def test_min_max_of_strings_and_tuples():
    b = sb.from_sequence(WORDS, npartitions=3)
    assert b.min().compute() == min(WORDS)
    assert b.max().compute() == max(WORDS)
    t = sb.from_sequence([(len(w), w) for w in WORDS], npartitions=4)
    assert t.max().compute() == max((len(w), w) for w in WORDS)


def test_fold():
    b = sb.from_sequence(DATA, npartitions=6)
    assert b.fold(operator.add).compute() == sum(DATA)
    assert b.fold(operator.add, initial=0).compute() == sum(DATA)
    assert b.fold(lambda acc, x: acc | {x % 7}, set.union, initial=set()).compute() == {
        x % 7 for x in DATA}
    assert b.fold(max, split_every=2).compute() == max(DATA)
    # per partition: (count, total), combined with element-wise addition
    pair = b.fold(lambda acc, x: (acc[0] + 1, acc[1] + x),
                  lambda a, c: (a[0] + c[0], a[1] + c[1]), initial=(0, 0)).compute()
    assert pair == (len(DATA), sum(DATA))


def test_reduction():
    b = sb.from_sequence(DATA, npartitions=9)
    assert b.reduction(sum, sum).compute() == sum(DATA)
    assert b.reduction(len, sum, split_every=2).compute() == len(DATA)
    assert b.reduction(max, max, name="biggest").compute() == max(DATA)
    as_bag = b.reduction(lambda p: [max(p)], lambda rs: [max(x for r in rs for x in r)], out_type=Bag)
    assert isinstance(as_bag, Bag)
    assert as_bag.compute() == [max(DATA)]


def test_frequencies_topk_distinct():
    b = sb.from_sequence(WORDS, npartitions=3)
    freqs = b.frequencies().compute()
    assert dict(freqs) == Counter(WORDS)
    assert b.frequencies(sort=True).compute()[0] == ("bob", 2)
    assert b.distinct().compute() == list(dict.fromkeys(WORDS))
    assert sorted(b.distinct(key=str.lower).map(str.lower).compute()) == sorted({w.lower() for w in WORDS})
    nums = sb.from_sequence(DATA, npartitions=5)
    assert nums.topk(5).compute() == sorted(DATA, reverse=True)[:5]
    assert nums.topk(3, key=lambda x: -x).compute() == [1, 2, 3]
    pairs = sb.from_sequence([(w, len(w)) for w in WORDS], npartitions=2)
    assert pairs.topk(2, key=1).compute() == sorted([(w, len(w)) for w in WORDS],
                                                    key=lambda p: p[1], reverse=True)[:2]


def test_distinct_by_key_name():
    b = sb.from_sequence(PEOPLE, npartitions=2)
    assert sorted(p["age"] for p in b.distinct(key="age").compute()) == sorted({p["age"] for p in PEOPLE})


def test_foldby():
    b = sb.from_sequence(DATA, npartitions=6)
    got = dict(b.foldby(lambda x: x % 3, operator.add).compute())
    expected = defaultdict(int)
    for x in DATA:
        expected[x % 3] += x
    assert got == expected
    counts = dict(b.foldby(lambda x: x % 3, lambda acc, _: acc + 1, 0, operator.add, 0).compute())
    assert counts == Counter(x % 3 for x in DATA)
    people = sb.from_sequence(PEOPLE, npartitions=3)
    oldest = dict(people.foldby("city", lambda acc, p: max(acc, p["age"]), 0, max).compute())
    assert oldest == {"Paris": 35, "Berlin": 41, "Rome": 25}
    names = dict(people.foldby(key="city", binop=lambda acc, p: acc + [p["name"]], initial=[],
                               combine=operator.add, combine_initial=[], split_every=2).compute())
    assert {k: sorted(v) for k, v in names.items()} == {
        "Paris": ["Alice", "Charlie"], "Berlin": ["Bob", "Eve"], "Rome": ["Dave"]}


def test_groupby():
    b = sb.from_sequence(DATA, npartitions=5)
    groups = {k: sorted(v) for k, v in b.groupby(lambda x: x % 4).compute()}
    assert groups == {r: [x for x in DATA if x % 4 == r] for r in range(4)}
    assert b.groupby(lambda x: x % 4, npartitions=2).npartitions == 2
    people = sb.from_sequence(PEOPLE, npartitions=2)
    by_city = {k: sorted(p["name"] for p in v) for k, v in people.groupby("city").compute()}
    assert by_city == {"Paris": ["Alice", "Charlie"], "Berlin": ["Bob", "Eve"], "Rome": ["Dave"]}
    tasks = {k: sorted(v) for k, v in b.groupby(lambda x: x % 4, shuffle="tasks").compute()}
    assert tasks == groups
    positional = b.groupby(lambda x: x % 4, "disk", 3)  # Dask's order: grouper, method, npartitions
    assert positional.npartitions == 3
    assert {k: sorted(v) for k, v in positional.compute()} == groups
    counted = b.groupby(lambda x: x % 4).starmap(lambda k, v: (k, len(v))).compute()
    assert dict(counted) == {r: len(groups[r]) for r in range(4)}


def test_join_and_product():
    people = sb.from_sequence(["Alice", "Bob", "Charlie"], npartitions=2)
    fruit = ["Apple", "Apricot", "Banana"]
    assert sorted(people.join(fruit, lambda x: x[0]).compute()) == [
        ("Apple", "Alice"), ("Apricot", "Alice"), ("Banana", "Bob")]
    by_age = sb.from_sequence(PEOPLE, npartitions=2)
    ages = [(25, "young"), (35, "middle")]
    joined = by_age.join(ages, on_self=lambda p: p["age"], on_other=lambda a: a[0]).compute()
    assert sorted((a[1], p["name"]) for a, p in joined) == [
        ("middle", "Charlie"), ("young", "Bob"), ("young", "Dave")]
    a = sb.from_sequence([1, 2, 3], npartitions=2)
    c = sb.from_sequence("xy", npartitions=2)
    assert sorted(a.product(c).compute()) == sorted(itertools.product([1, 2, 3], "xy"))


def test_accumulate():
    b = sb.from_sequence([1, 2, 3, 4, 5], npartitions=2)
    assert b.accumulate(operator.add).compute() == [1, 3, 6, 10, 15]
    assert b.accumulate(operator.add, initial=-1).compute() == [-1, 0, 2, 5, 9, 14]


def test_take():
    b = sb.from_sequence(DATA, npartitions=10)
    assert b.take(3) == (1, 2, 3)
    assert isinstance(b.take(3), tuple)
    with pytest.warns(UserWarning):
        assert b.take(15) == tuple(DATA[:10])
    assert b.take(15, npartitions=2) == tuple(DATA[:15])
    assert b.take(35, npartitions=-1) == tuple(DATA[:35])
    lazy = b.take(2, compute=False)
    assert lazy.compute() == [1, 2]


def test_random_sample_and_choices():
    b = sb.from_sequence(DATA, npartitions=5)
    sample = sb.random.sample(b, 10).compute()
    assert len(sample) == 10 and len(set(sample)) == 10 and set(sample) <= set(DATA)
    picks = sb.random.choices(b, k=30).compute()
    assert len(picks) == 30 and set(picks) <= set(DATA)
    assert sb.random.choices(b).count().compute() == 1
    kept = b.random_sample(0.5, random_state=4).compute()
    assert kept == b.random_sample(0.5, random_state=4).compute()
    assert set(kept) <= set(DATA) and 20 < len(kept) < 80
    seeded = [b.random_sample(0.5, random_state=random.Random(9)).compute() for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_repartition():
    b = sb.from_sequence(DATA, npartitions=10)
    for n in (1, 3, 10, 17):
        r = b.repartition(n)
        assert r.npartitions == n
        assert r.compute() == DATA
    fewer = b.repartition(npartitions=2)
    assert fewer.npartitions == 2
    sized = b.repartition(partition_size="1 kB")
    assert sorted(sized.compute()) == DATA
    # an int partition_size is a number of bytes, as in Dask: ~28 bytes per small int
    by_bytes = b.repartition(partition_size=280)
    assert by_bytes.npartitions == 10
    assert by_bytes.compute() == DATA


def test_zip_and_concat():
    a = sb.from_sequence(DATA, npartitions=4)
    b = a.map(str)
    assert sb.zip(a, b).compute() == [(x, str(x)) for x in DATA]
    c = sb.concat([a, sb.from_sequence("xyz", npartitions=1)])
    assert c.npartitions == 5
    assert c.compute() == DATA + list("xyz")


# -- Items, compute, persist, delayed ------------------------------------------------------------
def test_items_behave_like_delayed_values():
    b = sb.from_sequence(DATA, npartitions=4)
    total, n = b.sum(), b.count()
    assert isinstance(total, Item)
    assert (total / n).compute() == pytest.approx(statistics.fmean(DATA))
    assert (total + 1).compute() == sum(DATA) + 1
    assert (1 - n).compute() == 1 - len(DATA)
    assert total.apply(math.sqrt).compute() == pytest.approx(math.sqrt(sum(DATA)))
    assert b.frequencies().count().compute() == len(DATA)
    assert b.map(lambda x, m: x - m, b.mean()).sum().compute() == pytest.approx(0)
    d = total.to_delayed()
    assert d.compute() == sum(DATA)
    assert Item.from_delayed(delayed(7)).compute() == 7


def test_shoal_compute_several_collections():
    b = sb.from_sequence(DATA, npartitions=4)
    evens = b.filter(lambda x: x % 2 == 0)
    got_bag, got_sum, got_max = shoal.compute(evens, evens.sum(), b.max())
    assert got_bag == [x for x in DATA if x % 2 == 0]
    assert got_sum == sum(got_bag)
    assert got_max == max(DATA)
    assert shoal.compute(b.count(), scheduler="sync") == (len(DATA),)


def test_persist_and_iterate():
    b = sb.from_sequence(DATA, npartitions=4).map(lambda x: x + 1)
    p = b.persist()
    assert p.npartitions == 4
    assert p.compute() == [x + 1 for x in DATA]
    assert list(b) == [x + 1 for x in DATA]
    assert b.sum().persist().compute() == sum(DATA) + len(DATA)


def test_persisted_bag_feeds_later_steps_on_processes():
    p = sb.from_sequence(range(20), npartitions=4).map(lambda x: x * 2).persist(scheduler="processes")
    assert p.map(lambda x: x + 1).sum().compute(scheduler="processes") == sum(x * 2 + 1 for x in range(20))
    assert sb.zip(p, p.map(str)).compute(scheduler="processes")[:2] == [(0, "0"), (2, "2")]
    assert p.repartition(2).compute(scheduler="processes") == [x * 2 for x in range(20)]
    assert shoal.compute(p.count(), p.max(), scheduler="processes") == (20, 38)


def test_to_delayed():
    b = sb.from_sequence(DATA, npartitions=4).map(lambda x: x * 2)
    parts = b.to_delayed()
    assert len(parts) == 4
    assert [x for p in parts for x in p.compute()] == [x * 2 for x in DATA]
    lengths = [delayed(len)(p) for p in parts]
    assert sum(shoal.compute(*lengths)) == len(DATA)


@pytest.mark.parametrize("scheduler", ["sync", "synchronous", "single-threaded", "threads"])
def test_scheduler_names(scheduler):
    b = sb.from_sequence(DATA, npartitions=4).map(lambda x: x + 1)
    assert b.sum().compute(scheduler=scheduler) == sum(DATA) + len(DATA)
    with shoal.config.set(scheduler=scheduler):
        assert b.count().compute() == len(DATA)


def test_bag_on_processes_and_threads():
    b = sb.from_sequence(DATA, npartitions=4).map(lambda x: x * 3).filter(lambda x: x % 2)
    expected = [x * 3 for x in DATA if (x * 3) % 2]
    assert b.compute(scheduler="processes") == expected
    assert b.compute(scheduler="threads") == expected
    assert b.frequencies().count().compute(scheduler="processes") == len(expected)


def test_to_dataframe():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("shoal.dataframe")
    b = sb.from_sequence(PEOPLE, npartitions=2).map(lambda p: {"name": p["name"], "age": p["age"]})
    df = b.to_dataframe()
    expected = pd.DataFrame([{"name": p["name"], "age": p["age"]} for p in PEOPLE])
    got = df.compute()
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    balances = sb.from_sequence([{"name": "Alice", "balance": 100}, {"name": "Bob", "balance": 200},
                                 {"name": "Charlie", "balance": 300}], npartitions=2).to_dataframe()
    assert list(balances.compute().index) == [0, 1, 0]  # each partition keeps its own index
    assert balances.balance.sum().compute() == 600
    t = sb.from_sequence([(1, "a"), (2, "b")], npartitions=1).to_dataframe(columns=["n", "s"])
    assert list(t.compute()["n"]) == [1, 2]
    typed = b.to_dataframe(meta={"name": str, "age": "float64"}).compute()
    assert typed["age"].dtype == "float64"
    assert list(typed["age"]) == [float(p["age"]) for p in PEOPLE]


# -- errors --------------------------------------------------------------------------------------
def test_errors_keep_their_type_and_say_where():
    b = sb.from_sequence([1, 2, 0, 4], npartitions=2).map(lambda x: 1 / x)
    with pytest.raises(ZeroDivisionError) as info:
        b.compute()
    assert any("partition 1" in n for n in getattr(info.value, "__notes__", []))


def test_bad_json_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"a": 1}\n{"a": 2}\nnot json\n')
    with pytest.raises(json.JSONDecodeError) as info:
        sb.read_text(str(path)).map(json.loads).compute()
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "line 3" in notes and "bad.json" in notes


def test_bad_arguments_are_reported():
    b = sb.from_sequence(DATA, npartitions=2)
    with pytest.raises(ValueError):
        b.repartition()
    with pytest.raises(ValueError):
        b.take(1, npartitions=5)
    with pytest.raises(ValueError):
        sb.zip(b, sb.from_sequence(DATA, npartitions=3))
    with pytest.raises(ValueError):
        sb.from_sequence([]).mean().compute()


def test_reduce_functools_equivalence():
    b = sb.from_sequence(WORDS, npartitions=3)
    assert b.fold(lambda a, w: a + len(w), operator.add, initial=0).compute() == functools.reduce(
        lambda a, w: a + len(w), WORDS, 0)
