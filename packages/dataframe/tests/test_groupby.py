"""groupby against pandas: keys of every kind, aggregations, shuffle-based apply/transform."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.mark.parametrize("how", ["sum", "mean", "count", "min", "max", "size", "var", "std",
                                 "first", "last", "prod", "sem"])
def test_groupby_reductions(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.groupby("C").A, how)(), getattr(pdf.groupby("C").A, how)())
    assert_eq(getattr(df.groupby("C")[["A", "D"]], how)(),
              getattr(pdf.groupby("C")[["A", "D"]], how)())
    assert_eq(getattr(df.groupby(["C", "B"]).D, how)(), getattr(pdf.groupby(["C", "B"]).D, how)())


def test_groupby_whole_frame(pdf, kind, partition):
    df = partition(pdf, kind)
    num = df[["A", "B", "D"]]
    pnum = pdf[["A", "B", "D"]]
    assert_eq(num.groupby("B").sum(), pnum.groupby("B").sum())
    assert_eq(num.groupby("B").mean(), pnum.groupby("B").mean())
    assert_eq(df.groupby("C").size(), pdf.groupby("C").size())
    assert_eq(df.groupby("C").count(), pdf.groupby("C").count())
    assert_eq(df.groupby("C").var(ddof=0), pdf.groupby("C").var(ddof=0, numeric_only=True))


def test_groupby_series_and_function_keys(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby(df.A // 0.5).B.sum(), pdf.groupby(pdf.A // 0.5).B.sum())
    assert_eq(df.groupby(df.B % 3).A.mean(), pdf.groupby(pdf.B % 3).A.mean())
    assert_eq(df.groupby([df.C, df.B > 4]).A.max(), pdf.groupby([pdf.C, pdf.B > 4]).A.max())
    assert_eq(df.A.groupby(df.C).sum(), pdf.A.groupby(pdf.C).sum())


def test_groupby_index_level(pdf):
    p = pdf.set_index("C", append=False)
    df = sd.from_pandas(p, npartitions=3, sort=False)
    assert_eq(df.groupby(level=0).A.sum(), p.groupby(level=0).A.sum())
    assert_eq(df.groupby("C").B.max(), p.groupby("C").B.max())


def test_groupby_agg_forms(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").agg({"A": "max", "D": "mean"}), pdf.groupby("C").agg({"A": "max", "D": "mean"}))
    assert_eq(df.groupby("C").agg({"A": ["min", "max"], "B": "sum"}),
              pdf.groupby("C").agg({"A": ["min", "max"], "B": "sum"}))
    assert_eq(df.groupby("C")[["A", "B"]].agg(["sum", "mean", "std"]),
              pdf.groupby("C")[["A", "B"]].agg(["sum", "mean", "std"]))
    assert_eq(df.groupby("C").A.agg(["sum", "count"]), pdf.groupby("C").A.agg(["sum", "count"]))
    assert_eq(df.groupby("C").agg(total=("A", "sum"), most=("B", "max"), avg=("A", "mean")),
              pdf.groupby("C").agg(total=("A", "sum"), most=("B", "max"), avg=("A", "mean")))
    assert_eq(df.groupby("C").A.agg("median"), pdf.groupby("C").A.agg("median"))


def test_groupby_var_is_exact():
    rng = np.random.default_rng(5)
    p = pd.DataFrame({"g": rng.integers(0, 3, 3000), "x": 1e8 + rng.normal(size=3000)})
    df = sd.from_pandas(p, npartitions=7)
    np.testing.assert_allclose(df.groupby("g").x.var().compute().values,
                               p.groupby("g").x.var().values, rtol=1e-6)


def test_groupby_nunique_first_last_sort(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").B.nunique(), pdf.groupby("C").B.nunique())
    assert_eq(df.groupby("B").C.first(), pdf.groupby("B").C.first())
    assert_eq(df.groupby("B").C.last(), pdf.groupby("B").C.last())
    unsorted = df.groupby("C", sort=False).A.sum().compute()
    assert set(unsorted.index) == set(pdf.C)
    sorted_ = df.groupby("C").A.sum().compute()
    assert list(sorted_.index) == sorted(sorted_.index)


def test_groupby_dropna_and_as_index(pdf):
    p = pdf.assign(K=pdf.B.where(pdf.B > 2))
    df = sd.from_pandas(p, npartitions=3)
    assert_eq(df.groupby("K").A.sum(), p.groupby("K").A.sum())
    assert_eq(df.groupby("K", dropna=False).A.sum(), p.groupby("K", dropna=False).A.sum())
    assert_eq(df.groupby("C", as_index=False).A.sum(), p.groupby("C", as_index=False).A.sum(),
              check_index=False)


def test_groupby_split_out(pdf, kind, partition):
    df = partition(pdf, kind)
    out = df.groupby("B").A.sum(split_out=3)
    assert out.npartitions == 3
    assert_eq(out, pdf.groupby("B").A.sum())
    assert_eq(df.groupby("C").agg({"A": "mean"}, split_out=2), pdf.groupby("C").agg({"A": "mean"}))


def test_groupby_apply_transform(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").apply(lambda g: g.A.max() - g.A.min(), meta=(None, "f8")),
              pdf.groupby("C").apply(lambda g: g.A.max() - g.A.min()))
    assert_eq(df.groupby("C").A.transform(lambda s: s - s.mean()),
              pdf.groupby("C").A.transform(lambda s: s - s.mean()))
    assert_eq(df.groupby(df.B % 2).A.transform("sum"), pdf.groupby(pdf.B % 2).A.transform("sum"))
    with pytest.warns(UserWarning, match="meta="):
        out = df.groupby("C").apply(lambda g: g.B.sum())
    assert_eq(out, pdf.groupby("C").apply(lambda g: g.B.sum()))


def test_groupby_cumulative(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").A.cumsum(), pdf.groupby("C").A.cumsum())
    assert_eq(df.groupby("C").cumcount(), pdf.groupby("C").cumcount())
    assert_eq(df.groupby("C")[["A", "B"]].cumsum(), pdf.groupby("C")[["A", "B"]].cumsum())


def test_groupby_rolling(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.groupby("C").A.rolling(3).sum(), pdf.groupby("C").A.rolling(3).sum())


def test_groupby_missing_key_error(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match="'nope'"):
        df.groupby("nope")
    with pytest.raises(KeyError, match="'zz'"):
        df.groupby("C")["zz"]


def test_timeseries_seed_scenario():
    df = sd.datasets.timeseries(start="2000-01-01", end="2000-01-04", freq="1min", seed=1)
    pdf = df.compute()
    assert df.npartitions == 3 and list(pdf.columns) == ["name", "id", "x", "y"]
    assert_eq(df.groupby("name").agg({"x": "max", "y": "mean"}),
              pdf.groupby("name").agg({"x": "max", "y": "mean"}))
    with pytest.warns(UserWarning, match="meta="):
        df["x2"] = df.x.apply(lambda v: v ** 2)
    pdf["x2"] = pdf.x.apply(lambda v: v ** 2)
    assert_eq(df, pdf)
    assert_eq(df.map_partitions(lambda p: p.x + p.y), pdf.x + pdf.y)


def test_groupby_custom_and_named_series_aggregations(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.groupby("C").A.agg(lambda s: s.max() - s.min()),
              pdf.groupby("C").A.agg(lambda s: s.max() - s.min()))
    assert_eq(df.groupby("C").A.agg(total="sum", top="max"), pdf.groupby("C").A.agg(total="sum", top="max"))
    assert_eq(df.groupby("C").agg({"A": "nunique", "B": "median"}),
              pdf.groupby("C").agg({"A": "nunique", "B": "median"}))


def test_assigning_a_shuffled_result_aligns_on_index(pdf, kind, partition):
    df = partition(pdf, kind)
    out = df.assign(m=df.groupby("C").A.transform("mean"))
    expected = pdf.assign(m=pdf.groupby("C").A.transform("mean"))
    assert_eq(out, expected)
    assert_eq(out[out.A > out.m], expected[expected.A > expected.m])


def test_groupby_per_group_methods(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").A.shift(1), pdf.groupby("C").A.shift(1))
    assert_eq(df.groupby("C").B.diff(), pdf.groupby("C").B.diff())
    assert_eq(df.groupby("C").A.rank(), pdf.groupby("C").A.rank())
    assert_eq(df.groupby("C").head(2), pdf.groupby("C").head(2))
    assert_eq(df.groupby("C").A.idxmax(), pdf.groupby("C").A.idxmax())


def test_groupby_quantile_and_unique_match_pandas():
    rng = np.random.default_rng(1)
    pdf = pd.DataFrame({"k": rng.integers(0, 4, 50), "x": rng.random(50), "y": rng.integers(0, 9, 50)})
    df = sd.from_pandas(pdf, npartitions=5)
    assert_eq(df.groupby("k").x.quantile(0.3), pdf.groupby("k").x.quantile(0.3))
    assert_eq(df.groupby("k").quantile([0.25, 0.75]), pdf.groupby("k").quantile([0.25, 0.75]))
    assert_eq(df.groupby(["k", "y"]).x.quantile(interpolation="lower"),
              pdf.groupby(["k", "y"]).x.quantile(interpolation="lower"))
    got = df.groupby("k").y.unique().compute().sort_index()
    expected = pdf.groupby("k").y.unique()
    assert list(got.index) == list(expected.index)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_groupby_ffill_bfill(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C").D.ffill(), pdf.groupby("C").D.ffill())
    assert_eq(df.groupby("C")[["A", "D"]].bfill(limit=1), pdf.groupby("C")[["A", "D"]].bfill(limit=1))


def test_groupby_cov_corr(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.groupby("C")[["A", "B", "D"]].cov(), pdf.groupby("C")[["A", "B", "D"]].cov())
    assert_eq(df.groupby("C")[["A", "D"]].cov(ddof=0), pdf.groupby("C")[["A", "D"]].cov(ddof=0))
    assert_eq(df.groupby("C")[["A", "B", "D"]].corr(), pdf.groupby("C")[["A", "B", "D"]].corr())


@pytest.mark.parametrize("how", ["cummax", "cummin"])
def test_groupby_cummax_cummin(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.groupby("C").D, how)(), getattr(pdf.groupby("C").D, how)())
    assert_eq(getattr(df.groupby("C")[["A", "D"]], how)(), getattr(pdf.groupby("C")[["A", "D"]], how)())
    assert_eq(getattr(df.groupby(df.B % 3).A, how)(), getattr(pdf.groupby(pdf.B % 3).A, how)())


def test_groupby_reductions_accept_shuffle_method(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.groupby("C").A.sum(split_out=2, shuffle_method="tasks"), pdf.groupby("C").A.sum())
    assert_eq(df.groupby("C").D.mean(shuffle_method="tasks"), pdf.groupby("C").D.mean())


@pytest.mark.parametrize("aggfunc", ["sum", "count", "mean"])
@pytest.mark.parametrize("values", ["v", "f", ["v", "f"]])
def test_pivot_table_fills_missing_pairs_as_pandas(aggfunc, values):
    p = pd.DataFrame({"i": [1, 1, 2, 3], "v": [1, 2, 3, 4], "f": [1.5, 2, 3, 4],
                      "c": pd.Categorical(["x", "y", "x", "x"], categories=["x", "y", "z"])})
    df = sd.from_pandas(p, npartitions=2)
    for part, pp in [(df, p), (df[df.i > 2], p[p.i > 2])]:  # the second has an empty partition
        assert_eq(sd.pivot_table(part, index="i", columns="c", values=values, aggfunc=aggfunc),
                  pd.pivot_table(pp, index="i", columns="c", values=values, aggfunc=aggfunc,
                                 observed=False, dropna=False))


@pytest.mark.parametrize("how", ["skew", "kurt"])
def test_groupby_skew_kurt(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.groupby("C").A, how)(), getattr(pdf.groupby("C").A, how)())
    assert_eq(getattr(df.groupby("C")[["A", "D"]], how)(), getattr(pdf.groupby("C")[["A", "D"]], how)())
