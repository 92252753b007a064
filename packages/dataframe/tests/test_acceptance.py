"""Acceptance scenarios: typical dask.dataframe user code, compared with pandas."""
import numpy as np
import pandas as pd
import pytest

import shoal
import shoal.dataframe as sd
from shoal.dataframe.testing import assert_eq


@pytest.fixture
def pdf():
    rng = np.random.default_rng(7)
    n = 200
    return pd.DataFrame({
        "a": rng.integers(0, 4, size=n),
        "b": rng.choice(["u", "v", "w"], size=n),
        "x": rng.normal(size=n),
        "y": rng.integers(-50, 50, size=n).astype("float64"),
        "s": rng.choice(["apple pie", "banana split", "cherry tart", "date loaf"], size=n),
        "t": pd.date_range("2024-01-01", periods=n, freq="37min"),
    }, index=pd.Index(np.arange(n), name="i"))


@pytest.fixture
def ddf(pdf):
    return sd.from_pandas(pdf, npartitions=4)


# --- scalars and shared work -------------------------------------------------------------------


def test_series_sum_compute(ddf, pdf):
    assert np.isclose(ddf.x.sum().compute(), pdf.x.sum())


def test_compute_many_shares_work(ddf, pdf):
    s, m = shoal.compute(ddf.x.sum(), ddf.y.mean())
    assert np.isclose(s, pdf.x.sum()) and np.isclose(m, pdf.y.mean())
    s2, m2 = sd.compute(ddf.x.sum(), ddf.y.mean())
    assert (s2, m2) == (s, m)


def test_compute_shares_intermediate_keys(ddf):
    graph, _ = shoal.base.collections_to_graph([ddf.x.sum(), ddf.x.mean()])
    from_pandas_keys = [k for k in graph if isinstance(k, tuple) and "from" in str(k[0]).lower()]
    assert len(from_pandas_keys) <= ddf.npartitions


# --- metadata ------------------------------------------------------------------------------------


def test_metadata(ddf, pdf):
    assert len(ddf) == len(pdf)
    assert ddf.shape[1] == pdf.shape[1]
    assert ddf.shape[0].compute() == len(pdf)
    assert list(ddf.columns) == list(pdf.columns)
    assert_eq(ddf.dtypes, pdf.dtypes)
    assert ddf.known_divisions and ddf.npartitions == 4
    assert_eq(ddf.index, pdf.index)
    assert ddf.x.shape[0].compute() == len(pdf)


def test_partitions(ddf, pdf):
    first = ddf.partitions[0].compute()
    assert_eq(first, pdf.iloc[: len(first)])
    assert_eq(ddf.get_partition(1), ddf.partitions[1])
    assert_eq(ddf.partitions[1:3], pdf.loc[ddf.divisions[1]: ddf.divisions[3] - 1])
    assert ddf.partitions[[0, 3]].npartitions == 2


def test_to_delayed_and_persist(ddf, pdf):
    parts = ddf.to_delayed()
    assert len(parts) == 4
    assert_eq(pd.concat(shoal.compute(*parts)), pdf)
    kept = ddf[ddf.x > 0].persist()
    assert kept.npartitions == 4
    assert_eq(kept, pdf[pdf.x > 0])


def test_head_many_partitions(ddf, pdf):
    assert_eq(ddf.head(60, npartitions=2), pdf.head(60))
    with pytest.warns(UserWarning):
        ddf.head(80)  # the first partition holds only 50 rows


def test_empty_result(ddf, pdf):
    out = ddf[ddf.x > 100].compute()
    assert len(out) == 0
    assert_eq(out, pdf[pdf.x > 100])


# --- groupby -------------------------------------------------------------------------------------


def test_groupby_two_keys_list_agg(ddf, pdf):
    assert_eq(ddf.groupby(["a", "b"]).x.agg(["sum", "mean"]), pdf.groupby(["a", "b"]).x.agg(["sum", "mean"]))


