"""Datetime/timedelta units: meta agrees with what the partitions (and pandas) give."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def months():
    return pd.DataFrame({"a": list(range(1, 13)) * 3, "b": np.arange(36)})


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_to_datetime_with_format_and_coerce(months, npartitions):
    df = sd.from_pandas(months, npartitions=npartitions)
    got = sd.to_datetime(df.a.astype(str) + "-01-2020", format="%m-%d-%Y", errors="coerce")
    want = pd.to_datetime(months.a.astype(str) + "-01-2020", format="%m-%d-%Y", errors="coerce")
    assert got._meta.dtype == want.dtype
    assert_eq(got, want)


def test_to_datetime_partitions_that_are_all_nat_take_meta_unit(months):
    strings = months.a.map(lambda m: f"2020-{m:02d}-01").rename("s")
    strings.iloc[:6] = "bad"
    df = sd.from_pandas(strings.to_frame(), npartitions=6)
    got = sd.to_datetime(df.s, errors="coerce", format="%Y-%m-%d")
    want = pd.to_datetime(strings, errors="coerce", format="%Y-%m-%d")
    assert_eq(got, want)
    for part in got.to_delayed():
        assert part.compute().dtype == want.dtype


def test_to_datetime_with_explicit_meta_casts_partitions(months):
    df = sd.from_pandas(months, npartitions=3)
    got = sd.to_datetime(df.b, unit="s", meta=("b", "datetime64[ns]"))
    assert got.compute().dtype == np.dtype("datetime64[ns]")
    assert_eq(got, pd.to_datetime(months.b, unit="s").astype("datetime64[ns]"))


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_to_timedelta_strings(months, npartitions):
    df = sd.from_pandas(months, npartitions=npartitions)
    text = (df.a.astype(str) + " days").where(df.a > 2, "nonsense")
    want = pd.to_timedelta((months.a.astype(str) + " days").where(months.a > 2, "nonsense"),
                           errors="coerce")
    assert_eq(sd.to_timedelta(text, errors="coerce"), want)


@pytest.mark.parametrize("how", ["inner", "left", "right", "outer"])
def test_merge_on_keys_of_different_units(how):
    left = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=8, freq="D").as_unit("s"),
                         "x": np.arange(8)})
    right = pd.DataFrame({"t": pd.date_range("2020-01-05", periods=8, freq="D").as_unit("ns"),
                          "y": np.arange(8)})
    got = sd.from_pandas(left, 3).merge(sd.from_pandas(right, 2), on="t", how=how)
    want = left.merge(right, on="t", how=how)
    assert_eq(got, want, check_index=False)


def test_map_partitions_coarser_unit_partitions_are_cast_to_meta():
    pdf = pd.DataFrame({"s": ["2020-01-01"] * 4 + ["x"] * 4})
    df = sd.from_pandas(pdf, npartitions=2)
    got = df.s.map_partitions(pd.to_datetime, errors="coerce", format="%Y-%m-%d",
                              meta=("s", "datetime64[us]"))
    assert_eq(got, pd.to_datetime(pdf.s, errors="coerce", format="%Y-%m-%d"))


def test_concat_of_different_units_gives_the_finer_unit():
    a = pd.DataFrame({"t": pd.date_range("2020-01-01", periods=3).as_unit("s")})
    b = pd.DataFrame({"t": pd.date_range("2020-02-01", periods=3).as_unit("ns")})
    assert_eq(sd.concat([sd.from_pandas(a, 1), sd.from_pandas(b, 2)]), pd.concat([a, b]))


def test_join_on_indexes_of_different_units_with_unknown_divisions():
    left = pd.DataFrame({"x": np.arange(8)},
                        index=pd.date_range("2020-01-01", periods=8, freq="D").as_unit("s"))
    right = pd.DataFrame({"y": np.arange(8)},
                         index=pd.date_range("2020-01-05", periods=8, freq="D").as_unit("ns"))
    a = sd.from_pandas(left, 3).clear_divisions()
    b = sd.from_pandas(right, 2).clear_divisions()
    assert_eq(a.join(b, how="inner"), left.join(right, how="inner"))


@pytest.mark.parametrize("column", ["t", "d", "tz"])
@pytest.mark.parametrize("how", ["mean", "std"])
@pytest.mark.parametrize("npartitions", [1, 3])
def test_mean_and_std_of_datetimes_and_timedeltas(column, how, npartitions):
    rng = np.random.default_rng(0)
    p = pd.DataFrame({"t": pd.to_datetime(rng.integers(0, 10**15, 50)),
                      "d": pd.to_timedelta(rng.integers(0, 10**12, 50))})
    p.loc[3, "t"] = pd.NaT
    p["tz"] = p.t.dt.tz_localize("US/Eastern")
    got = getattr(sd.from_pandas(p, npartitions)[column], how)().compute()
    assert got == getattr(p[column], how)()


def test_read_csv_parse_dates_when_the_sampled_block_has_no_dates(tmp_path):
    t = pd.Series(pd.date_range("2021-01-01", periods=40, freq="s"))
    t[:10] = pd.NaT
    pdf = pd.DataFrame({"t": t, "x": np.arange(40)})
    for i in range(4):
        pdf.iloc[i * 10:(i + 1) * 10].to_csv(tmp_path / f"part-{i}.csv", index=False)
    got = sd.read_csv(str(tmp_path / "part-*.csv"), parse_dates=["t"])
    want = pd.read_csv(tmp_path / "part-1.csv", parse_dates=["t"])
    assert got._meta.t.dtype == want.t.dtype
    whole = pd.concat([pd.read_csv(tmp_path / f"part-{i}.csv", parse_dates=["t"])
                       for i in range(4)], ignore_index=True)
    assert_eq(got, whole, check_index=False)


@pytest.mark.parametrize("tz", [None, "US/Eastern"])
@pytest.mark.parametrize("ascending", [True, False])
def test_sort_values_and_set_index_on_datetimes_with_nat(tz, ascending):
    p = pd.DataFrame({"x": np.arange(200.0),
                      "t": pd.date_range("2021-01-01", periods=200, freq="s", tz=tz)[::-1]})
    p.loc[50:120, "t"] = pd.NaT
    df = sd.from_pandas(p, 5)
    assert_eq(df.sort_values("t", ascending=ascending), p.sort_values("t", ascending=ascending),
              check_index=False, sort_results=False)
    assert_eq(df.set_index("t"), p.set_index("t").sort_index(), check_divisions=False)
