"""The rest of the Dask dataframe API surface users reach for, each against pandas."""
import io

import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def mixed():
    rng = np.random.default_rng(4)
    n = 60
    p = pd.DataFrame({"a": rng.integers(0, 5, n), "b": rng.normal(size=n),
                      "s": rng.choice(["x", "y", "z"], n), "l": [[1, 2], [3], [], [4, 5, 6]] * 15},
                     index=pd.Index(np.arange(n) * 2, name="idx"))
    p.loc[p.index[::6], "b"] = np.nan
    return p


def test_groupby_ngroup(mixed, partition, kind):
    df = partition(mixed, kind)
    assert_eq(df.groupby("a").ngroup(), mixed.groupby("a").ngroup(), check_divisions=False)
    assert_eq(df.groupby(["a", "s"]).ngroup(ascending=False),
              mixed.groupby(["a", "s"]).ngroup(ascending=False), check_divisions=False)
    assert_eq(df.groupby(df.a * 2).ngroup(), mixed.groupby(mixed.a * 2).ngroup(),
              check_divisions=False)


def test_groupby_per_group_methods(mixed, partition, kind):
    df = partition(mixed, kind)
    gb, pgb = df.groupby("a"), mixed.groupby("a")
    assert_eq(gb.b.nlargest(2), pgb.b.nlargest(2))
    assert_eq(gb.b.nsmallest(3), pgb.b.nsmallest(3))
    assert_eq(gb.b.describe(), pgb.b.describe())
    assert_eq(gb.b.ewm(com=1).mean(), pgb.b.ewm(com=1).mean())
    assert_eq(gb.b.expanding().sum(), pgb.b.expanding().sum())


def test_explode_combine_first_squeeze(mixed, partition, kind):
    df = partition(mixed, kind)
    assert_eq(df.l.explode(), mixed.l.explode())
    assert_eq(df.explode("l"), mixed.explode("l"))
    assert_eq(df.b.combine_first(df.a.astype(float)), mixed.b.combine_first(mixed.a.astype(float)))
    assert_eq(df[["b"]].squeeze(), mixed[["b"]].squeeze())
    assert df.squeeze() is df


def test_align(mixed):
    left = sd.from_pandas(mixed[["a", "b"]].iloc[:40], npartitions=3)
    right = sd.from_pandas(mixed[["b", "s"]].iloc[20:], npartitions=2)
    for join in ("outer", "inner", "left"):
        a, b = left.align(right, join=join)
        pa, pb = mixed[["a", "b"]].iloc[:40].align(mixed[["b", "s"]].iloc[20:], join=join)
        assert_eq(a, pa, check_divisions=False)
        assert_eq(b, pb, check_divisions=False)