def test_groupby_custom_aggregation(ddf, pdf):
    custom = sd.Aggregation("custom_sum", lambda s: s.sum(), lambda s0: s0.sum())
    assert_eq(ddf.groupby("a").x.agg(custom), pdf.groupby("a").x.sum().rename("x"))
    assert_eq(ddf.groupby("a")[["x", "y"]].agg(custom), pdf.groupby("a")[["x", "y"]].sum())
    mean = sd.Aggregation("custom_mean", chunk=lambda s: (s.count(), s.sum()),
                          agg=lambda count, total: (count.sum(), total.sum()),
                          finalize=lambda count, total: total / count)
    assert_eq(ddf.groupby(["a", "b"]).agg({"x": mean, "y": "max"}),
              pdf.groupby(["a", "b"]).agg({"x": "mean", "y": "max"}))
    assert_eq(ddf.groupby(ddf.a + 1).y.agg(mean, split_every=2), pdf.groupby(pdf.a + 1).y.mean())
    empty = ddf[ddf.x > 100].groupby("a").x.agg(custom).compute()
    assert len(empty) == 0 and empty.dtype == pdf.x.dtype


def test_groupby_size(ddf, pdf):
    assert_eq(ddf.groupby("a").size(), pdf.groupby("a").size())
    assert_eq(ddf.groupby(["a", "b"]).size(), pdf.groupby(["a", "b"]).size())


def test_groupby_named_and_dict(ddf, pdf):
    assert_eq(ddf.groupby("b").agg(tot=("x", "sum"), hi=("y", "max")),
              pdf.groupby("b").agg(tot=("x", "sum"), hi=("y", "max")))
    assert_eq(ddf.groupby("b").agg({"x": ["min", "max"], "y": "count"}),
              pdf.groupby("b").agg({"x": ["min", "max"], "y": "count"}))


# --- series methods ------------------------------------------------------------------------------


def test_value_counts(ddf, pdf):
    assert_eq(ddf.b.value_counts(normalize=True), pdf.b.value_counts(normalize=True))
    assert_eq(ddf.b.value_counts(), pdf.b.value_counts())
    assert_eq(ddf[["a", "b"]].value_counts(), pdf[["a", "b"]].value_counts())


def test_nlargest(ddf, pdf):
    assert_eq(ddf.x.nlargest(5), pdf.x.nlargest(5))
    assert_eq(ddf.nlargest(5, "x"), pdf.nlargest(5, "x"))
    assert_eq(ddf.nsmallest(3, ["y", "x"]), pdf.nsmallest(3, ["y", "x"]))


def test_loc_slices_with_divisions(ddf, pdf):
    assert_eq(ddf.loc[30:120], pdf.loc[30:120])
    assert ddf.loc[30:60].npartitions <= 2
    assert_eq(ddf.loc[75], pdf.loc[[75]])
    assert_eq(ddf.loc[ddf.x > 1, ["x", "y"]], pdf.loc[pdf.x > 1, ["x", "y"]])


def test_map_dict_and_assign_lambda(ddf, pdf):
    mapping = {0: "zero", 1: "one", 2: "two"}
    assert_eq(ddf.a.map(mapping), pdf.a.map(mapping))
    assert_eq(ddf.assign(z=lambda d: d.x * 2, w=lambda d: d.z + 1),
              pdf.assign(z=lambda d: d.x * 2, w=lambda d: d.z + 1))


def test_categorical(ddf, pdf):
    got = ddf.astype({"b": "category"})
    assert_eq(got.b.cat.as_known(), pdf.b.astype("category")) if hasattr(got.b.cat, "as_known") else None
    cat = ddf.b.astype("category")
    assert_eq(cat.compute().astype(str), pdf.b)
    assert_eq(cat.cat.as_known().compute().cat.categories.sort_values(), pd.Index(["u", "v", "w"]))


def test_string_methods(ddf, pdf):
    assert_eq(ddf.s.str.contains("an"), pdf.s.str.contains("an"))
    assert_eq(ddf.s.str.split(" ", n=1, expand=True), pdf.s.str.split(" ", n=1, expand=True))
    assert_eq(ddf.s.str.upper().str.len(), pdf.s.str.upper().str.len())


def test_datetime_methods(ddf, pdf):
    assert_eq(ddf.t.dt.floor("h"), pdf.t.dt.floor("h"))
    assert_eq(ddf.t.dt.day_of_week, pdf.t.dt.day_of_week)


