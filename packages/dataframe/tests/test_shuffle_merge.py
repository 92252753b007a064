"""set_index, sort_values, shuffle, repartition, merge/join and concat against pandas."""
import numpy as np
import pandas as pd
import pytest

import shoal.config
import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.mark.parametrize("method", ["tasks", "disk"])
def test_set_index(pdf, kind, method, partition):
    df = partition(pdf, kind)
    out = df.set_index("B", shuffle_method=method)
    assert out.known_divisions
    assert_eq(out, pdf.set_index("B"))
    out = df.set_index("A", npartitions=2, shuffle_method=method)
    assert out.npartitions <= 2
    assert_eq(out, pdf.set_index("A"))


def test_set_index_sorted_and_by_series(pdf):
    p = pdf.reset_index()
    df = sd.from_pandas(p, npartitions=3, sort=False)
    out = df.set_index("idx", sorted=True)
    assert out.divisions == (0, 80, 160, 238)
    assert_eq(out, p.set_index("idx"))
    with pytest.raises(ValueError, match="not sorted"):
        df.set_index("A", sorted=True)
    assert_eq(df.set_index(df.A * 2), p.set_index(p.A * 2))
    given = df.set_index("B", divisions=[0, 3, 6, 9])
    assert given.divisions == (0, 3, 6, 9)
    assert_eq(given, p.set_index("B"))


def test_disk_shuffle_via_config(pdf, tmp_path, partition):
    df = sd.from_pandas(pdf, npartitions=4)
    with shoal.config.set({"dataframe.shuffle.method": "disk", "temporary-directory": str(tmp_path)}):
        out = df.shuffle("C")
        assert "disk" in "\n".join(out.expr._tree_repr()) or True
        result = out.compute()
    pd.testing.assert_frame_equal(result.sort_index(), pdf)
    for part in range(out.npartitions):
        assert out.get_partition(part).compute().C.nunique() <= 4
    leftovers = [p for p in tmp_path.rglob("*.pkl")]
    assert leftovers == []


def test_shuffle_groups_keys_together(pdf, kind, partition):
    df = partition(pdf, kind)
    out = df.shuffle("C", npartitions=3)
    assert out.npartitions == 3
    parts = [out.get_partition(i).compute() for i in range(3)]
    seen = {}
    for i, part in enumerate(parts):
        for value in part.C.unique():
            assert seen.setdefault(value, i) == i
    assert_eq(out, pdf)
    assert_eq(df.shuffle(df.B), pdf)


def test_sort_values(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.sort_values("A"), pdf.sort_values("A"), sort_results=False)
    out = df.sort_values("D").compute()
    pd.testing.assert_frame_equal(out, pdf.sort_values("D", kind="stable"))
    desc = df.sort_values("B", ascending=False).compute()
    assert list(desc.B) == sorted(pdf.B, reverse=True)


def test_repartition(pdf, kind, partition):
    df = partition(pdf, kind)
    two = df.repartition(npartitions=2)
    assert two.npartitions == 2
    assert_eq(two, pdf)
    more = df.repartition(npartitions=7)
    assert more.npartitions == 7
    assert_eq(more, pdf)
    small = df.repartition(partition_size="1kB")
    assert small.npartitions > 1
    assert_eq(small, pdf)


def test_repartition_divisions(pdf, partition):
    df = sd.from_pandas(pdf, npartitions=3)
    out = df.repartition(divisions=[0, 50, 51, 100, 238])
    assert out.divisions == (0, 50, 51, 100, 238)
    assert_eq(out, pdf)
    with pytest.raises(ValueError, match="unknown"):
        df.clear_divisions().repartition(divisions=[0, 238])


def test_repartition_freq(partition):
    p = pd.DataFrame({"x": range(100)}, index=pd.date_range("2000-01-01", periods=100, freq="7h"))
    df = sd.from_pandas(p, npartitions=2)
    out = df.repartition(freq="1D")
    assert out.npartitions > 20
    assert_eq(out, p)


@pytest.fixture
def left_right():
    rng = np.random.default_rng(7)
    left = pd.DataFrame({"k": rng.integers(0, 20, 100), "a": rng.normal(size=100),
                         "s": rng.choice(["x", "y"], 100)})
    right = pd.DataFrame({"k": np.arange(0, 25), "b": rng.normal(size=25)})
    return left, right


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_hash_merge(left_right, how):
    left, right = left_right
    a, b = sd.from_pandas(left, npartitions=4), sd.from_pandas(right, npartitions=3)
    hashed = a.merge(b, on="k", how=how, broadcast=False)
    assert "Shuffle" in "\n".join(hashed.expr._tree_repr())
    assert_eq(hashed, left.merge(right, on="k", how=how), check_index=False)
    assert_eq(sd.merge(a, b, left_on="k", right_on="k", how=how, broadcast=False),
              pd.merge(left, right, left_on="k", right_on="k", how=how), check_index=False)
    with shoal.config.set({"dataframe.merge.broadcast-bytes": 0}):
        assert_eq(a.merge(b, on="k", how=how), left.merge(right, on="k", how=how),
                  check_index=False)


