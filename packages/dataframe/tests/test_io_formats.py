"""read_fwf, read_orc/to_orc and read_sql_table/read_sql_query (SQLite) against pandas."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def fwf_file(tmp_path):
    rng = np.random.default_rng(0)
    names = rng.choice(["ann", "bob", "cyril"], 300)
    lines = ["id   name    value"] + [f"{i:<5d}{n:<8s}{rng.normal():.4f}"
                                      for i, n in enumerate(names)]
    path = tmp_path / "f.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("blocksize", [700, 5000, None])
def test_read_fwf(fwf_file, blocksize):
    df = sd.read_fwf(str(fwf_file), blocksize=blocksize)
    expected = pd.read_fwf(fwf_file)
    assert df.dtypes.to_dict() == expected.dtypes.to_dict()
    assert_eq(df, expected, check_index=False)
    widths = sd.read_fwf(str(fwf_file), widths=[5, 8, 7], blocksize=blocksize)
    assert_eq(widths, pd.read_fwf(fwf_file, widths=[5, 8, 7]), check_index=False)
    assert "usecols=['value']" in "\n".join(df.value.optimize().expr._tree_repr())


@pytest.fixture
def table():
    rng = np.random.default_rng(1)
    n = 90
    return pd.DataFrame({"i": np.arange(n), "b": rng.normal(size=n),
                         "s": rng.choice(["x", "y", "z"], n),
                         "t": pd.date_range("2000", periods=n, freq="h")})


def test_orc_round_trip(tmp_path, table, partition, kind):
    frame = table.set_index("i")
    df = partition(frame, kind)
    paths = df.to_orc(str(tmp_path / "orc"))
    assert len(paths) == df.npartitions
    back = sd.read_orc(str(tmp_path / "orc"), index="i")
    # ORC keeps timestamps in nanoseconds (pandas' own read_orc gives the same)
    assert_eq(back, frame.astype({"t": "datetime64[ns]"}), check_divisions=False)
    cols = sd.read_orc(str(tmp_path / "orc" / "*.orc"), columns=["b"], index="i")
    assert_eq(cols, frame[["b"]], check_divisions=False)
    plain = sd.read_orc(str(tmp_path / "orc"))
    query = plain[plain.b > 0].s
    assert "columns=['b', 's']" in "\n".join(query.optimize().expr._tree_repr())
    assert_eq(query, table[table.b > 0].s, check_index=False)
    with pytest.raises(KeyError, match="'nope'"):
        sd.read_orc(str(tmp_path / "orc"), columns=["nope"])


@pytest.fixture
def sqlite_uri(tmp_path, table):
    pytest.importorskip("sqlalchemy")
    uri = f"sqlite:///{tmp_path / 'data.db'}"
    table.to_sql("tab", uri, index=False)
    return uri


@pytest.mark.parametrize("kwargs", [{"npartitions": 4}, {"divisions": [0, 10, 50, 89]}, {}])
def test_read_sql_table(sqlite_uri, kwargs):
    df = sd.read_sql_table("tab", sqlite_uri, index_col="i", **kwargs)
    expected = pd.read_sql_table("tab", sqlite_uri, index_col="i")
    assert df.known_divisions
    assert_eq(df, expected)
    assert_eq(sd.read_sql_table("tab", sqlite_uri, index_col="i", columns=["b"], **kwargs),
              expected[["b"]])
    if "npartitions" in kwargs:
        assert df.npartitions == 4


def test_read_sql_by_time_and_query(sqlite_uri):
    import sqlalchemy as sa

    by_time = sd.read_sql_table("tab", sqlite_uri, index_col="t", npartitions=3)
    assert_eq(by_time, pd.read_sql_table("tab", sqlite_uri, index_col="t"))
    tab = sa.table("tab", sa.column("i"), sa.column("b"))
    query = sa.select(tab).where(tab.c.b > 0)
    expected = pd.read_sql_query(query, sqlite_uri, index_col="i")
    assert_eq(sd.read_sql_query(query, sqlite_uri, index_col="i", npartitions=3), expected)
    assert_eq(sd.read_sql("tab", sqlite_uri, index_col="i"),
              pd.read_sql_table("tab", sqlite_uri, index_col="i"))


def test_read_sql_errors_name_things(sqlite_uri):
    with pytest.raises(KeyError, match="'nope'"):
        sd.read_sql_table("tab", sqlite_uri, index_col="nope")
    with pytest.raises(ValueError, match="'missing'"):
        sd.read_sql_table("missing", sqlite_uri, index_col="i")
    with pytest.raises(TypeError, match="Selectable"):
        sd.read_sql_query("select * from tab", sqlite_uri, index_col="i")


def test_hdf_round_trips(tmp_path, table, partition, kind):
    pytest.importorskip("tables")
    frame = table.drop(columns=["t"]).set_index("i")
    df = partition(frame, kind)
    one = str(tmp_path / "one.h5")
    df.to_hdf(one, "/data")
    back = sd.read_hdf(one, "/data", chunksize=25, sorted_index=True)
    assert back.npartitions == 4 and back.known_divisions
    assert_eq(back, frame)
    df.to_hdf(str(tmp_path / "many-*.h5"), "data")
    assert_eq(sd.read_hdf(str(tmp_path / "many-*.h5"), "data"), frame, check_divisions=False)
    df.to_hdf(str(tmp_path / "keys.h5"), "part*")
    cols = sd.read_hdf(str(tmp_path / "keys.h5"), "part*", columns=["b"])
    assert_eq(cols, frame[["b"]], check_divisions=False)
    with pytest.raises(KeyError, match="'nope'"):
        sd.read_hdf(one, "nope")


def test_to_html_is_the_structure_table(table):
    df = sd.from_pandas(table, npartitions=2)
    html = df.to_html()
    assert html == df._repr_html_() and "npartitions=2" in html


def test_to_hdf_replaces_an_existing_key(tmp_path, table):
    pytest.importorskip("tables")
    frame = table.drop(columns=["t"])
    path = str(tmp_path / "r.h5")
    frame.iloc[:10].to_hdf(path, key="data", format="table")
    empty_first = sd.concat([sd.from_pandas(frame.iloc[:0], npartitions=1),
                             sd.from_pandas(frame, npartitions=3)])
    empty_first.to_hdf(path, "data")
    assert_eq(sd.read_hdf(path, "data"), frame, check_index=False)
    sd.from_pandas(frame, npartitions=2).to_hdf(path, "data", append=True)
    assert len(sd.read_hdf(path, "data")) == 2 * len(frame)


@pytest.mark.parametrize("parallel", [False, True])
def test_to_sql_round_trip(tmp_path, table, parallel):
    pytest.importorskip("sqlalchemy")
    uri = f"sqlite:///{tmp_path / 'out.db'}"
    frame = table.set_index("i")
    df = sd.from_pandas(frame, npartitions=4)
    df.to_sql("t1", uri, parallel=parallel)
    assert_eq(pd.read_sql_table("t1", uri, index_col="i"), frame)
    with pytest.raises(ValueError, match="already exists"):
        df.to_sql("t1", uri)
    df.to_sql("t1", uri, if_exists="append")
    assert len(pd.read_sql_table("t1", uri)) == 2 * len(frame)
    df.to_sql("t1", uri, if_exists="replace")
    assert_eq(sd.read_sql_table("t1", uri, index_col="i", npartitions=3), frame)