def test_pivot_table(ddf, pdf):
    ddf = ddf.assign(b=ddf.b.astype("category").cat.as_known())
    pdf = pdf.assign(b=pdf.b.astype("category"))
    for how in ("sum", "mean", "count"):
        got = ddf.pivot_table(index="a", columns="b", values="x", aggfunc=how)
        want = pdf.pivot_table(index="a", columns="b", values="x", aggfunc=how, observed=False)
        assert_eq(got, want, check_dtype=False)
    got = sd.pivot_table(ddf, index="a", columns="b", values=["x", "y"], aggfunc="max")
    assert_eq(got, pdf.pivot_table(index="a", columns="b", values=["x", "y"], aggfunc="max", observed=False))
    with pytest.raises(ValueError, match="known categories"):  # astype alone leaves them unknown
        ddf.assign(b=ddf.b.astype(str).astype("category")).pivot_table(index="a", columns="b", values="x")
    with pytest.raises(ValueError, match="categorical"):
        sd.pivot_table(ddf.assign(b=ddf.b.astype(str)), index="a", columns="b", values="x")


def test_merge_asof(pdf):
    left = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=50, freq="7min"), "v": np.arange(50)})
    right = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=30, freq="11min"),
                          "w": np.arange(30) * 10})
    dl = sd.from_pandas(left.set_index("t"), npartitions=3)
    dr = sd.from_pandas(right.set_index("t"), npartitions=2)
    got = sd.merge_asof(dl, dr, left_index=True, right_index=True)
    want = pd.merge_asof(left.set_index("t"), right.set_index("t"), left_index=True, right_index=True)
    # right's ints become floats: a partition may hold rows without a match (pandas decides per call)
    assert_eq(got, want, check_dtype=False)
    assert got.divisions == dl.divisions
    for direction in ("forward", "nearest"):
        got = sd.merge_asof(left, dr.reset_index(), on="t", direction=direction)
        assert_eq(got, pd.merge_asof(left, right, on="t", direction=direction), check_index=False,
                  check_dtype=False)


def test_fills(ddf, pdf):
    pdf = pdf.assign(y=pdf.y.where(pdf.y > 0))
    ddf = sd.from_pandas(pdf, npartitions=4)
    assert_eq(ddf.bfill(), pdf.bfill())
    assert_eq(ddf.y.ffill(), pdf.y.ffill())


def test_sort_values_multi(ddf, pdf):
    got = ddf.sort_values(["a", "y"], ascending=[True, False])
    want = pdf.sort_values(["a", "y"], ascending=[True, False])
    assert_eq(got.compute()[["a", "y"]].reset_index(drop=True), want[["a", "y"]].reset_index(drop=True))


def test_drop_duplicates_subset(ddf, pdf):
    assert_eq(ddf.drop_duplicates(subset=["a", "b"]), pdf.drop_duplicates(subset=["a", "b"]))
    assert_eq(ddf.a.drop_duplicates(), pdf.a.drop_duplicates())


def test_elementwise_series_methods(ddf, pdf):
    assert_eq(ddf.y.isin([1.0, 2.0, 3.0]), pdf.y.isin([1.0, 2.0, 3.0]))
    assert_eq(ddf.y.between(-10, 10), pdf.y.between(-10, 10))
    assert_eq(ddf.x.clip(-1, 1), pdf.x.clip(-1, 1))
    assert_eq(ddf.x.round(2), pdf.x.round(2))
    assert_eq(ddf.x.abs(), pdf.x.abs())
    assert_eq(ddf.b.replace({"u": "U"}), pdf.b.replace({"u": "U"}))
    assert_eq(ddf.x.where(ddf.x > 0, ddf.y), pdf.x.where(pdf.x > 0, pdf.y))
    assert_eq(ddf[["x", "y"]].clip(lower=0), pdf[["x", "y"]].clip(lower=0))


def test_unique_nunique(ddf, pdf):
    got = ddf.b.unique().compute()
    assert sorted(got) == sorted(pdf.b.unique())
    assert ddf.b.nunique().compute() == pdf.b.nunique()
    assert_eq(ddf.nunique(), pdf.nunique())


def test_from_dict(pdf):
    data = {"k": list(range(10)), "v": [float(i) ** 2 for i in range(10)]}
    assert_eq(sd.from_dict(data, npartitions=3), pd.DataFrame(data))


# --- I/O -----------------------------------------------------------------------------------------


def test_read_csv_dtype_usecols(tmp_path, pdf):
    frame = pdf[["a", "b", "x"]]
    for i in range(3):
        frame.iloc[i * 60:(i + 1) * 60].to_csv(tmp_path / f"part-{i}.csv", index=False)
    got = sd.read_csv(str(tmp_path / "part-*.csv"), dtype={"a": "float64"}, usecols=["a", "x"])
    want = frame.iloc[:180][["a", "x"]].astype({"a": "float64"})
    assert_eq(got.compute().reset_index(drop=True), want.reset_index(drop=True))


