"""CSV, Parquet and JSON through fsspec: local files, memory:// and a real S3-compatible server."""
import gzip
import os

import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def frame():
    rng = np.random.default_rng(2)
    n = 400
    return pd.DataFrame({"id": np.arange(n), "x": rng.normal(size=n).round(4),
                         "name": rng.choice(["ann", "bob", "cy"], n), "k": rng.integers(0, 4, n)})


@pytest.fixture
def csv_files(tmp_path, frame):
    paths = []
    for i in range(3):
        p = tmp_path / f"part-{i}.csv"
        frame.iloc[i * 100:(i + 1) * 100 + (100 if i == 2 else 0)].to_csv(p, index=False)
        paths.append(str(p))
    return tmp_path, paths


def test_read_csv_glob_and_blocksize(csv_files, frame):
    root, paths = csv_files
    df = sd.read_csv(str(root / "*.csv"))
    assert df.npartitions == 3
    assert_eq(df, frame, check_index=False)
    small = sd.read_csv(str(root / "*.csv"), blocksize=1000)
    assert small.npartitions > 6
    assert_eq(small, frame, check_index=False)
    assert_eq(sd.read_csv(paths[:2]), frame.iloc[:200], check_index=False)


def test_read_csv_keywords_and_path_column(csv_files, frame):
    root, paths = csv_files
    df = sd.read_csv(str(root / "*.csv"), include_path_column=True, dtype={"k": "float64"},
                     blocksize=2000)
    out = df.compute()
    assert out.path.dtype == "category"
    assert set(out.path.cat.categories) == {p.replace(os.sep, "/") for p in paths} or \
        len(out.path.cat.categories) == 3
    assert out.k.dtype == "float64"
    named = sd.read_csv(paths[0], include_path_column="file", usecols=["id", "x"])
    assert list(named.columns) == ["id", "x", "file"]
    assert_eq(named[["id", "x"]], frame.iloc[:100][["id", "x"]], check_index=False)


def test_read_csv_projection_pushdown(csv_files, frame):
    root, _ = csv_files
    df = sd.read_csv(str(root / "*.csv"))
    plan = "\n".join(df[df.x > 0].name.optimize().expr._tree_repr())
    assert "usecols=['x', 'name']" in plan
    assert_eq(df[df.x > 0].name, frame[frame.x > 0].name, check_index=False)
    assert len(df) == len(frame)


def test_read_csv_compression(tmp_path, frame):
    path = tmp_path / "data.csv.gz"
    with gzip.open(path, "wt") as f:
        frame.to_csv(f, index=False)
    df = sd.read_csv(str(path), blocksize=None)
    assert_eq(df, frame, check_index=False)


def test_read_csv_dtype_mismatch_names_column(tmp_path):
    path = tmp_path / "d.csv"
    rows = ["a,b"] + [f"{i},1" for i in range(2000)] + ["x,2.5"]
    path.write_text("\n".join(rows) + "\n")
    df = sd.read_csv(str(path), blocksize=3000, sample=1000)
    with pytest.raises(ValueError, match="'a'.*dtype="):
        df.compute()


def test_to_csv(tmp_path, frame):
    df = sd.from_pandas(frame, npartitions=3)
    files = df.to_csv(str(tmp_path / "out-*.csv"), index=False)
    assert len(files) == 3
    assert_eq(sd.read_csv(str(tmp_path / "out-*.csv")), frame, check_index=False)
    single = tmp_path / "single.csv"
    df.to_csv(str(single), single_file=True, index=False)
    pd.testing.assert_frame_equal(pd.read_csv(single), frame)
    df.to_csv(str(tmp_path / "dir"), index=False)
    assert len(os.listdir(tmp_path / "dir")) == 3


