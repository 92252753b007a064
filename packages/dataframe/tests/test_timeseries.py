"""resample, rolling (rows and time offsets), shift, diff, map_overlap across partitions."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def ts():
    rng = np.random.default_rng(11)
    idx = pd.date_range("2020-01-01", periods=300, freq="37min")
    return pd.DataFrame({"x": rng.normal(size=300), "n": rng.integers(0, 5, 300)}, index=idx)


@pytest.fixture(params=[1, 5])
def nparts(request):
    return request.param


@pytest.mark.parametrize("rule", ["1h", "1D", "ME"])
@pytest.mark.parametrize("how", ["sum", "mean", "count", "max", "first"])
def test_resample(ts, nparts, rule, how):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(getattr(df.resample(rule), how)(), getattr(ts.resample(rule), how)())


def test_resample_agg_and_series(ts):
    df = sd.from_pandas(ts, npartitions=5)
    assert_eq(df.resample("2h").agg({"x": "sum", "n": "max"}), ts.resample("2h").agg({"x": "sum", "n": "max"}))
    assert_eq(df.x.resample("1D").mean(), ts.x.resample("1D").mean())
    with pytest.raises(ValueError, match="known divisions"):
        df.clear_divisions().resample("1h")


def test_resample_with_gaps():
    idx = pd.DatetimeIndex(["2020-01-01 00:10", "2020-01-01 00:20", "2020-01-01 05:00",
                            "2020-01-02 10:00", "2020-01-02 10:30"])
    p = pd.DataFrame({"x": [1.0, 2, 3, 4, 5]}, index=idx)
    df = sd.from_pandas(p, npartitions=3)
    assert_eq(df.resample("1h").sum(), p.resample("1h").sum())
    assert_eq(df.resample("1h").count(), p.resample("1h").count())


@pytest.mark.parametrize("window", [1, 20])
def test_rolling_rows(ts, nparts, window):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(df.x.rolling(window).mean(), ts.x.rolling(window).mean())
    assert_eq(df.rolling(window, min_periods=1).sum(), ts.rolling(window, min_periods=1).sum())
    assert_eq(df.x.rolling(window, center=True).max(), ts.x.rolling(window, center=True).max())


@pytest.mark.parametrize("window", ["2h", "1D"])
def test_rolling_time(ts, nparts, window):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(df.x.rolling(window).sum(), ts.x.rolling(window).sum())
    assert_eq(df.rolling(window).count(), ts.rolling(window).count())


def test_time_rolling_needs_known_divisions(ts):
    df = sd.from_pandas(ts, npartitions=3).clear_divisions()
    with pytest.raises(ValueError, match="known divisions"):
        df.x.rolling("2h")
    assert_eq(df.x.rolling(3).sum(), ts.x.rolling(3).sum())


def test_rolling_across_tiny_partitions(ts):
    df = sd.from_pandas(ts, npartitions=100)
    assert_eq(df.x.rolling(10).std(), ts.x.rolling(10).std())


@pytest.mark.parametrize("periods", [1, 3, -2])
def test_shift_diff(ts, nparts, periods):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(df.shift(periods), ts.shift(periods))
    assert_eq(df.x.diff(periods), ts.x.diff(periods))


def test_shift_freq(ts):
    df = sd.from_pandas(ts, npartitions=3)
    out = df.shift(2, freq="1h")
    assert out.known_divisions
    assert_eq(out, ts.shift(2, freq="1h"))


def test_map_overlap(ts, nparts):
    df = sd.from_pandas(ts, npartitions=nparts)
    out = df.map_overlap(lambda p: p.x.rolling(5).sum(), 4, 0, meta=("x", "f8"))
    assert_eq(out, ts.x.rolling(5).sum())
    centred = df.x.map_overlap(lambda s: s.rolling(5, center=True).mean(), 2, 2, meta=("x", "f8"))
    assert_eq(centred, ts.x.rolling(5, center=True).mean())
    timed = df.map_overlap(lambda p: p.rolling("3h").sum(), pd.Timedelta("3h"), 0, meta=ts.astype(float))
    assert_eq(timed, ts.rolling("3h").sum())


def test_timeseries_dataset():
    df = sd.datasets.timeseries(start="2000-01-01", end="2000-01-05", freq="1h", seed=3)
    assert df.npartitions == 4
    assert df.divisions[0] == pd.Timestamp("2000-01-01")
    pdf = df.compute()
    assert len(pdf) == 96 and list(pdf.dtypes.astype(str)) == ["str", "int64", "float64", "float64"]
    assert_eq(df, pdf)
    again = sd.datasets.timeseries(start="2000-01-01", end="2000-01-05", freq="1h", seed=3).compute()
    pd.testing.assert_frame_equal(pdf, again)
    only_x = df[["x"]].optimize()
    assert "columns=['x']" in "\n".join(only_x.expr._tree_repr())
    assert_eq(df.x, pdf.x)
    daily = sd.datasets.timeseries(start="2000-01-01", end="2000-01-03", freq="30min",
                                   partition_freq="12h", dtypes={"v": float})
    assert daily.npartitions == 4 and list(daily.columns) == ["v"]


@pytest.mark.parametrize("rule", ["2D", "90min", "W", "MS", "QE", "W-WED"])
@pytest.mark.parametrize("closed_label", [(None, None), ("right", "right"), ("right", "left"),
                                          ("left", "right")])
@pytest.mark.parametrize("nparts", [1, 5])
def test_resample_bins_match_pandas(rule, closed_label, nparts):
    # bins of multi-day, weekly and monthly rules are placed from the whole data's range
    closed, label = closed_label
    rng = np.random.default_rng(2)
    idx = pd.date_range("2000-03-05 22:00", periods=300, freq="3h")
    p = pd.DataFrame({"a": rng.integers(0, 5, 300)}, index=idx)
    df = sd.from_pandas(p, npartitions=nparts)
    assert_eq(df.resample(rule, closed=closed, label=label).sum(),
              p.resample(rule, closed=closed, label=label).sum())


def test_resample_list_agg_with_empty_bins():
    idx = pd.DatetimeIndex(["2020-01-01 00:10", "2020-01-01 05:00", "2020-01-02 10:00",
                            "2020-01-02 10:30", "2020-01-04 01:00"])
    p = pd.DataFrame({"n": [1, 2, 3, 4, 5], "x": [1.0, 2, 3, 4, 5]}, index=idx)
    df = sd.from_pandas(p, npartitions=3)
    out = df.resample("1h").agg(["sum", "max"]).compute()
    pd.testing.assert_frame_equal(out, p.resample("1h").agg(["sum", "max"]), check_freq=False)
    pd.testing.assert_frame_equal(df.resample("1h").max().compute(), p.resample("1h").max(),
                                  check_freq=False)


@pytest.fixture(scope="module")
def days():
    df = sd.datasets.timeseries(start="2000-01-01", end="2000-01-05", freq="5min", seed=3)
    return df, df.compute(scheduler="sync")


@pytest.mark.parametrize("how", [
    lambda d: d.x.pct_change(),
    lambda d: d[["x", "y"]].pct_change(3),
    lambda d: d.between_time("10:00", "11:30"),
    lambda d: d.at_time("12:05"),
    lambda d: d.groupby("name").agg(mx=("x", "max"), n=("id", "count")),
    lambda d: d.resample("90min").agg({"x": "sum", "y": "max", "id": "count"}),
    lambda d: d[["x", "y"]].rolling("36h").mean(),
    lambda d: d.x.shift(2, freq="1h"),
])
def test_timeseries_dataset_against_pandas(days, how):
    df, pdf = days
    assert_eq(how(df), how(pdf))


def test_index_attributes_and_methods_drop_the_index_divisions(days):
    df, pdf = days
    assert df.index.day_of_week.divisions == (None,) * (df.npartitions + 1)
    assert_eq(df.index.day_of_week, pdf.index.day_of_week)
    assert_eq(df.index.floor("D"), pdf.index.floor("D"))
    assert_eq(df.index.hour, pdf.index.hour)


def test_pct_change_errors_name_the_option(days):
    df, _ = days
    with pytest.raises(NotImplementedError, match="fill_method"):
        df.x.pct_change(fill_method="ffill")


def test_resample_quantile(ts, nparts):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(df.resample("3h").quantile(), ts.resample("3h").quantile())
    assert_eq(df.x.resample("1D").quantile(0.3), ts.x.resample("1D").quantile(0.3))
    assert_eq(df.resample("1D").quantile(q=0.9), ts.resample("1D").quantile(q=0.9))


def test_rolling_selects_columns(ts):
    df = sd.from_pandas(ts, npartitions=5)
    assert_eq(df.rolling(3)["x"].sum(), ts.rolling(3)["x"].sum())
    assert_eq(df.rolling("2h").x.mean(), ts.rolling("2h").x.mean())
    assert_eq(df.rolling(2)[["x", "n"]].max(), ts.rolling(2)[["x", "n"]].max())
    with pytest.raises(AttributeError, match="zzz"):
        df.rolling(2).zzz


def test_index_to_frame(ts):
    df = sd.from_pandas(ts, npartitions=5)
    assert_eq(df.index.to_frame(name="t"), ts.index.to_frame(name="t"))
    assert_eq(df.index.to_frame(index=False), ts.index.to_frame(index=False), check_index=False)


@pytest.mark.parametrize("how", ["skew", "kurt"])
def test_rolling_skew_kurt(ts, nparts, how):
    df = sd.from_pandas(ts, npartitions=nparts)
    assert_eq(getattr(df.x.rolling(6), how)(), getattr(ts.x.rolling(6), how)())
    assert_eq(getattr(df.rolling("5h"), how)(), getattr(ts.rolling("5h"), how)())