def test_parquet_partition_on_round_trip(tmp_path, pdf):
    frame = pdf[["a", "b", "x"]]
    sd.to_parquet(sd.from_pandas(frame, npartitions=3), str(tmp_path / "ds"), partition_on=["b"])
    back = sd.read_parquet(str(tmp_path / "ds"))
    got = back.compute().sort_values("x")
    want = frame.sort_values("x")
    assert list(got.columns) == ["a", "x", "b"] or set(got.columns) == {"a", "b", "x"}
    assert_eq(got["x"].reset_index(drop=True), want["x"].reset_index(drop=True))
    assert list(got["b"].astype(str)) == list(want["b"])
    filtered = sd.read_parquet(str(tmp_path / "ds"), filters=[("b", "==", "u")]).compute()
    assert set(filtered["b"].astype(str)) == {"u"}


# --- distributed ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    from shoal.distributed import Client

    with Client(processes=False) as c:
        yield c


@pytest.mark.parametrize("scenario", ["sum", "groupby", "set_index", "merge"])
def test_on_distributed_client(client, pdf, scenario):
    ddf = sd.from_pandas(pdf, npartitions=4)
    with shoal.config.set(scheduler=client):
        if scenario == "sum":
            s, m = shoal.compute(ddf.x.sum(), ddf.y.mean())
            assert np.isclose(s, pdf.x.sum()) and np.isclose(m, pdf.y.mean())
        elif scenario == "groupby":
            got = ddf.groupby("b").agg({"x": "sum", "y": "mean"}).compute()
            assert_eq(got, pdf.groupby("b").agg({"x": "sum", "y": "mean"}))
        elif scenario == "set_index":
            got = ddf.set_index("y").compute()
            assert_eq(got.sort_index().x.sort_values().reset_index(drop=True),
                      pdf.x.sort_values().reset_index(drop=True))
            assert got.index.is_monotonic_increasing
        else:
            other = pd.DataFrame({"a": [0, 1, 2, 3], "label": list("pqrs")})
            got = ddf.merge(sd.from_pandas(other, npartitions=2), on="a").compute()
            want = pdf.merge(other, on="a")
            assert_eq(got.sort_values("x").reset_index(drop=True), want.sort_values("x").reset_index(drop=True))


# --- groupby on integer keys (the hash-free path for dense ranges, and its fallbacks) -------------


@pytest.mark.parametrize("keys", ["dense", "negative", "sparse", "unsigned"])
def test_groupby_integer_keys(keys):
    rng = np.random.default_rng(3)
    n = 3000
    k = {"dense": rng.integers(0, 50, n), "negative": rng.integers(-20, 5, n),
         "sparse": rng.integers(0, 5, n) * 10**12, "unsigned": rng.integers(0, 9, n).astype("uint16")}[keys]
    pdf = pd.DataFrame({"k": k, "x": rng.normal(size=n), "i": rng.integers(-5, 5, n)})
    pdf.loc[pdf.index[::7], "x"] = np.nan
    ddf = sd.from_pandas(pdf, npartitions=5)
    spec = {"x": ["sum", "mean", "count", "var", "min"], "i": ["sum", "max", "first"]}
    assert_eq(ddf.groupby("k").agg(spec), pdf.groupby("k").agg(spec))
    assert_eq(ddf.groupby("k").size(), pdf.groupby("k").size())
    assert_eq(ddf.groupby(ddf.i).x.std(), pdf.groupby(pdf.i).x.std())
    assert_eq(ddf.groupby("k", sort=False).i.sum(split_out=3), pdf.groupby("k").i.sum())


def test_more_user_calls(ddf, pdf):
    assert_eq(ddf.groupby("b").var(numeric_only=True), pdf.groupby("b").var(numeric_only=True))
    assert_eq(ddf.groupby("a").mean(numeric_only=True), pdf.groupby("a").mean(numeric_only=True))
    assert_eq(ddf.drop_duplicates(subset=["a"], keep="last"), pdf.drop_duplicates(subset=["a"], keep="last"))
    with pytest.raises(ValueError, match="keep"):
        ddf.drop_duplicates(keep="middle")
    assert np.isclose(ddf.x.agg("sum").compute(), pdf.x.agg("sum"))
    assert_eq(ddf.y.agg(["sum", "mean", "max"]), pdf.y.agg(["sum", "mean", "max"]))
