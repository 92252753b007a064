"""Creation, elementwise operations, columns, filters, assignment — against pandas."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


def test_from_pandas_divisions(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert df.npartitions == 3
    assert df.divisions[0] == pdf.index[0] and df.divisions[-1] == pdf.index[-1]
    assert_eq(df, pdf)
    df = sd.from_pandas(pdf, chunksize=50)
    assert df.npartitions == 3
    assert_eq(df, pdf)


def test_from_pandas_sorts_and_keeps_duplicates_together():
    pdf = pd.DataFrame({"x": range(10)}, index=[5, 1, 1, 1, 1, 3, 3, 9, 0, 2])
    df = sd.from_pandas(pdf, npartitions=4)
    d = df.divisions
    assert all(a < b for a, b in zip(d[:-2], d[1:-1])) and d[-2] <= d[-1]
    assert_eq(df, pdf.sort_index(kind="stable"))
    unsorted = sd.from_pandas(pdf, npartitions=2, sort=False)
    assert unsorted.divisions == (None, None, None)
    assert_eq(unsorted, pdf)


def test_from_pandas_series_and_empty():
    s = pd.Series(range(7), name="s")
    assert_eq(sd.from_pandas(s, npartitions=3), s)
    empty = pd.DataFrame({"a": pd.Series([], dtype="int64")})
    assert_eq(sd.from_pandas(empty, npartitions=2), empty)


def test_from_dict_and_array():
    data = {"a": [1, 2, 3, 4], "b": [1.0, 2.0, 3.0, 4.0]}
    assert_eq(sd.from_dict(data, npartitions=2), pd.DataFrame(data))
    x = np.arange(20.0).reshape(10, 2)
    df = sd.from_array(x, chunksize=3, columns=["a", "b"])
    assert df.npartitions == 4
    assert df.divisions == (0, 3, 6, 9, 9)
    assert_eq(df, pd.DataFrame(x, columns=["a", "b"]))
    assert_eq(sd.from_array(np.arange(5), chunksize=2), pd.Series(np.arange(5)))


def test_from_delayed():
    from shoal.delayed import delayed

    parts = [delayed(pd.DataFrame)({"a": [i, i + 1]}, index=[2 * i, 2 * i + 1]) for i in range(3)]
    df = sd.from_delayed(parts, meta={"a": "int64"})
    assert df.npartitions == 3
    assert_eq(df, pd.concat([pd.DataFrame({"a": [i, i + 1]}, index=[2 * i, 2 * i + 1])
                             for i in range(3)]))
    inferred = sd.from_delayed(parts)
    assert list(inferred.columns) == ["a"]
    bad = sd.from_delayed(parts, meta={"a": "float64"})
    with pytest.raises(ValueError, match="'a'.*float64.*int64"):
        bad.compute()


def test_seed_scenario_100_frames():
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"A": rng.normal(size=10), "B": rng.normal(size=10)},
                           index=range(10 * i, 10 * i + 10)) for i in range(100)]
    df = sd.concat([sd.from_pandas(f, npartitions=1) for f in frames])
    full = pd.concat(frames)
    assert df.npartitions == 100 and df.known_divisions
    assert_eq(df.A.sum(), full.A.sum())
    assert_eq(df[df.A > 0], full[full.A > 0])
    df2 = df
    assert_eq(df2.groupby(df2.A // 0.1).B.sum(), full.groupby(full.A // 0.1).B.sum())


def test_elementwise(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.A + df.B * 2 - 1, pdf.A + pdf.B * 2 - 1)
    assert_eq(-df.A / (df.B + 1), -pdf.A / (pdf.B + 1))
    assert_eq(df.B // 3 % 2, pdf.B // 3 % 2)
    assert_eq((df.A > 0) & (df.B < 5), (pdf.A > 0) & (pdf.B < 5))
    assert_eq(~(df.A > 0) | (df.B == 3), ~(pdf.A > 0) | (pdf.B == 3))
    assert_eq(abs(df[["A", "D"]]), abs(pdf[["A", "D"]]))
    assert_eq(df[["A", "B"]] * 2, pdf[["A", "B"]] * 2)
    assert_eq(1 - df.A, 1 - pdf.A)
    assert_eq(df.A - df.A.mean(), pdf.A - pdf.A.mean())


def test_filters_and_columns(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df[df.A > 0], pdf[pdf.A > 0])
    assert_eq(df[df.A > 0][["B", "C"]], pdf[pdf.A > 0][["B", "C"]])
    assert_eq(df[(df.B > 3) & (df.C == "a")].A, pdf[(pdf.B > 3) & (pdf.C == "a")].A)
    assert_eq(df.A[df.B > 5], pdf.A[pdf.B > 5])
    assert_eq(df.drop(columns=["C"]), pdf.drop(columns=["C"]))
    assert_eq(df.rename(columns={"A": "a"}), pdf.rename(columns={"A": "a"}))
    assert_eq(df.iloc[:, [0, 2]], pdf.iloc[:, [0, 2]])
    assert_eq(df.select_dtypes("number"), pdf.select_dtypes("number"))
    assert_eq(df.query("A > 0 and B < 5"), pdf.query("A > 0 and B < 5"))


def test_assign_and_setitem(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.assign(E=df.A + df.B, F=1), pdf.assign(E=pdf.A + pdf.B, F=1))
    assert_eq(df.assign(G=lambda d: d.A * 2), pdf.assign(G=lambda d: d.A * 2))
    df["E"] = df.A * 10
    p = pdf.copy()
    p["E"] = p.A * 10
    assert_eq(df, p)
    df["B"] = 0
    p["B"] = 0
    assert_eq(df, p)
    del df["E"]
    del p["E"]
    assert_eq(df, p)


def test_where_mask_fillna_dropna_isna_astype(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.A.where(df.A > 0, 0), pdf.A.where(pdf.A > 0, 0))
    assert_eq(df[["A", "D"]].mask(df[["A", "D"]] > 0), pdf[["A", "D"]].mask(pdf[["A", "D"]] > 0))
    assert_eq(df.D.fillna(-1), pdf.D.fillna(-1))
    assert_eq(df.fillna({"D": 0}), pdf.fillna({"D": 0}))
    assert_eq(df.dropna(), pdf.dropna())
    assert_eq(df.dropna(subset=["D"]), pdf.dropna(subset=["D"]))
    assert_eq(df.isna(), pdf.isna())
    assert_eq(df.D.notna(), pdf.D.notna())
    assert_eq(df.B.astype("float32"), pdf.B.astype("float32"))
    assert_eq(df.astype({"B": "float64"}), pdf.astype({"B": "float64"}))
    assert_eq(df.B.isin([1, 2, 3]), pdf.B.isin([1, 2, 3]))
    assert_eq(df.A.clip(-0.5, 0.5), pdf.A.clip(-0.5, 0.5))
    assert_eq(df.A.round(2), pdf.A.round(2))
    assert_eq(df.B.between(2, 5), pdf.B.between(2, 5))


def test_loc(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.loc[10:50], pdf.loc[10:50])
    assert_eq(df.loc[:30, ["A", "B"]], pdf.loc[:30, ["A", "B"]])
    assert_eq(df.loc[200:], pdf.loc[200:])
    assert_eq(df.loc[df.A > 1], pdf.loc[pdf.A > 1])
    assert_eq(df.loc[[4, 8, 100]], pdf.loc[[4, 8, 100]])
    assert_eq(df.A.loc[20], pdf.A.loc[[20]])


def test_loc_prunes_partitions(pdf):
    df = sd.from_pandas(pdf, npartitions=6)
    sub = df.loc[0:20]
    assert sub.npartitions == 1
    assert_eq(sub, pdf.loc[0:20])


def test_map_partitions(pdf, kind, partition):
    df = partition(pdf, kind)
    assert_eq(df.map_partitions(lambda p: p.assign(z=p.A * 2)), pdf.assign(z=pdf.A * 2))
    assert_eq(sd.map_partitions(lambda a, b: a + b, df.A, df.B), pdf.A + pdf.B)

    def f(part, partition_info=None):
        return part.assign(n=partition_info["number"])

    out = df.map_partitions(f).compute()
    assert set(out.n.unique()) <= set(range(df.npartitions))
    if kind == "three":
        assert list(out.n.value_counts().sort_index()) == [40, 40, 40]


def test_map_partitions_meta_mismatch_is_reported(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    out = df.map_partitions(lambda p: p.assign(B=p.B * 1.5), meta=pdf)
    with pytest.raises(ValueError, match="'B'.*int64.*float64"):
        out.compute()


def test_apply_and_map_with_meta_warning(pdf, kind, partition):
    df = partition(pdf, kind)
    with pytest.warns(UserWarning, match="meta="):
        out = df.A.apply(lambda v: v ** 2)
    assert_eq(out, pdf.A.apply(lambda v: v ** 2))
    assert_eq(df.A.apply(lambda v: v + 1, meta=("A", "f8")), pdf.A + 1)
    assert_eq(df.C.map({"a": 1, "b": 2}), pdf.C.map({"a": 1, "b": 2}))
    rowwise = df.apply(lambda r: r.A + r.B, axis=1, meta=(None, "f8"))
    assert_eq(rowwise, pdf.apply(lambda r: r.A + r.B, axis=1))


def test_missing_column_error_names_it(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    with pytest.raises(KeyError, match="'nope'.*available columns"):
        df["nope"]
    with pytest.raises(AttributeError, match="nope"):
        df.nope


def test_head_touches_only_first_partition(pdf):
    df = sd.from_pandas(pdf, npartitions=4)
    graph = df.head(3, compute=False).__shoal_graph__()
    assert len(graph) == 1
    pd.testing.assert_frame_equal(df.head(3), pdf.head(3))
    pd.testing.assert_frame_equal(df.tail(4), pdf.tail(4))
    with pytest.warns(UserWarning, match="Insufficient elements"):
        df.head(100)
    pd.testing.assert_frame_equal(df.head(100, npartitions=-1), pdf.head(100))


def test_len_and_shape(pdf, kind, partition):
    df = partition(pdf, kind)
    assert len(df) == len(pdf)
    assert df.shape[0].compute() == len(pdf)
    assert df.size.compute() == pdf.size


def test_str_dt_accessors():
    pdf = pd.DataFrame({"s": ["Apple", "banana", "Cherry", None, "date"],
                        "t": pd.date_range("2020-01-01", periods=5, freq="37h")})
    for n in (1, 2):
        df = sd.from_pandas(pdf, npartitions=n)
        assert_eq(df.s.str.lower(), pdf.s.str.lower())
        assert_eq(df.s.str.contains("an"), pdf.s.str.contains("an"))
        assert_eq(df.s.fillna("").str.len(), pdf.s.fillna("").str.len())
        assert_eq(df.t.dt.day, pdf.t.dt.day)
        assert_eq(df.t.dt.floor("D"), pdf.t.dt.floor("D"))
    with pytest.raises(AttributeError):
        sd.from_pandas(pdf, npartitions=1).t.str


def test_categoricals(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    cat = df.C.astype("category")
    assert not cat.cat.known
    with pytest.raises(NotImplementedError, match="as_known"):
        cat.cat.categories
    known = cat.cat.as_known()
    assert list(known.cat.categories) == ["a", "b", "c", "d"]
    assert_eq(known, pdf.C.astype("category"))
    assert_eq(known.cat.codes, pdf.C.astype("category").cat.codes)
    assert_eq(cat.value_counts(), pdf.C.astype("category").value_counts(), check_dtype=False,
              check_index_type=False)
    c2 = df.categorize(columns=["C"])
    assert c2.C.cat.known


def test_persist_and_repr(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    p = (df[df.A > 0]).persist()
    assert_eq(p, pdf[pdf.A > 0])
    text = repr(df)
    assert "Shoal DataFrame Structure" in text and "npartitions=3" in text and "tasks" in text
    assert "int64" in text
    html = df._repr_html_()
    assert "<table" in html and "Structure" in html
    assert "Shoal Series Structure" in repr(df.A)


def test_to_delayed_and_compute_many(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    parts = df.to_delayed()
    assert len(parts) == 3
    pd.testing.assert_frame_equal(parts[0].compute(), pdf.iloc[:40])
    a, b = sd.compute(df.A.sum(), df.B.max())
    assert np.isclose(a, pdf.A.sum()) and b == pdf.B.max()


def test_seed_scenario_from_100_delayed_frames():
    from shoal.delayed import delayed

    rng = np.random.default_rng(1)
    frames = [pd.DataFrame({"A": rng.normal(size=20), "B": rng.normal(size=20)}) for _ in range(100)]
    df = sd.from_delayed([delayed(f) for f in frames], meta=frames[0].iloc[:0])
    full = pd.concat(frames)
    assert df.npartitions == 100 and not df.known_divisions
    assert np.isclose(df.A.sum().compute(), full.A.sum())
    assert len(df[df.A > 0].compute()) == (full.A > 0).sum()
    df2 = df.persist()
    assert_eq(df2.groupby(df2.A // 0.1).B.sum(), full.groupby(full.A // 0.1).B.sum())


def test_repr_of_series_scalar_and_unknown_divisions(pdf):
    df = sd.from_pandas(pdf, npartitions=2).clear_divisions()
    text = repr(df.A)
    assert "Name: A, dtype: float64" in text and "npartitions=2" in text
    assert "Scalar" in repr(df.A.sum())
    with pytest.raises(TypeError, match="compute"):
        bool(df.A.sum())


def test_loc_with_datetime_strings():
    p = pd.DataFrame({"x": range(96)}, index=pd.date_range("2000-01-01", periods=96, freq="h"))
    df = sd.from_pandas(p, npartitions=4)
    assert_eq(df.loc["2000-01-02"], p.loc["2000-01-02"])
    sub = df.loc["2000-01-02":"2000-01-03 05:00"]
    assert sub.npartitions < 4
    assert_eq(sub, p.loc["2000-01-02":"2000-01-03 05:00"])
    assert_eq(df.loc["2000-01-03":], p.loc["2000-01-03":])


def test_melt_to_numeric(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df.melt(id_vars=["C"], value_vars=["A", "B"]),
              pdf.melt(id_vars=["C"], value_vars=["A", "B"]), check_index=False)
    s = pd.Series(["1", "2.5", "x", "4"])
    out = sd.to_numeric(sd.from_pandas(s, npartitions=2), errors="coerce")
    assert_eq(out, pd.to_numeric(s, errors="coerce"))