def test_monotonic(partition, kind):
    p = pd.Series(np.arange(50) // 3, index=pd.Index(np.arange(50) * 2, name="idx"))
    s = partition(p.to_frame("v"), kind).v
    assert s.is_monotonic_increasing.compute() is True
    assert s.is_monotonic_decreasing.compute() is False
    assert (-s).is_monotonic_decreasing.compute() is True
    bumpy = partition(p.where(p.index != 40, 100).to_frame("v"), kind).v
    assert bumpy.is_monotonic_increasing.compute() is False
    assert s.index.is_monotonic_increasing.compute() is True


def test_series_corr_cov(mixed, partition, kind):
    df = partition(mixed, kind)
    assert np.isclose(df.a.corr(df.b).compute(), mixed.a.corr(mixed.b))
    assert np.isclose(df.a.cov(df.b).compute(), mixed.a.cov(mixed.b))


def test_random_split(mixed, partition, kind):
    df = partition(mixed[["a", "b"]], kind)
    pieces = df.random_split([0.25, 0.75], random_state=3)
    parts = [p.compute() for p in pieces]
    assert sum(len(p) for p in parts) == len(mixed)
    assert_eq(pd.concat(parts).sort_index(), mixed[["a", "b"]])
    again = [p.compute() for p in df.random_split([0.25, 0.75], random_state=3)]
    assert all(a.equals(b) for a, b in zip(parts, again))
    with pytest.raises(ValueError, match="sum to 1"):
        df.random_split([0.5, 0.6])


def test_frame_extras(mixed):
    df = sd.from_pandas(mixed, npartitions=3)
    assert_eq(df.add_prefix("p_"), mixed.add_prefix("p_"))
    assert_eq(df.add_suffix("_q"), mixed.add_suffix("_q"))
    assert list(df.keys()) == list(mixed.keys())
    assert list(df[["a", "s"]].itertuples()) == list(mixed[["a", "s"]].itertuples())


def test_to_timedelta_and_module_functions(mixed):
    df = sd.from_pandas(mixed, npartitions=3)
    assert_eq(sd.to_timedelta(df.a, unit="s"), pd.to_timedelta(mixed.a, unit="s"))
    text = df.a.astype(str) + " min"
    assert_eq(sd.to_timedelta(text), pd.to_timedelta(mixed.a.astype(str) + " min"))
    assert sd.repartition(df, npartitions=1).npartitions == 1


def test_from_map():
    def load(i, scale, offset=0):
        return pd.DataFrame({"x": [i * scale + offset] * 3, "i": [i] * 3})

    df = sd.from_map(load, [1, 2, 3], args=(10,), offset=1)
    assert df.npartitions == 3
    expected = pd.concat([load(i, 10, offset=1) for i in (1, 2, 3)])
    assert_eq(df, expected, check_index=False)
    with pytest.raises(ValueError, match="equal length"):
        sd.from_map(load, [1, 2], [1])


def test_to_bag(mixed):
    df = sd.from_pandas(mixed[["a", "s"]], npartitions=3)
    rows = df.to_bag().compute(scheduler="sync")
    assert rows == list(mixed[["a", "s"]].itertuples(index=False, name=None))
    dicts = df.to_bag(format="dict").compute(scheduler="sync")
    assert dicts == mixed[["a", "s"]].to_dict(orient="records")


def test_info(mixed):
    df = sd.from_pandas(mixed[["a", "b", "s"]], npartitions=3)
    buf = io.StringIO()
    df.info(buf=buf)
    assert "Columns: 3 entries, a to s" in buf.getvalue()
    buf = io.StringIO()
    df.info(buf=buf, verbose=True, memory_usage=True)
    text = buf.getvalue()
    assert f"Index: {len(mixed)} entries, 0 to {mixed.index[-1]}" in text
    assert f"{mixed.b.count()} non-null" in text and "memory usage" in text


@pytest.mark.parametrize("split_out", [1, 2, True])
def test_drop_duplicates_split_out(mixed, partition, kind, split_out):
    df = partition(mixed[["a", "s"]], kind)
    out = df.drop_duplicates(subset=["a"], keep="last", split_out=split_out)
    assert out.npartitions == (df.npartitions if split_out is True else split_out)
    assert_eq(out, mixed[["a", "s"]].drop_duplicates(subset=["a"], keep="last"),
              check_divisions=False)
    assert_eq(df.drop_duplicates(split_out=split_out), mixed[["a", "s"]].drop_duplicates(),
              check_divisions=False)


def test_pop_melt_isna(mixed):
    df = sd.from_pandas(mixed[["a", "b", "s"]], npartitions=3)
    popped = df.pop("s")
    assert list(df.columns) == ["a", "b"]
    assert_eq(popped, mixed.s)
    assert_eq(sd.melt(df, id_vars="a"), pd.melt(mixed[["a", "b"]], id_vars="a"), check_index=False)
    assert_eq(sd.isna(df.b), pd.isna(mixed.b))
    assert sd.isna(None)


def test_series_sort_values_and_current_divisions(mixed, partition, kind):
    df = partition(mixed, kind)
    assert_eq(df.b.sort_values(), mixed.b.sort_values(), sort_results=False, check_divisions=False)
    # ties in a may come in any order: compare the values
    assert_eq(df.a.sort_values(ascending=False), mixed.a.sort_values(ascending=False),
              check_index=False, check_divisions=False, sort_results=False)
    unknown = sd.from_pandas(mixed, npartitions=3).clear_divisions()
    assert unknown.compute_current_divisions() == sd.from_pandas(mixed, npartitions=3).divisions
    with pytest.raises(ValueError, match="not sorted"):
        unknown.compute_current_divisions(col="b")