def test_parquet_roundtrip_divisions_and_columns(tmp_path, frame):
    p = frame.set_index("id")
    df = sd.from_pandas(p, npartitions=4)
    df.to_parquet(str(tmp_path / "pq"))
    back = sd.read_parquet(str(tmp_path / "pq"))
    assert back.npartitions == 4
    assert back.divisions == df.divisions
    assert_eq(back, p)
    cols = sd.read_parquet(str(tmp_path / "pq"), columns=["x"])
    assert list(cols.columns) == ["x"]
    assert_eq(cols, p[["x"]])
    assert_eq(sd.read_parquet(str(tmp_path / "pq"), columns="name"), p.name)
    noindex = sd.read_parquet(str(tmp_path / "pq"), index=False)
    assert "id" in noindex.columns
    by_x = sd.read_parquet(str(tmp_path / "pq"), index="name")
    assert by_x.index.name == "name"


def test_parquet_pushdown(tmp_path, frame):
    p = frame.set_index("id")
    sd.from_pandas(p, npartitions=4).to_parquet(str(tmp_path / "pq"))
    df = sd.read_parquet(str(tmp_path / "pq"))
    query = df[df.index > 250][["x"]] if False else df[df.x > 1.0].name
    plan = "\n".join(query.optimize().expr._tree_repr())
    assert "columns=['x', 'name']" in plan and "filters=[[('x', '>', 1.0)]]" in plan
    assert_eq(query, p[p.x > 1.0].name)
    kf = df[(df.k == 2) | (df.k == 3)]
    assert_eq(kf, p[(p.k == 2) | (p.k == 3)])
    picked = df[df.name.isin(["ann", "cy"])]
    assert "('name', 'in', ['ann', 'cy'])" in "\n".join(picked.optimize().expr._tree_repr())
    assert_eq(picked, p[p.name.isin(["ann", "cy"])])
    filtered = sd.read_parquet(str(tmp_path / "pq"), filters=[("k", "==", 1)])
    assert_eq(filtered, p[p.k == 1])


def test_parquet_partition_on_and_pruning(tmp_path, frame):
    df = sd.from_pandas(frame, npartitions=2)
    df.to_parquet(str(tmp_path / "hive"), partition_on=["k"])
    assert sorted(os.listdir(tmp_path / "hive")) == ["k=0", "k=1", "k=2", "k=3"]
    back = sd.read_parquet(str(tmp_path / "hive"))
    out = back.compute()
    assert out.k.dtype == "category"
    expected = pd.read_parquet(str(tmp_path / "hive"))
    assert_eq(back, expected, check_index=False)
    pruned = sd.read_parquet(str(tmp_path / "hive"), filters=[("k", "==", 2)])
    assert pruned.npartitions < back.npartitions
    got = pruned.compute()
    assert set(got.k) == {2} and len(got) == (frame.k == 2).sum()


def test_json_lines(tmp_path, frame):
    df = sd.from_pandas(frame, npartitions=3)
    files = df.to_json(str(tmp_path / "j-*.json"))
    assert len(files) == 3
    back = sd.read_json(str(tmp_path / "j-*.json"), lines=True)
    assert_eq(back, frame, check_index=False)
    chunked = sd.read_json(str(tmp_path / "j-*.json"), lines=True, blocksize=2000)
    assert chunked.npartitions > 3
    assert_eq(chunked, frame, check_index=False)


def test_memory_filesystem(frame):
    df = sd.from_pandas(frame, npartitions=2)
    df.to_csv("memory://shoal-test/csv/*.csv", index=False)
    assert_eq(sd.read_csv("memory://shoal-test/csv/*.csv"), frame, check_index=False)
    df.to_parquet("memory://shoal-test/pq")
    assert_eq(sd.read_parquet("memory://shoal-test/pq"), frame, check_index=False)


@pytest.fixture(scope="module")
def s3_server():
    import boto3
    import moto.server as moto_server
    import s3fs

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    options = {"key": "testing", "secret": "testing", "client_kwargs": {"endpoint_url": endpoint,
                                                                         "region_name": "us-east-1"}}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket="shoal-bucket")
    s3fs.S3FileSystem.clear_instance_cache()
    yield options
    server.stop()


