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
    with pytest.raises(NotImplementedError, match="adjust=False"):
        df.ewm(com=1, adjust=False)


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
    with pytest.raises(NotImplementedError, match=r"\['A', 'B'\].*MultiIndex"):
        df.set_index(["A", "B"])
    assert_eq(df.set_index(["B"]), pdf.set_index("B").sort_index(), check_divisions=False,
              sort_results=True)
