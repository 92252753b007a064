"""ewm, expanding, centred time rolling, DataFrame/Series.agg and sort_index against pandas."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def gappy():
    rng = np.random.default_rng(3)
    p = pd.DataFrame({"x": rng.normal(size=90), "y": rng.integers(0, 5, 90).astype(float)},
                     index=pd.Index(np.arange(90) * 2, name="idx"))
    p.loc[p.index[::7], "x"] = np.nan
    p.loc[p.index[:8], "y"] = np.nan  # the first partitions have no y at all
    return p


@pytest.mark.parametrize("params", [{"com": 0.5}, {"span": 5}, {"halflife": 3, "min_periods": 4},
                                    {"alpha": 0.9}])
@pytest.mark.parametrize("how", ["mean", "sum", "var", "std"])
def test_ewm(gappy, partition, kind, params, how):
    df = partition(gappy, kind)
    assert_eq(getattr(df.ewm(**params), how)(), getattr(gappy.ewm(**params), how)(),
              check_divisions=False)
    assert_eq(getattr(df.x.ewm(**params), how)(), getattr(gappy.x.ewm(**params), how)(),
              check_divisions=False)


def test_ewm_errors(gappy):
    df = sd.from_pandas(gappy, npartitions=2)
    with pytest.raises(ValueError, match="exactly one of"):
        df.ewm(com=1, span=2)
    with pytest.raises(NotImplementedError, match=r"adjust=False\)\.var"):
        df.ewm(com=1, adjust=False).var()
    with pytest.raises(NotImplementedError, match="times="):
        df.ewm(halflife="1h", times=gappy.index)  # a pandas index is not partitioned like df


@pytest.mark.parametrize("params", [{"com": 0.5}, {"span": 5, "min_periods": 4}, {"alpha": 0.3},
                                    {"halflife": 3, "min_periods": 12}])
@pytest.mark.parametrize("ignore_na", [False, True])
def test_ewm_unadjusted_mean(gappy, partition, kind, params, ignore_na):
    df = partition(gappy, kind)
    opts = {**params, "adjust": False, "ignore_na": ignore_na}
    assert_eq(df.ewm(**opts).mean(), gappy.ewm(**opts).mean(), check_divisions=False,
              atol=1e-9, rtol=1e-9)
    assert_eq(df.x.ewm(**opts).mean(), gappy.x.ewm(**opts).mean(), check_divisions=False,
              atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("params", [{"com": 0.5}, {"span": 5, "min_periods": 4}, {"alpha": 0.9}])
@pytest.mark.parametrize("how", ["mean", "sum", "var", "std"])
def test_ewm_ignore_na(gappy, partition, kind, params, how):
    df = partition(gappy, kind)
    opts = {**params, "ignore_na": True}
    assert_eq(getattr(df.ewm(**opts), how)(), getattr(gappy.ewm(**opts), how)(),
              check_divisions=False, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("adjust", [True, False])
def test_ewm_long_nan_gaps_across_partitions(adjust):
    x = np.full(60, np.nan)
    x[[0, 3, 31, 32, 59]] = [1.0, 4.0, -2.0, 8.0, 5.0]
    p = pd.Series(x, name="x")
    for nparts in (1, 3, 7):
        s = sd.from_pandas(p, npartitions=nparts)
        for ignore_na in (False, True):
            opts = {"alpha": 0.2, "adjust": adjust, "ignore_na": ignore_na}
            assert_eq(s.ewm(**opts).mean(), p.ewm(**opts).mean(), atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("min_periods", [1, 3])
@pytest.mark.parametrize("how", ["sum", "mean", "count", "min", "max", "var", "std"])
def test_expanding(gappy, partition, kind, min_periods, how):
    df = partition(gappy, kind)
    assert_eq(getattr(df.expanding(min_periods), how)(),
              getattr(gappy.expanding(min_periods), how)(), check_divisions=False)
    assert_eq(getattr(df.y.expanding(min_periods), how)(),
              getattr(gappy.y.expanding(min_periods), how)(), check_divisions=False)


@pytest.mark.parametrize("window", ["90min", "5h", "1D"])
@pytest.mark.parametrize("nparts", [1, 4, 9])
def test_rolling_time_centered(window, nparts):
    rng = np.random.default_rng(0)
    p = pd.DataFrame({"x": rng.normal(size=150)},
                     index=pd.date_range("2000", periods=150, freq="37min"))
    df = sd.from_pandas(p, npartitions=nparts)
    for how in ("sum", "mean", "count", "max"):
        assert_eq(getattr(df.rolling(window, center=True), how)(),
                  getattr(p.rolling(window, center=True), how)())


@pytest.mark.parametrize("func", ["sum", ["sum", "max"], ["min", "mean", "count"],
                                  {"A": "sum", "D": "mean"}, {"A": ["sum", "min"], "D": "mean"},
                                  {"B": ["sum"], "C": ["max", "min"]}])
def test_dataframe_agg(pdf, partition, kind, func):
    frame = pdf[["A", "B", "D"]] if isinstance(func, (str, list)) else pdf
    df = partition(frame, kind)
    assert_eq(df.agg(func), frame.agg(func))
    assert_eq(df.aggregate(func), frame.aggregate(func))


@pytest.mark.parametrize("func", [["sum", "mean", "std"], {"total": "sum", "top": "max"}])
def test_series_agg(pdf, partition, kind, func):
    df = partition(pdf, kind)
    assert_eq(df.B.agg(func), pdf.B.agg(func))
    assert df.B.agg("sum").compute() == pdf.B.sum()


def test_agg_errors_name_the_column(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match="'nope'"):
        df.agg({"nope": "sum"})
    with pytest.raises(AttributeError, match="'frobnicate'.*'A'"):
        df.agg({"A": "frobnicate"})


@pytest.mark.parametrize("ascending", [True, False])
def test_sort_index(partition, kind, ascending):
    rng = np.random.default_rng(9)
    p = pd.DataFrame({"x": rng.normal(size=80), "y": rng.integers(0, 5, 80)},
                     index=pd.Index(rng.permutation(80) * 3, name="ix"))
    df = partition(p.sort_index(), kind)
    assert_eq(df.sort_index(ascending=ascending), p.sort_index(ascending=ascending),
              sort_results=False, check_divisions=False)
    shuffled = sd.from_pandas(p, npartitions=3, sort=False)
    out = shuffled.sort_index(ascending=ascending)
    assert_eq(out, p.sort_index(ascending=ascending), sort_results=False, check_divisions=False)
    assert_eq(shuffled.x.sort_index(ascending=ascending), p.x.sort_index(ascending=ascending),
              sort_results=False, check_divisions=False)
    if ascending:
        assert out.known_divisions


def test_set_index_several_columns_names_them(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match=r"\['A', 'B'\].*MultiIndex") as info:
        df.set_index(["A", "B"])
    # the error says what to do instead, and that works
    assert "sort_values(['A', 'B']).set_index('A', sorted=True)" in str(info.value)
    assert "astype(str)" in str(info.value)
    assert_eq(df.sort_values(["A", "B"]).set_index("A", sorted=True),
              pdf.sort_values(["A", "B"]).set_index("A"), check_divisions=False)
    assert_eq(df.set_index(["B"]), pdf.set_index("B").sort_index(), check_divisions=False,
              sort_results=True)


@pytest.fixture
def stamped():
    rng = np.random.default_rng(5)
    gaps = rng.integers(1, 240, 80).cumsum()
    idx = pd.DatetimeIndex(pd.Timestamp("2021-03-01") + pd.to_timedelta(gaps, unit="min"),
                           name="when")
    p = pd.DataFrame({"x": rng.normal(size=80), "y": rng.normal(size=80)}, index=idx)
    p.loc[p.index[::6], "x"] = np.nan
    p.loc[p.index[:15], "y"] = np.nan
    return p


@pytest.mark.parametrize("halflife", ["30min", "6h", pd.Timedelta("2D")])
@pytest.mark.parametrize("min_periods", [0, 5])
@pytest.mark.parametrize("nparts", [1, 3, 7])
def test_ewm_times_mean(stamped, halflife, min_periods, nparts):
    df = sd.from_pandas(stamped, npartitions=nparts)
    want = stamped.ewm(halflife=halflife, times=stamped.index, min_periods=min_periods).mean()
    got = df.ewm(halflife=halflife, times=df.index, min_periods=min_periods).mean()
    assert_eq(got, want, atol=1e-9, rtol=1e-9)
    assert_eq(df.x.ewm(halflife=halflife, times=df.index).mean(),
              stamped.x.ewm(halflife=halflife, times=stamped.index).mean(), atol=1e-9, rtol=1e-9)


def test_ewm_times_from_a_column_and_uneven_partitions(stamped):
    p = stamped.reset_index()
    df = sd.concat([sd.from_pandas(p.iloc[a:b], npartitions=1)
                    for a, b in [(0, 1), (1, 1), (1, 40), (40, 80)]])
    want = p[["x", "y"]].ewm(halflife="3h", times=p.when).mean()
    assert_eq(df[["x", "y"]].ewm(halflife="3h", times=df.when).mean(), want,
              atol=1e-9, rtol=1e-9, check_divisions=False)


def test_ewm_times_errors_name_the_option(stamped):
    df = sd.from_pandas(stamped, npartitions=2)
    with pytest.raises(NotImplementedError, match="adjust=False"):
        df.ewm(halflife="1h", times=df.index, adjust=False)
    with pytest.raises(NotImplementedError, match="ignore_na=True"):
        df.ewm(halflife="1h", times=df.index, ignore_na=True)
    with pytest.raises(NotImplementedError, match=r"times=\.\.\.\)\.var"):
        df.ewm(halflife="1h", times=df.index).var()