def test_s3_roundtrip(s3_server, frame):
    opts = s3_server
    df = sd.from_pandas(frame, npartitions=2)
    df.to_csv("s3://shoal-bucket/csv/*.csv", index=False, storage_options=opts)
    back = sd.read_csv("s3://shoal-bucket/csv/*.csv", storage_options=opts, blocksize=3000)
    assert back.npartitions > 2
    assert_eq(back, frame, check_index=False)
    df.to_parquet("s3://shoal-bucket/pq", storage_options=opts)
    assert_eq(sd.read_parquet("s3://shoal-bucket/pq", storage_options=opts, columns=["x", "k"]),
              frame[["x", "k"]], check_index=False)


def test_read_csv_parse_dates_and_header_none(tmp_path):
    p = pd.DataFrame({"when": pd.date_range("2021-01-01", periods=300, freq="h"), "v": np.arange(300)})
    p.to_csv(tmp_path / "t.csv", index=False)
    df = sd.read_csv(str(tmp_path / "t.csv"), parse_dates=["when"], blocksize=2000)
    assert df.npartitions > 2
    assert_eq(df, pd.read_csv(tmp_path / "t.csv", parse_dates=["when"]), check_index=False)
    p.to_csv(tmp_path / "nohead.csv", index=False, header=False)
    nohead = sd.read_csv(str(tmp_path / "nohead.csv"), header=None, names=["when", "v"], blocksize=2000)
    assert_eq(nohead, pd.read_csv(tmp_path / "nohead.csv", header=None, names=["when", "v"]),
              check_index=False)


def test_read_json_records_whole_files(tmp_path, frame):
    for i in range(2):
        frame.iloc[i * 200:(i + 1) * 200].to_json(tmp_path / f"r{i}.json", orient="records")
    df = sd.read_json(str(tmp_path / "r*.json"), orient="records", lines=False)
    assert df.npartitions == 2
    assert_eq(df, frame, check_index=False)


def test_parquet_unnamed_datetime_index_roundtrip(tmp_path):
    p = pd.DataFrame({"a": np.arange(48.0)}, index=pd.date_range("2000-01-01", periods=48, freq="h"))
    df = sd.from_pandas(p, npartitions=3)
    df.to_parquet(str(tmp_path / "ts"))
    back = sd.read_parquet(str(tmp_path / "ts"))
    assert back.known_divisions and back.divisions[0] == p.index[0]
    assert_eq(back, p)
    assert_eq(back.a.resample("6h").sum(), p.a.resample("6h").sum())


def test_read_table(tmp_path, frame):
    frame.to_csv(tmp_path / "t.tsv", sep="\t", index=False)
    assert_eq(sd.read_table(str(tmp_path / "t.tsv"), blocksize=3000), frame, check_index=False)


def test_parquet_keeps_each_partitions_range_index(tmp_path, frame):
    df = sd.from_pandas(frame, npartitions=3)  # partitions hold 0.., 134.., 268..
    df.to_parquet(str(tmp_path / "pq"))
    assert_eq(sd.read_parquet(str(tmp_path / "pq")), frame, check_divisions=False)
    assert_eq(sd.read_parquet(str(tmp_path / "pq"), columns=["x"]), frame[["x"]],
              check_divisions=False)


def test_parquet_categoricals_come_back_unknown(tmp_path, frame):
    p = frame.astype({"name": "category"})
    sd.from_pandas(p, npartitions=2).to_parquet(str(tmp_path / "pq"))
    back = sd.read_parquet(str(tmp_path / "pq"))
    assert not back.name.cat.known
    assert_eq(back, p, check_divisions=False)
    assert_eq(back.name.cat.as_known(), p.name, check_divisions=False)


def test_parquet_glob_and_dtype_backend(tmp_path, frame):
    sd.from_pandas(frame, npartitions=3).to_parquet(str(tmp_path / "pq"))
    assert_eq(sd.read_parquet(str(tmp_path / "pq" / "*.parquet")), frame, check_divisions=False)
    with pytest.raises(FileNotFoundError, match="no files match"):
        sd.read_parquet(str(tmp_path / "pq" / "*.nothing"))
    path = str(tmp_path / "pq" / "part.1.parquet")
    for backend in ["pyarrow", "numpy_nullable"]:
        assert_eq(sd.read_parquet(path, dtype_backend=backend),
                  pd.read_parquet(path, dtype_backend=backend), check_divisions=False)
