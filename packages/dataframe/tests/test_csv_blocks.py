"""read_csv streaming byte ranges of uncompressed files, and the threaded concat of big results."""
import gzip

import fsspec
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import _fast_concat, assert_eq
from shoal.dataframe.io._file_block import FileBlock, file_blocks, open_block


@pytest.fixture
def text_frame():
    rng = np.random.default_rng(5)
    n = 3000
    return pd.DataFrame({"i": rng.integers(0, 10**6, n), "f": rng.random(n).round(5),
                         "s": rng.choice(["x", "yy", "zzz", None], n), "g": rng.integers(0, 3, n)})


@pytest.mark.parametrize("blocksize", [97, 1000, 4096, 10**7])
def test_streamed_blocks_match_pandas(tmp_path, text_frame, blocksize):
    path = tmp_path / "t.csv"
    text_frame.to_csv(path, index=False)
    df = sd.read_csv(str(path), blocksize=blocksize)
    expected = pd.read_csv(path)
    assert df.dtypes.to_dict() == expected.dtypes.to_dict()
    assert_eq(df, expected, check_index=False)
    assert df.npartitions == -(-path.stat().st_size // blocksize)


def test_block_edges_on_line_starts(tmp_path):
    # every line is 4 bytes, so block edges fall exactly on line starts
    path = tmp_path / "e.csv"
    path.write_text("a,b\n" + "".join(f"{i % 10},{i % 7}\n" for i in range(200)))
    expected = pd.read_csv(path)
    for blocksize in (4, 8, 12, 400):
        assert_eq(sd.read_csv(str(path), blocksize=blocksize), expected, check_index=False)


def test_open_block_yields_header_then_lines(tmp_path):
    path = tmp_path / "h.csv"
    path.write_bytes(b"a\n1\n22\n333\n4444\n")
    fs = fsspec.filesystem("file")
    blocks = file_blocks(fs, [str(path)], 6)[0]
    assert [isinstance(b, FileBlock) for b in blocks] == [True, True, True]
    read = []
    for i, b in enumerate(blocks):
        with open_block(b, None if i == 0 else b"a\n") as f:
            read.append(f.read())
    assert read == [b"a\n1\n22\n", b"a\n333\n4444\n", b"a\n"]
    # the same edges as shoal.bytes.read_bytes
    from shoal.bytes import read_bytes

    _, [delayed_blocks] = read_bytes(str(path), delimiter=b"\n", blocksize=6)
    assert [b"a\n" + d.compute() if i else d.compute() for i, d in enumerate(delayed_blocks)] == read


def test_memory_filesystem_and_gzip_still_work(tmp_path, text_frame):
    with fsspec.open("memory://blocks/m.csv", "w") as f:
        text_frame.to_csv(f, index=False)
    assert_eq(sd.read_csv("memory://blocks/m.csv", blocksize=5000), text_frame, check_index=False)
    gz = tmp_path / "g.csv.gz"
    with gzip.open(gz, "wt") as f:
        text_frame.to_csv(f, index=False)
    assert_eq(sd.read_csv(str(gz), blocksize=None), text_frame, check_index=False)


def test_keywords_apply_to_every_block(tmp_path, text_frame):
    path = tmp_path / "k.tsv"
    text_frame.to_csv(path, index=False, sep="\t")
    kw = {"sep": "\t", "usecols": ["i", "s"], "na_values": ["yy"]}
    assert_eq(sd.read_csv(str(path), blocksize=2000, **kw), pd.read_csv(path, **kw),
              check_index=False)


def test_threaded_concat_equals_pandas(monkeypatch):
    monkeypatch.setattr(_fast_concat, "MIN_BYTES", 0)
    rng = np.random.default_rng(0)
    parts = [pd.DataFrame({"a": rng.integers(0, 9, n), "b": rng.random(n),
                           "t": pd.date_range("2000", periods=n, freq="s"), "m": rng.random(n) > .5},
                          index=np.arange(n) * 2) for n in (5, 0, 7, 3)]
    assert _fast_concat.can_concat_in_threads(parts)
    got = _fast_concat.concat_in_threads(parts)
    pd.testing.assert_frame_equal(got, pd.concat(parts))
    assert not _fast_concat.can_concat_in_threads([p.astype({"a": object}) for p in parts])
    assert not _fast_concat.can_concat_in_threads([parts[0], parts[1][["b", "a", "t", "m"]]])
    ddf = sd.from_pandas(pd.concat(parts, ignore_index=True), npartitions=3)
    pd.testing.assert_frame_equal(ddf.compute(), pd.concat(parts, ignore_index=True))
