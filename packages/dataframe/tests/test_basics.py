"""Creation, elementwise operations, columns, filters, assignment — against pandas."""
import warnings

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


def test_where_and_mask_meta_has_the_dtype_missing_values_give():
    # an empty meta never meets a False condition; the meta must still say float64/object
    pdf = pd.DataFrame({"i": np.arange(10), "b": [True, False] * 5, "f": np.arange(10.0)})
    df = sd.from_pandas(pdf, npartitions=3)
    cases = [lambda d: d.i.where(d.i > 3), lambda d: d.i.mask(d.i > 3), lambda d: d.b.where(d.i > 3),
             lambda d: d.where(d.i > 3), lambda d: d.i.where(d.i > 3, 0), lambda d: d.i.where(lambda s: s > 3)]
    for case in cases:
        got, expected = case(df), case(pdf)
        assert str(got._meta.dtypes) == str(expected.dtypes)
        assert_eq(got, expected)


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


def test_str_cat_with_series_lists_and_into_one_string():
    p = pd.Series(["ab", "cd", None, "ef", "gh"] * 3)
    s = sd.from_pandas(p, npartitions=3)
    assert_eq(s.str.cat(s, sep="-"), p.str.cat(p, sep="-"))
    assert_eq(s.str.cat([s, s], na_rep="?"), p.str.cat([p, p], na_rep="?"))
    assert_eq(s.str.cat(p.str.upper(), sep=":"), p.str.cat(p.str.upper(), sep=":"))
    with pytest.raises(TypeError, match="align"):
        s.str.cat(list("abcdefghijklmno"))
    for kwargs in ({"sep": ","}, {"sep": ",", "na_rep": "-"}, {}):
        assert s.str.cat(**kwargs).compute() == p.str.cat(**kwargs)
    assert s[s == "zz"].str.cat(sep=",").compute() == ""


def test_astype_with_explicit_categories_gives_known_categories():
    pdf = pd.DataFrame({"k": [0, 1, 2, 3, 1, 2], "x": np.arange(6.0)})
    df = sd.from_pandas(pdf, npartitions=3)
    dtype = pd.CategoricalDtype([0, 1, 2, 3])
    for got, expected in [(df.astype({"k": dtype}), pdf.astype({"k": dtype})), (df.k.astype(dtype), pdf.k.astype(dtype))]:
        known = got.k if hasattr(got, "columns") else got
        assert known.cat.known
        assert_eq(known.cat.codes, (expected.k if hasattr(expected, "columns") else expected).cat.codes)
    assert not df.astype({"k": "category"}).k.cat.known
    assert not df.k.astype(pd.CategoricalDtype()).cat.known


@pytest.mark.parametrize("npartitions", [1, 2, 4])
def test_index_isin_filters_its_frame_and_index_reductions(npartitions):
    pdf = pd.DataFrame({"k": [1, 1, 2, 2, 3, 3], "x": np.arange(6.0)},
                       index=pd.Index([5, 5, 6, 7, 8, 8], name="i"))
    df = sd.from_pandas(pdf, npartitions=npartitions)
    assert_eq(df[df.index.isin([5, 6])], pdf[pdf.index.isin([5, 6])])
    assert_eq(df.loc[df.index.isin([8])], pdf.loc[pdf.index.isin([8])])
    assert df.index.nunique().compute() == pdf.index.nunique()
    assert_eq(df.index.unique(), pdf.index.unique())
    assert_eq(df.index.drop_duplicates(), pdf.index.drop_duplicates())
    by_k, p_by_k = df.set_index("k"), pdf.set_index("k")
    assert_eq(by_k[by_k.index.isin([1, 3])], p_by_k[p_by_k.index.isin([1, 3])])


def test_callable_keys_select_like_pandas():
    pdf = pd.DataFrame({"x": np.arange(10.0), "y": np.arange(10) % 3})
    df = sd.from_pandas(pdf, npartitions=3)
    assert_eq(df[lambda d: d.x > 4], pdf[lambda d: d.x > 4])
    assert_eq(df[lambda d: ["y"]], pdf[lambda d: ["y"]])
    assert_eq(df.x[lambda s: s > 4], pdf.x[lambda s: s > 4])


