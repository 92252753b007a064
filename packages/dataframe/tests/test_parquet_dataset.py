"""Parquet datasets written in several steps and read back: append, file order, index choice."""
import os

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def pdf():
    return pd.DataFrame({"a": np.arange(100), "b": np.arange(100) * 0.5},
                        index=pd.Index(np.arange(100) * 2, name="idx"))


def test_append_adds_files_and_checks_divisions_and_schema(tmp_path, pdf):
    path = str(tmp_path / "ds")
    sd.from_pandas(pdf, npartitions=4).to_parquet(path)
    later = pdf.set_axis(pdf.index + 1000)
    sd.from_pandas(later, npartitions=2).to_parquet(path, append=True)
    assert len(os.listdir(path)) == 6
    back = sd.read_parquet(path, calculate_divisions=True)
    assert back.divisions == (0, 50, 100, 150, 1000, 1100, 1198)
    assert_eq(back, pd.concat([pdf, later]))
    with pytest.raises(ValueError, match="ignore_divisions"):
        sd.from_pandas(pdf, npartitions=2).to_parquet(path, append=True)
    with pytest.raises(ValueError, match="must match"):
        sd.from_pandas(later.assign(c=1.0), npartitions=2).to_parquet(path, append=True,
                                                                    ignore_divisions=True)
    sd.from_pandas(pdf, npartitions=2).to_parquet(path, append=True, ignore_divisions=True)
    assert len(sd.read_parquet(path)) == 300
    with pytest.raises(ValueError, match="contradict"):
        sd.from_pandas(pdf, npartitions=2).to_parquet(path, append=True, overwrite=True)


def test_more_than_ten_parts_read_back_in_written_order(tmp_path):
    frame = pd.DataFrame({"a": np.arange(120)})
    sd.from_pandas(frame, npartitions=12).to_parquet(str(tmp_path))
    assert_eq(sd.read_parquet(str(tmp_path)), frame, check_divisions=False, check_index=False)
    assert sd.read_parquet(str(tmp_path)).compute().a.is_monotonic_increasing


def test_compute_false_gives_one_delayed_and_writer_keywords_reach_pyarrow(tmp_path, pdf):
    path = str(tmp_path / "lazy")
    write = sd.from_pandas(pdf, npartitions=4).to_parquet(path, compute=False, row_group_size=10)
    assert not os.path.exists(os.path.join(path, "part.0.parquet"))
    assert write.compute() is None
    assert sorted(os.listdir(path)) == [f"part.{i}.parquet" for i in range(4)]
    assert pq.ParquetFile(os.path.join(path, "part.0.parquet")).num_row_groups == 3


def test_another_column_as_index_keeps_the_stored_index_as_a_column(tmp_path, pdf):
    sd.from_pandas(pdf, npartitions=4).to_parquet(str(tmp_path))
    expected = pdf.reset_index().set_index("a")
    assert_eq(sd.read_parquet(str(tmp_path), index="a"), expected, check_divisions=False)
    assert_eq(sd.read_parquet(str(tmp_path), index="a", columns=["b"]), expected[["b"]],
              check_divisions=False)