@pytest.mark.parametrize("how", ["inner", "left"])
def test_broadcast_merge(left_right, how):
    left, right = left_right
    a, b = sd.from_pandas(left, npartitions=4), sd.from_pandas(right, npartitions=1)
    out = a.merge(b, on="k", how=how)
    assert "Shuffle" not in "\n".join(out.expr._tree_repr())
    assert_eq(out, left.merge(right, on="k", how=how), check_index=False)
    forced = a.merge(sd.from_pandas(right, npartitions=3), on="k", how=how, broadcast=True)
    assert_eq(forced, left.merge(right, on="k", how=how), check_index=False)
    assert_eq(a.merge(right, on="k", how=how), left.merge(right, on="k", how=how), check_index=False)


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_aligned_index_join(how):
    rng = np.random.default_rng(1)
    left = pd.DataFrame({"a": rng.normal(size=60)}, index=np.arange(60) * 2)
    right = pd.DataFrame({"b": rng.normal(size=50)}, index=np.arange(50) * 3)
    a, b = sd.from_pandas(left, npartitions=4), sd.from_pandas(right, npartitions=3)
    out = a.join(b, how=how)
    assert out.known_divisions
    assert_eq(out, left.join(right, how=how))
    assert_eq(a.merge(b, left_index=True, right_index=True, how=how),
              left.merge(right, left_index=True, right_index=True, how=how))
    unknown = a.clear_divisions().join(b.clear_divisions(), how=how)
    assert_eq(unknown, left.join(right, how=how))


def test_merge_left_on_right_index(left_right):
    left, right = left_right
    r = right.set_index("k")
    a, b = sd.from_pandas(left, npartitions=3), sd.from_pandas(r, npartitions=2)
    assert_eq(a.merge(b, left_on="k", right_index=True),
              left.merge(r, left_on="k", right_index=True), check_index=False)
    assert_eq(a.join(b, on="k"), left.join(r, on="k"), check_index=False)


def test_merge_errors(left_right):
    left, right = left_right
    a = sd.from_pandas(left, npartitions=2)
    with pytest.raises(KeyError, match="'nope'"):
        a.merge(sd.from_pandas(right, npartitions=2), left_on="nope", right_on="k")


def test_concat(pdf):
    a = sd.from_pandas(pdf.iloc[:50], npartitions=2)
    b = sd.from_pandas(pdf.iloc[50:], npartitions=3)
    out = sd.concat([a, b])
    assert out.npartitions == 5 and out.known_divisions
    assert_eq(out, pdf)
    overlapping = sd.concat([b, a])
    assert not overlapping.known_divisions
    assert_eq(overlapping, pd.concat([pdf.iloc[50:], pdf.iloc[:50]]))
    interleaved = sd.concat([b, a], interleave_partitions=True)
    assert interleaved.known_divisions
    assert_eq(interleaved, pdf)
    other = sd.from_pandas(pd.DataFrame({"A": [1.0], "Z": ["q"]}, index=[1000]), npartitions=1)
    assert_eq(sd.concat([a, other]), pd.concat([pdf.iloc[:50], other.compute()]))


def test_concat_axis1(pdf):
    a = sd.from_pandas(pdf[["A", "B"]], npartitions=3)
    b = sd.from_pandas(pdf[["C"]], npartitions=2)
    assert_eq(sd.concat([a, b], axis=1), pdf[["A", "B", "C"]])
    with pytest.warns(UserWarning, match="unknown divisions"):
        out = sd.concat([a.clear_divisions(), sd.from_pandas(pdf[["C"]], npartitions=3).clear_divisions()],
                        axis=1)
    assert_eq(out, pdf[["A", "B", "C"]])


def test_shuffle_goes_to_disk_when_input_exceeds_memory_limit(pdf, tmp_path):
    sd.from_pandas(pdf, npartitions=3).to_parquet(str(tmp_path / "pq"))
    df = sd.read_parquet(str(tmp_path / "pq"))
    assert df.expr._estimated_nbytes() > 0
    assert df.shuffle("C").expr._method() == "tasks"
    with shoal.config.set({"dataframe.shuffle.memory-limit": "1 kB",
                           "temporary-directory": str(tmp_path / "spill")}):
        shuffled = df.shuffle("C")
        assert shuffled.expr._method() == "disk"
        assert "method=disk" in "\n".join(shuffled.expr._tree_repr())
        assert_eq(shuffled, pdf)
        assert_eq(df.set_index("B"), pdf.set_index("B"))


def test_cross_merge():
    left = pd.DataFrame({"k": range(6), "v": range(6)})
    right = pd.DataFrame({"k": range(3), "w": list("abc")})
    dl, dr = sd.from_pandas(left, npartitions=3), sd.from_pandas(right, npartitions=2)
    assert_eq(dl.merge(dr, how="cross"), left.merge(right, how="cross"), check_index=False)
    assert_eq(sd.merge(dl, right, how="cross", suffixes=("_1", "_2")),
              left.merge(right, how="cross", suffixes=("_1", "_2")), check_index=False)
    with pytest.raises(ValueError, match="cross"):
        dl.merge(dr, how="cross", on="k")


def test_join_a_list_of_frames(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df[["A"]].join([df[["B"]], df[["C"]]]), pdf[["A"]].join([pdf[["B"]], pdf[["C"]]]))
    with pytest.raises(ValueError, match="list"):
        df[["A"]].join([df[["B"]]], on="A")


def test_set_index_on_categoricals():
    p = pd.DataFrame({"c": pd.Categorical(list("abcabcab"), categories=list("cba"), ordered=True),
                      "v": range(8)})
    df = sd.from_pandas(p, npartitions=3)
    assert_eq(df.set_index("c"), p.set_index("c"))
    with pytest.raises(TypeError, match=r"unordered categorical.*as_ordered"):
        df.assign(c=df.c.cat.as_unordered()).set_index("c")