def test_writers_number_files_so_a_glob_reads_them_back_in_order(tmp_path):
    pdf = pd.DataFrame({"a": np.arange(120), "b": np.arange(120) * 2})
    df = sd.from_pandas(pdf, npartitions=12)
    paths = df.to_csv(str(tmp_path / "x-*.csv"), index=False)
    assert [p.rsplit("/", 1)[1] for p in paths[:2]] == ["x-00.csv", "x-01.csv"]
    assert_eq(sd.read_csv(str(tmp_path / "x-*.csv")), pdf, check_index=False)
    assert sd.read_csv(str(tmp_path / "x-*.csv")).compute().a.is_monotonic_increasing
    df.to_json(str(tmp_path / "j-*.json"))
    assert sd.read_json(str(tmp_path / "j-*.json")).compute().a.is_monotonic_increasing


def test_read_csv_assume_missing_reads_unnamed_int_columns_as_floats(tmp_path):
    pdf = pd.DataFrame({"a": np.arange(20), "b": np.arange(20) * 2, "c": np.arange(20) * 0.5})
    pdf.to_csv(tmp_path / "f.csv", index=False)
    df = sd.read_csv(str(tmp_path / "f.csv"), assume_missing=True, dtype={"b": "int32"})
    assert df.dtypes.to_dict() == {"a": np.float64, "b": np.int32, "c": np.float64}
    assert_eq(df, pdf.astype({"a": "float64", "b": "int32"}))


def test_str_getitem_by_position_and_slice():
    ps = pd.Series(["abc", "de", None, "f"], name="x")
    s = sd.from_pandas(ps, npartitions=2)
    assert_eq(s.str[0], ps.str[0])
    assert_eq(s.str[:2], ps.str[:2])
    assert_eq(s.str.split("b").str[0], ps.str.split("b").str[0])


@pytest.mark.parametrize("method,args", [
    ("rename_categories", (["X", "Y", "Z"],)), ("rename_categories", ({"a": "A"},)),
    ("rename_categories", (str.upper,)), ("add_categories", (["q"],)),
    ("remove_categories", (["a"],)), ("reorder_categories", (["c", "b", "a"],)),
    ("as_ordered", ()), ("as_unordered", ())])
def test_cat_methods_with_known_categories(method, args):
    ps = pd.Series(pd.Categorical(list("abcabca")), name="c")
    s = sd.from_pandas(ps, npartitions=3)
    out = getattr(s.cat, method)(*args)
    assert out.cat.known
    assert_eq(out, getattr(ps.cat, method)(*args))


def test_cat_methods_need_known_categories():
    s = sd.from_pandas(pd.Series(list("abca"), name="c"), npartitions=2).astype("category")
    with pytest.raises(NotImplementedError, match="rename_categories.*as_known"):
        s.cat.rename_categories(["x", "y", "z"])


def test_categorize_makes_unknown_categoricals_known():
    pdf = pd.DataFrame({"c": list("abcab"), "v": range(5)})
    df = sd.from_pandas(pdf, npartitions=2).astype({"c": "category"})
    assert not df.c.cat.known
    out = df.categorize()
    assert out.c.cat.known
    assert_eq(out, pdf.astype({"c": "category"}))


def test_get_dummies_names_string_columns_needing_categorize():
    pdf = pd.DataFrame({"c": pd.Categorical(list("abab")), "o": list("xyzx")})
    df = sd.from_pandas(pdf, npartitions=2)
    with pytest.raises(NotImplementedError, match=r"\['o'\].*categorize"):
        sd.get_dummies(df)
    assert_eq(sd.get_dummies(df.categorize()), pd.get_dummies(pdf))


def test_series_add_prefix_suffix_and_rename_index():
    ps = pd.Series(range(10), name="x")
    s = sd.from_pandas(ps, npartitions=3)
    assert_eq(s.add_prefix("p"), ps.add_prefix("p"))
    assert_eq(s.add_suffix("_s"), ps.add_suffix("_s"))
    moved = s.rename(lambda i: i * 2)
    assert not moved.known_divisions
    assert_eq(moved, ps.rename(lambda i: i * 2))
    kept = s.rename(lambda i: i * 2, sorted_index=True)
    assert kept.divisions == tuple(2 * d for d in s.divisions)
    assert_eq(kept, ps.rename(lambda i: i * 2))
    assert_eq(s.rename({1: 100}), ps.rename({1: 100}))
    assert_eq(s.rename("y"), ps.rename("y"))


