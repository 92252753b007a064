"""Reductions and cumulative operations against pandas on several partitionings."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.mark.parametrize("how", ["sum", "min", "max", "count", "prod", "any", "all"])
def test_simple_reductions(pdf, kind, how, partition):
    df = partition(pdf, kind)
    for col in ["A", "B", "D"]:
        assert_eq(getattr(df[col], how)(), getattr(pdf[col], how)())
    num = ["A", "B", "D"]
    assert_eq(getattr(df[num], how)(), getattr(pdf[num], how)())


def test_reductions_with_split_every(pdf):
    df = sd.from_pandas(pdf, npartitions=12)
    assert_eq(df.A.sum(split_every=2), pdf.A.sum())
    assert_eq(df.B.max(split_every=3), pdf.B.max())
    assert_eq(df.A.std(split_every=2), pdf.A.std())


@pytest.mark.parametrize("how", ["mean", "var", "std", "sem"])
def test_moments(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.A, how)(), getattr(pdf.A, how)())
    assert_eq(getattr(df.D, how)(), getattr(pdf.D, how)())
    num = ["A", "B", "D"]
    assert_eq(getattr(df[num], how)(), getattr(pdf[num], how)())
    if how != "mean":
        assert_eq(getattr(df.A, how)(ddof=0), getattr(pdf.A, how)(ddof=0))


def test_var_is_numerically_stable():
    pdf = pd.DataFrame({"x": 1e9 + np.random.default_rng(1).normal(size=1000)})
    df = sd.from_pandas(pdf, npartitions=7)
    assert np.isclose(df.x.var().compute(), pdf.x.var(), rtol=1e-6)


def test_mean_numeric_only_and_strings(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.mean(numeric_only=True), pdf.mean(numeric_only=True))
    with pytest.raises(TypeError):
        df.mean()


def test_nunique_value_counts_mode_unique(pdf, kind, partition):
    df = partition(pdf, kind)
    assert df.C.nunique().compute() == pdf.C.nunique()
    assert df.D.nunique(dropna=False).compute() == pdf.D.nunique(dropna=False)
    assert_eq(df.C.value_counts(), pdf.C.value_counts())
    assert_eq(df.B.value_counts(normalize=True), pdf.B.value_counts(normalize=True))
    assert_eq(df.B.mode(), pdf.B.mode())
    assert sorted(df.C.unique().compute()) == sorted(pdf.C.unique())
    assert_eq(df.nunique(), pdf.nunique())


def test_value_counts_sorted_descending(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    out = df.B.value_counts().compute()
    assert list(out.values) == sorted(out.values, reverse=True)


def test_idxmin_idxmax(pdf, kind, partition):
    df = partition(pdf, kind)
    assert df.A.idxmin().compute() == pdf.A.idxmin()
    assert df.A.idxmax().compute() == pdf.A.idxmax()
    assert_eq(df[["A", "D"]].idxmax(), pdf[["A", "D"]].idxmax())


def test_quantile_and_describe(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.A.quantile(0.5), pdf.A.quantile(0.5))
    assert_eq(df.A.quantile([0.1, 0.9]), pdf.A.quantile([0.1, 0.9]))
    assert_eq(df.D.describe(), pdf.D.describe())
    assert_eq(df[["A", "B"]].describe(), pdf[["A", "B"]].describe())
    assert_eq(df.quantile(0.25), pdf.quantile(0.25, numeric_only=True))


def test_approximate_quantile_on_large_data():
    rng = np.random.default_rng(3)
    s = pd.Series(rng.normal(size=200_000))
    ds = sd.from_pandas(s, npartitions=4)
    approx = ds.quantile([0.1, 0.5, 0.9]).compute()
    exact = s.quantile([0.1, 0.5, 0.9])
    np.testing.assert_allclose(approx.values, exact.values, atol=0.02)


def test_nunique_approx():
    s = pd.Series(np.random.default_rng(0).integers(0, 50_000, size=200_000))
    ds = sd.from_pandas(s, npartitions=5)
    approx = ds.nunique_approx().compute()
    exact = s.nunique()
    assert abs(approx - exact) / exact < 0.03
    small = sd.from_pandas(pd.Series([1, 2, 3, 3, 2]), npartitions=2)
    assert round(small.nunique_approx().compute()) == 3


@pytest.mark.parametrize("how", ["cumsum", "cumprod", "cummin", "cummax"])
def test_cumulative(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.A, how)(), getattr(pdf.A, how)())
    assert_eq(getattr(df.D, how)(), getattr(pdf.D, how)())
    if how != "cumprod":
        assert_eq(getattr(df[["A", "B"]], how)(), getattr(pdf[["A", "B"]], how)())


def test_ffill_across_partitions():
    pdf = pd.DataFrame({"x": [1.0, np.nan, np.nan, np.nan, np.nan, 5.0, np.nan]})
    df = sd.from_pandas(pdf, npartitions=4)
    assert_eq(df.ffill(), pdf.ffill())


def test_reduction_api_and_nlargest(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    out = df.A.reduction(lambda s: s.abs().sum(), aggregate=lambda s: s.sum())
    assert np.isclose(out.compute(), pdf.A.abs().sum())
    assert_eq(df.nlargest(5, "A"), pdf.nlargest(5, "A"))
    assert_eq(df.nsmallest(3, "B"), pdf.nsmallest(3, "B").sort_index(), check_index=True)


def test_drop_duplicates(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df[["B", "C"]].drop_duplicates(), pdf[["B", "C"]].drop_duplicates())
    assert_eq(df.drop_duplicates(subset=["C"]), pdf.drop_duplicates(subset=["C"]))
    assert_eq(df.B.drop_duplicates(), pdf.B.drop_duplicates())
    assert_eq(df[["B", "C"]].drop_duplicates(keep=False), pdf[["B", "C"]].drop_duplicates(keep=False))


def test_cov_corr(pdf, kind, partition):
    df = partition(pdf, kind)
    num = ["A", "B", "D"]
    assert_eq(df[num].cov(), pdf[num].cov())
    assert_eq(df[num].corr(), pdf[num].corr())
    assert_eq(df.corr(numeric_only=True), pdf.corr(numeric_only=True))
    with pytest.raises(ValueError, match="'C'"):
        df.corr()


def test_sample_pipe_explode_get_group(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    s = df.sample(frac=0.5, random_state=1).compute()
    assert 40 <= len(s) <= 80 and set(s.index) <= set(pdf.index)
    assert_eq(df.pipe(lambda d, k: d.A * k, 2), pdf.A * 2)
    lists = pd.DataFrame({"v": [[1, 2], [3], []], "w": [1, 2, 3]})
    pd.testing.assert_frame_equal(sd.from_pandas(lists, npartitions=2).explode("v").compute(),
                                  lists.explode("v"))
    assert_eq(df.groupby("C").get_group("a"), pdf.groupby("C").get_group("a"))


def test_memory_usage_nlargest_get_dummies(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.memory_usage(), pdf.memory_usage(), check_index=False)
    assert_eq(df.A.nlargest(4), pdf.A.nlargest(4))
    cats = df.categorize(columns=["C"])
    assert_eq(sd.get_dummies(cats[["C"]]), pd.get_dummies(pdf[["C"]].astype("category")))
    with pytest.raises(NotImplementedError, match="categorize"):
        sd.get_dummies(df.C.astype("category"))


@pytest.mark.parametrize("how", ["skew", "kurt", "kurtosis"])
def test_skew_and_kurtosis(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.A, how)(), getattr(pdf.A, how)())
    assert_eq(getattr(df[["A", "B", "D"]], how)(), getattr(pdf[["A", "B", "D"]], how)())
    assert_eq(getattr(df, how)(numeric_only=True), getattr(pdf, how)(numeric_only=True))


def test_skew_far_from_zero_and_constant():
    pdf = pd.DataFrame({"x": np.random.default_rng(3).normal(size=50) + 1e6, "c": 1.0})
    df = sd.from_pandas(pdf, npartitions=4)
    assert_eq(df.skew(), pdf.skew(), rtol=1e-6)
    assert_eq(df.kurt(), pdf.kurt(), rtol=1e-6)


@pytest.fixture
def mixed():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame({"a": rng.integers(0, 10, n), "b": rng.normal(size=n),
                         "c": rng.choice(list("xyz"), n),
                         "d": pd.date_range("2020", periods=n, freq="h"),
                         "i": pd.array(rng.integers(0, 5, n), dtype="Int64"),
                         "bo": rng.integers(0, 2, n) > 0,
                         "td": pd.to_timedelta(rng.integers(0, 100, n), unit="s"),
                         "tz": pd.date_range("2020", periods=n, freq="h", tz="US/Eastern")})


@pytest.mark.parametrize("include,exclude", [(None, None), ("all", None), (["object", "string"], None),
                                             (None, ["number"]), (["datetime"], None)])
def test_describe_picks_columns_as_pandas(mixed, include, exclude):
    df = sd.from_pandas(mixed, npartitions=4)
    assert_eq(df.describe(include=include, exclude=exclude),
              mixed.describe(include=include, exclude=exclude))


@pytest.mark.parametrize("col", ["a", "b", "c", "d", "i", "bo", "td", "tz"])
def test_describe_series_of_every_dtype(mixed, col):
    df = sd.from_pandas(mixed, npartitions=4)
    assert_eq(df[col].describe(), mixed[col].describe())


@pytest.mark.parametrize("col", ["d", "td", "tz"])
def test_quantile_of_times(mixed, col):
    df = sd.from_pandas(mixed, npartitions=4)
    assert_eq(df[col].quantile([0.1, 0.5, 0.9]), mixed[col].quantile([0.1, 0.5, 0.9]))
    assert df[col].quantile(0.3).compute() == mixed[col].quantile(0.3)


@pytest.mark.parametrize("how", ["cumsum", "cumprod", "cummin", "cummax"])
def test_cumulative_without_skipping_missing(pdf, kind, how, partition):
    df = partition(pdf, kind)
    assert_eq(getattr(df.D, how)(skipna=False), getattr(pdf.D, how)(skipna=False))
    assert_eq(getattr(df[["A", "D"]], how)(skipna=False), getattr(pdf[["A", "D"]], how)(skipna=False))


@pytest.mark.parametrize("min_count", [1, 50, 1000])
def test_sum_and_prod_min_count(pdf, kind, min_count, partition):
    df = partition(pdf, kind)
    assert_eq(df.D.sum(min_count=min_count), pdf.D.sum(min_count=min_count))
    assert_eq(df[["A", "D"]].sum(min_count=min_count), pdf[["A", "D"]].sum(min_count=min_count))
    assert_eq(df[["A", "D"]].prod(min_count=min_count), pdf[["A", "D"]].prod(min_count=min_count))
    none = df[df.A > 100]
    assert_eq(none.D.sum(min_count=1), pdf[pdf.A > 100].D.sum(min_count=1))
    assert_eq(none[["A", "D"]].sum(min_count=1), pdf[pdf.A > 100][["A", "D"]].sum(min_count=1))


@pytest.mark.parametrize("how", ["sum", "prod", "count", "any", "all", "var", "std", "sem",
                                 "skew", "kurt", "min", "max", "mean", "median"])
def test_row_wise_reductions(pdf, how):
    df = sd.from_pandas(pdf, npartitions=3)
    num = ["A", "B", "D"]
    assert_eq(getattr(df[num], how)(axis=1), getattr(pdf[num], how)(axis=1))
    assert_eq(getattr(df[num], how)(axis="columns"), getattr(pdf[num], how)(axis="columns"))


def test_median(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.A.median(), pdf.A.median())
    assert_eq(df[["A", "B", "D"]].median(), pdf[["A", "B", "D"]].median())
    assert_eq(df.median(numeric_only=True), pdf.median(numeric_only=True))
    assert_eq(df.D.median_approximate(), pdf.D.median())


def test_frame_quantile_includes_times_unless_numeric_only(mixed):
    df = sd.from_pandas(mixed, npartitions=4)
    cols = ["a", "b", "d", "td", "tz"]
    assert_eq(df[cols].quantile(0.3), mixed[cols].quantile(0.3))
    assert_eq(df[cols].quantile([0.2, 0.7]), mixed[cols].quantile([0.2, 0.7]))
    assert_eq(df[cols].quantile(0.3, numeric_only=True), mixed[cols].quantile(0.3, numeric_only=True))
