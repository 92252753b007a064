"""read_csv(...).compute() copying blocks into one frame as they are parsed (io/_assemble.py)."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
import shoal.local
import shoal.threaded
from shoal.dataframe.io import _assemble


@pytest.fixture
def always_assemble(monkeypatch):
    """Use the streamed assembly even for the small files of these tests."""
    monkeypatch.setattr(_assemble, "MIN_BYTES", 0)


@pytest.fixture
def numbers(tmp_path):
    rng = np.random.default_rng(7)
    n = 5000
    pdf = pd.DataFrame({"a": rng.integers(-10**9, 10**9, n), "b": rng.random(n) * 10.0**rng.integers(
        -5, 5, n), "c": rng.integers(0, 100, n).astype("int8"), "d": rng.random(n).round(3),
        "t": pd.date_range("2001-02-03", periods=n, freq="7s"), "s": rng.choice(["x", "y"], n)})
    path = tmp_path / "numbers.csv"
    pdf.to_csv(path, index=False)
    return str(path)


def _partitions_concatenated(ddf):
    return pd.concat([p.compute() for p in ddf.to_delayed()])


def _check(ddf, scheduler):
    fast = _assemble.assembled(ddf, shoal.threaded.get)
    assert fast is not None and fast.npartitions == 1
    got = ddf.compute(scheduler=scheduler)
    expected = _partitions_concatenated(ddf)
    pd.testing.assert_frame_equal(got, expected)  # values bit for bit, dtypes and index
    return got


@pytest.mark.parametrize("scheduler", ["threads", "sync"])
@pytest.mark.parametrize("columns", [["a", "b", "c", "d"], ["d", "a"], ["b", "t"], None])
def test_equals_the_partitions_concatenated(always_assemble, numbers, scheduler, columns):
    ddf = sd.read_csv(numbers, blocksize=20_000, dtype={"c": "int8"}, parse_dates=["t"])
    if columns is not None:
        ddf = ddf[columns]
    got = _check(ddf, scheduler)
    whole = pd.read_csv(numbers, dtype={"c": "int8"}, parse_dates=["t"])
    whole = whole if columns is None else whole[columns]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), whole)
    # every block is numbered from 0, as its partition is
    assert (got.index == 0).sum() == ddf.npartitions


def test_after_a_filter_and_with_object_columns(always_assemble, numbers):
    ddf = sd.read_csv(numbers, blocksize=30_000)
    _check(ddf[ddf.a > 0], "threads")
    _check(ddf[["s", "a"]], "threads")  # strings: the blocks are concatenated as they come


def test_arrays_grow_when_later_blocks_hold_more_rows(always_assemble, tmp_path):
    # long lines first, then short ones: the first block underestimates the row count
    long = pd.DataFrame({"x": np.arange(300) * 10**12 + 0.123456789, "y": np.arange(300)})
    short = pd.DataFrame({"x": np.zeros(20_000), "y": np.ones(20_000, dtype=int)})
    path = tmp_path / "uneven.csv"
    pd.concat([long, short]).to_csv(path, index=False)
    ddf = sd.read_csv(str(path), blocksize=10_000)
    got = _check(ddf, "threads")
    assert len(got) == 20_300


def test_only_on_local_schedulers_and_for_frames(always_assemble, numbers):
    ddf = sd.read_csv(numbers, blocksize=20_000)
    assert _assemble.assembled(ddf, shoal.local.get_sync) is not None
    assert _assemble.assembled(ddf, lambda dsk, keys, **kw: None) is None
    assert _assemble.assembled(ddf.a, shoal.threaded.get) is None
    assert _assemble.assembled(ddf.repartition(npartitions=2), shoal.threaded.get) is None
    one_block = sd.read_csv(numbers, blocksize=None)
    assert _assemble.assembled(one_block, shoal.threaded.get) is None


def test_small_files_use_the_plain_concat(numbers):
    assert _assemble.assembled(sd.read_csv(numbers, blocksize=20_000), shoal.threaded.get) is None


def test_assembly_keeps_consecutive_range_indexes():
    parts = [pd.DataFrame({"x": np.arange(5.0)}, index=pd.RangeIndex(0, 5)),
             pd.DataFrame({"x": np.arange(3.0)}, index=pd.RangeIndex(5, 8)),
             pd.DataFrame({"x": np.arange(0.0)}, index=pd.RangeIndex(0, 0))]
    assembly = _assemble.Assembly(len(parts))
    for p in parts:
        assembly.add(p)
    got = assembly.result(parts[0].iloc[:0])
    pd.testing.assert_frame_equal(got, pd.concat(parts), check_index_type=True)
    assert isinstance(got.index, pd.RangeIndex)


def test_assembly_falls_back_when_dtypes_change():
    parts = [pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1.5]}), pd.DataFrame({"x": ["a"]})]
    assembly = _assemble.Assembly(len(parts))
    for p in parts:
        assembly.add(p)
    pd.testing.assert_frame_equal(assembly.result(parts[0].iloc[:0]), pd.concat(parts))