def test_fillna_meta_follows_filled_string_columns():
    pdf = pd.DataFrame({"b": [1.0, None, 3, 4], "c": ["x", None, "y", "z"],
                        "i": pd.array([1, None, 2, 3], dtype="Int64"), "n": [1, 2, 3, 4]})
    df = sd.from_pandas(pdf, npartitions=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns that 0 does not suit a str column
        assert_eq(df.fillna(0), pdf.fillna(0))
        assert_eq(df.c.fillna(0), pdf.c.fillna(0))
    assert_eq(df[["c"]].fillna("q"), pdf[["c"]].fillna("q"))
    assert_eq(df.fillna({"b": 0, "c": "w"}), pdf.fillna({"b": 0, "c": "w"}))


def test_to_string_shows_the_structure():
    df = sd.from_pandas(pd.DataFrame({"a": range(10)}), npartitions=2)
    text = df.to_string()
    assert "npartitions=2" in text and "int64" in text


def test_named_arithmetic_with_axis_and_fill_value(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    num, pnum = df[["A", "B", "D"]], pdf[["A", "B", "D"]]
    assert_eq(num.sub(df.A, axis=0), pnum.sub(pdf.A, axis=0))
    assert_eq(num.div(df.B + 1, axis="index"), pnum.div(pdf.B + 1, axis="index"))
    assert_eq(num.lt(df.A, axis=0), pnum.lt(pdf.A, axis=0))
    assert_eq(df.A.add(df.D, fill_value=0), pdf.A.add(pdf.D, fill_value=0))
    assert_eq(num.mul(num.where(num > 0), fill_value=1), pnum.mul(pnum.where(pnum > 0), fill_value=1))
    assert_eq(num.rsub(1), pnum.rsub(1))
    assert_eq(df.A.rtruediv(df.B + 1, fill_value=1), pdf.A.rtruediv(pdf.B + 1, fill_value=1))


def test_pandas_operands_align_on_the_index(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    num, pnum = df[["A", "B", "D"]], pdf[["A", "B", "D"]]
    assert_eq(df.A + pdf.B, pdf.A + pdf.B)
    out = pdf.B * df.A  # pandas defers to the lazy operand
    assert isinstance(out, sd.Series)
    assert_eq(out, pdf.B * pdf.A)
    assert_eq(num + pnum, pnum + pnum)
    assert_eq(num - pnum.mean(), pnum - pnum.mean())  # a Series against a frame: by column
    assert_eq(df.A.add(pdf.B.iloc[::2], fill_value=0), pdf.A.add(pdf.B.iloc[::2], fill_value=0))
    assert_eq(num.sub(pdf.A, axis=0), pnum.sub(pdf.A, axis=0))


def test_str_rsplit_and_extractall():
    ps = pd.Series(["a-b-c", "d-e", None, "f", "g-h-i-j"] * 4, name="s")
    s = sd.from_pandas(ps, npartitions=3)
    assert_eq(s.str.rsplit("-", n=1, expand=True), ps.str.rsplit("-", n=1, expand=True))
    assert_eq(s.str.rsplit("-", n=1), ps.str.rsplit("-", n=1))
    assert_eq(s.str.extractall(r"(\w)-"), ps.str.extractall(r"(\w)-"))


def test_frame_and_series_meet_by_column(pdf, kind, partition):
    df = partition(pdf, kind)
    num, pnum = df[["A", "B", "D"]], pdf[["A", "B", "D"]]
    assert_eq((num - num.mean()) / num.std(), (pnum - pnum.mean()) / pnum.std())
    assert_eq(num.max() - num, pnum.max() - pnum)
    assert_eq(num.sub(num.min()), pnum.sub(pnum.min()))
    assert_eq(num.fillna(num.mean()), pnum.fillna(pnum.mean()))
    assert_eq(num.fillna(pnum.mean()), pnum.fillna(pnum.mean()))


def test_numpy_operands(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    num, pnum = df[["A", "B"]], pdf[["A", "B"]]
    out = np.float64(2.5) * df.A  # a NumPy scalar defers to the lazy Series
    assert isinstance(out, sd.Series)
    assert_eq(out, np.float64(2.5) * pdf.A)
    assert_eq(num * np.array([1, 2]), pnum * np.array([1, 2]))  # one value per column
    with pytest.raises(TypeError, match=r"NumPy array of shape \(120,\)"):
        df.A + np.arange(120)
