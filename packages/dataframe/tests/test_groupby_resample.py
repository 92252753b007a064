"""groupby(key).resample(rule) against pandas: every group binned on its own, indexed (key, time)."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd


@pytest.fixture
def events():
    rng = np.random.default_rng(5)
    n = 600
    # irregular times: some groups have gaps of several bins (empty bins inside a group)
    times = pd.Timestamp("2021-03-01 05:17") + pd.to_timedelta(np.cumsum(rng.integers(1, 90, n)),
                                                                 "min")
    return pd.DataFrame({"k": rng.choice(["a", "b", "c", "d", "e"], n), "x": rng.normal(size=n),
                         "n": rng.integers(0, 10, n)}, index=pd.DatetimeIndex(times, name="t"))


def _eq(got, expected):
    if isinstance(expected, pd.DataFrame):
        pd.testing.assert_frame_equal(got, expected)
    else:
        pd.testing.assert_series_equal(got, expected)


@pytest.fixture(params=["one", "four", "unknown"])
def frame(request, events):
    if request.param == "one":
        return sd.from_pandas(events, npartitions=1)
    ddf = sd.from_pandas(events, npartitions=4)
    return ddf.clear_divisions() if request.param == "unknown" else ddf


@pytest.mark.parametrize("how", ["sum", "mean", "count", "first", "last", "size", "min", "max",
                                 "std", "nunique"])
def test_methods_match_pandas(frame, events, how):
    got = getattr(frame.groupby("k").resample("4h"), how)()
    expected = getattr(events.groupby("k").resample("4h"), how)()
    _eq(got.compute(), expected)
    assert list(expected.index.names) == ["k", "t"]


def test_groups_span_partitions(events):
    ddf = sd.from_pandas(events, npartitions=6)
    assert all(p["k"].nunique() > 1 for p in ddf.to_delayed() for p in [p.compute()])
    _eq(ddf.groupby("k").resample("1D").sum().compute(), events.groupby("k").resample("1D").sum())


def test_agg_spec_and_series_selection(frame, events):
    spec = {"x": ["sum", "max"], "n": "mean"}
    _eq(frame.groupby("k").resample("2h").agg(spec).compute(),
        events.groupby("k").resample("2h").agg(spec))
    _eq(frame.groupby("k").x.resample("2h").mean().compute(),
        events.groupby("k").x.resample("2h").mean())
    _eq(frame.groupby("k")["n"].resample("90min").agg("sum").compute(),
        events.groupby("k")["n"].resample("90min").agg("sum"))


def test_on_a_datetime_column(events):
    flat = events.reset_index()
    ddf = sd.from_pandas(flat, npartitions=3)
    got = ddf.groupby("k").resample("1D", on="t").agg({"x": "sum", "n": "count"}).compute()
    _eq(got, flat.groupby("k").resample("1D", on="t").agg({"x": "sum", "n": "count"}))
    _eq(ddf.groupby("k").resample("6h", on="t").size().compute(),
        flat.groupby("k").resample("6h", on="t").size())


def test_closed_label_and_several_keys(events):
    events = events.assign(g=events["n"] % 2)
    ddf = sd.from_pandas(events, npartitions=3)
    _eq(ddf.groupby(["k", "g"]).resample("3h", closed="right", label="right").x.sum().compute(),
        events.groupby(["k", "g"]).resample("3h", closed="right", label="right").x.sum())


def test_integer_keys_with_missing_values(events):
    events = events.assign(key=events["n"].where(events["n"] != 3).astype("float64"))
    ddf = sd.from_pandas(events, npartitions=4)
    _eq(ddf.groupby("key").resample("5h").x.last().compute(),
        events.groupby("key").resample("5h").x.last())


def test_errors_name_the_problem(events):
    ddf = sd.from_pandas(events.reset_index(), npartitions=2)
    with pytest.raises(TypeError, match="DatetimeIndex or on="):
        ddf.groupby("k").resample("1D")
    with pytest.raises(KeyError, match="on='when'"):
        ddf.groupby("k").resample("1D", on="when")
    with pytest.raises(TypeError, match="on='x'.*float64"):
        ddf.groupby("k").resample("1D", on="x")
    with pytest.raises(AttributeError, match="no method 'cumsum'"):
        sd.from_pandas(events, npartitions=2).groupby("k").resample("1D").cumsum()


@pytest.mark.parametrize("call", [
    lambda g: g.resample("3h").agg(s=("x", "sum"), m=("n", "max")),
    lambda g: g.resample("3h")[["x", "n"]].agg(["sum", "mean"]),
    lambda g: g.x.resample("3h").ohlc(),
    lambda g: g.resample("3h")[["x"]].sum(),
    lambda g: g.resample("1D", origin="epoch", offset="2h").x.sum(),
    lambda g: g.resample("W").n.median(),
    lambda g: g.resample("MS").n.count(),
    lambda g: g.resample("2h").x.quantile(0.25),
    lambda g: g.resample("20min").n.ffill(),
    lambda g: g.resample("45min")[["x", "n"]].asfreq(),
], ids=["named", "list", "ohlc", "columns", "origin-offset", "weekly", "month-start", "quantile",
        "ffill", "asfreq"])
def test_more_spellings(events, call):
    ddf = sd.from_pandas(events, npartitions=4)
    _eq(call(ddf.groupby("k")).compute(), call(events.groupby("k")))


def test_series_keys_after_a_filter(events):
    ddf = sd.from_pandas(events, npartitions=4)
    got = ddf[ddf.x > 0].groupby(ddf.k[ddf.x > 0]).resample("2h").n.sum().compute()
    _eq(got, events[events.x > 0].groupby(events.k[events.x > 0]).resample("2h").n.sum())
    _eq(ddf.x.groupby(ddf.n).resample("5h").mean().compute(),
        events.x.groupby(events.n).resample("5h").mean())


def test_unsorted_groups_hold_the_same_bins(events):
    ddf = sd.from_pandas(events, npartitions=4)
    got = ddf.groupby("k", sort=False).resample("3h").x.sum().compute()
    # hash-shuffled: the groups are right, their order is the partitions'
    _eq(got.sort_index(), events.groupby("k", sort=False).resample("3h").x.sum().sort_index())
