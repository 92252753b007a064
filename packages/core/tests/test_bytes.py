"""read_bytes through fsspec: local files, globs, memory://, delimiters, compression, headers."""

import gzip

import fsspec
import pytest

import shoal
from shoal.bytes import open_files, read_bytes

LINES = b"".join(b"record %d,%s\n" % (i, b"x" * (i % 7)) for i in range(2000))


@pytest.fixture
def files(tmp_path):
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_bytes(LINES)
    (tmp_path / "c.csv.gz").write_bytes(gzip.compress(LINES))
    return tmp_path


def test_blocks_end_on_the_delimiter_and_cover_the_file(files):
    sample, blocks = read_bytes(str(files / "*.csv"), delimiter=b"\n", blocksize=1000)
    assert len(blocks) == 2 and len(blocks[0]) > 10
    for per_file in blocks:
        parts = shoal.compute(*per_file)
        assert all(p.endswith(b"\n") for p in parts if p)
        assert b"".join(parts) == LINES
    assert LINES.startswith(sample) and sample.endswith(b"\n")


def test_no_delimiter_blocks_are_exact(files):
    _, blocks = read_bytes(str(files / "a.csv"), blocksize=4096, sample=False)
    parts = shoal.compute(*blocks[0])
    assert all(len(p) == 4096 for p in parts[:-1])
    assert b"".join(parts) == LINES


def test_compressed_files_are_one_block_each(files):
    sample, blocks, paths = read_bytes(str(files / "*.gz"), delimiter=b"\n", blocksize=100,
                                       compression="infer", include_path=True)
    assert len(blocks[0]) == 1 and paths[0].endswith("c.csv.gz")
    assert blocks[0][0].compute() == LINES
    assert sample.startswith(b"record 0")


def test_not_zero_skips_a_header(files):
    _, blocks = read_bytes(str(files / "a.csv"), delimiter=b"\n", blocksize=10_000, not_zero=True)
    assert b"".join(shoal.compute(*blocks[0])) == LINES[LINES.index(b"\n") + 1:]


def test_memory_filesystem_and_lists_of_paths():
    fs = fsspec.filesystem("memory")
    fs.pipe("/bytes-test/one.txt", b"a\nb\nc\n")
    fs.pipe("/bytes-test/two.txt", b"d\n")
    _, blocks = read_bytes(["memory://bytes-test/one.txt", "memory://bytes-test/two.txt"], delimiter=b"\n")
    assert [b"".join(shoal.compute(*b)) for b in blocks] == [b"a\nb\nc\n", b"d\n"]
    with open_files("memory://bytes-test/*.txt", "rt") as fobjs:
        assert [f.read() for f in fobjs] == ["a\nb\nc\n", "d\n"]


def test_tokens_are_stable_and_errors_name_the_path(files):
    _, b1 = read_bytes(str(files / "a.csv"), blocksize=1000)
    _, b2 = read_bytes(str(files / "a.csv"), blocksize=1000)
    assert [d.key for d in b1[0]] == [d.key for d in b2[0]]
    with pytest.raises(OSError, match="no-such-file"):
        read_bytes(str(files / "no-such-file*.csv"))
    with pytest.raises(ValueError, match="bytes"):
        read_bytes(str(files / "a.csv"), blocksize="lots")
