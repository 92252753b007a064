"""Text in and out: read_text (globs, many files, blocks, compression, include_path, fsspec URLs,
errors naming file and line) and to_textfiles."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma

import fsspec
import pytest
import shoal.bag as sb
from shoal.bag.testing import assert_eq

OPENERS = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open, "txt": open}


def write_lines(path, lines, opener=open):
    with opener(path, "wt") as f:
        for line in lines:
            f.write(line + "\n")


@pytest.fixture
def three_files(tmp_path):
    expected = []
    for i in range(3):
        lines = [f"file{i} line{j}" for j in range(5 + i)]
        write_lines(tmp_path / f"part-{i}.txt", lines)
        expected.extend(line + "\n" for line in lines)
    return tmp_path, expected


def test_read_text_glob_one_partition_per_file(three_files):
    path, expected = three_files
    b = sb.read_text(str(path / "*.txt"))
    assert b.npartitions == 3
    assert_eq(b, expected)


def test_read_text_list_of_paths_and_files_per_partition(three_files):
    path, expected = three_files
    files = [str(path / f"part-{i}.txt") for i in range(3)]
    assert_eq(sb.read_text(files), expected)
    grouped = sb.read_text(files, files_per_partition=2)
    assert grouped.npartitions == 2
    assert_eq(grouped, expected)


def test_read_text_no_match_names_the_pattern(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        sb.read_text(str(tmp_path / "nothing-here*.txt"))


@pytest.mark.parametrize("blocksize", [20, 64, "1 kiB"])
def test_read_text_blocksize_splits_on_lines(tmp_path, blocksize):
    lines = [f"record number {j} " + "x" * (j % 13) for j in range(200)]
    write_lines(tmp_path / "big.txt", lines)
    b = sb.read_text(str(tmp_path / "big.txt"), blocksize=blocksize)
    assert b.npartitions > 1
    assert_eq(b, [line + "\n" for line in lines])


@pytest.mark.parametrize("ext", ["gz", "bz2", "xz"])
def test_read_text_compression_by_extension(tmp_path, ext):
    lines = [f"compressed {j}" for j in range(50)]
    write_lines(tmp_path / f"a.txt.{ext}", lines, OPENERS[ext])
    write_lines(tmp_path / f"b.txt.{ext}", lines[:3], OPENERS[ext])
    b = sb.read_text(str(tmp_path / f"*.txt.{ext}"))
    assert_eq(b, [line + "\n" for line in lines + lines[:3]])


def test_read_text_blocksize_with_compressed_files(tmp_path):
    lines = [f"line {j}" for j in range(100)]
    write_lines(tmp_path / "a.txt", lines)
    write_lines(tmp_path / "b.txt.gz", lines, gzip.open)
    b = sb.read_text(str(tmp_path / "*"), blocksize=100)
    assert b.npartitions > 2  # blocks of a.txt, and b.txt.gz whole
    assert_eq(b, [line + "\n" for line in lines + lines])
    bad = tmp_path / "bad.json.gz"
    write_lines(bad, ['{"a": 1}', "{oops"], gzip.open)
    with pytest.raises(json.JSONDecodeError) as info:
        sb.read_text(str(bad), blocksize=10).map(json.loads).compute()
    assert "line 2 of file" in "\n".join(info.value.__notes__)


def test_read_text_explicit_compression(tmp_path):
    write_lines(tmp_path / "data.log", ["a", "b"], gzip.open)  # no telling extension
    assert_eq(sb.read_text(str(tmp_path / "data.log"), compression="gzip"), ["a\n", "b\n"])


def test_read_text_include_path(three_files):
    path, expected = three_files
    b = sb.read_text(str(path / "*.txt"), include_path=True)
    pairs = b.compute()
    assert [line for line, _ in pairs] == expected
    assert {p.rsplit("/", 1)[-1] for _, p in pairs} == {"part-0.txt", "part-1.txt", "part-2.txt"}
    assert all(p.endswith(line.split()[0].replace("file", "part-") + ".txt") for line, p in pairs)
    blocks = sb.read_text(str(path / "*.txt"), include_path=True, blocksize=16)
    assert sorted(blocks.compute()) == sorted(pairs)


def test_read_text_memory_filesystem():
    fs = fsspec.filesystem("memory")
    for i in range(2):
        with fs.open(f"/bagtest/m{i}.json", "w") as f:
            f.write("\n".join(json.dumps({"i": i, "j": j}) for j in range(4)) + "\n")
    b = sb.read_text("memory://bagtest/*.json").map(json.loads)
    assert b.npartitions == 2
    assert_eq(b.pluck("j").sum(), 2 * sum(range(4)))
    assert_eq(sb.read_text("memory://bagtest/m1.json", blocksize=10).map(json.loads).count(), 4)


def test_read_text_linedelimiter(tmp_path):
    (tmp_path / "x.txt").write_text("a;b;c;")
    assert_eq(sb.read_text(str(tmp_path / "x.txt"), linedelimiter=";"), ["a;", "b;", "c;"])
    assert_eq(sb.read_text(str(tmp_path / "x.txt"), linedelimiter=";", blocksize=2),
              ["a;", "b;", "c;"])


def test_read_text_collection_false_gives_delayed(three_files):
    path, expected = three_files
    parts = sb.read_text(str(path / "*.txt"), collection=False)
    assert len(parts) == 3
    assert sum((p.compute(scheduler="sync") for p in parts), []) == expected


def bad_json_files(tmp_path, opener=gzip.open, ext="json.gz"):
    for i in range(3):
        lines = [json.dumps({"i": i, "j": j}) for j in range(10)]
        if i == 1:
            lines[6] = '{"i": 1, "j": oops}'
        write_lines(tmp_path / f"events-{i}.{ext}", lines, opener)
    return str(tmp_path / f"*.{ext}")


def test_bad_json_line_names_file_and_line(tmp_path):
    b = sb.read_text(bad_json_files(tmp_path)).map(json.loads)
    with pytest.raises(json.JSONDecodeError) as info:
        b.pluck("j").sum().compute()
    note = "\n".join(info.value.__notes__)
    assert "events-1.json.gz" in note and "line 7 " in note


def test_bad_json_line_named_in_processes(tmp_path):
    b = sb.read_text(bad_json_files(tmp_path)).map(str.strip).map(json.loads)
    with pytest.raises(json.JSONDecodeError) as info:
        b.count().compute(scheduler="processes")
    note = "\n".join(info.value.__notes__)
    assert "events-1.json.gz" in note and "line 7 " in note


def test_bad_json_line_in_a_block_names_file_line(tmp_path):
    pattern = bad_json_files(tmp_path, open, "json")
    b = sb.read_text(pattern, blocksize=60).map(json.loads)
    assert b.npartitions > 6
    with pytest.raises(json.JSONDecodeError) as info:
        b.compute()
    note = "\n".join(info.value.__notes__)
    assert "events-1.json" in note and "line 7 " in note


@pytest.mark.parametrize("ext", ["txt", "gz", "bz2"])
def test_to_textfiles_round_trip(tmp_path, ext):
    b = sb.from_sequence([f"line {i}" for i in range(25)], npartitions=4)
    paths = b.to_textfiles(str(tmp_path / f"out-*.{ext}"))
    assert len(paths) == 4 and all(p.endswith(f".{ext}") for p in paths)
    with OPENERS[ext](paths[1], "rt") as f:
        assert f.read().splitlines() == [f"line {i}" for i in range(7, 14)]  # partitions of 7
    assert_eq(sb.read_text(str(tmp_path / f"out-*.{ext}")).map(str.strip), b)


def test_to_textfiles_directory_name_function_and_delayed(tmp_path):
    b = sb.from_sequence(["a", "b", "c"], npartitions=3)
    parts = sb.to_textfiles(b, str(tmp_path / "outdir"), compute=False)
    assert len(parts) == 3
    for p in parts:
        p.compute(scheduler="sync")
    assert sorted(x.name for x in (tmp_path / "outdir").iterdir()) == ["0.part", "1.part", "2.part"]
    b.to_textfiles(str(tmp_path / "named-*.txt"), name_function=lambda i: f"{i:03d}",
                   last_endline=True)
    assert (tmp_path / "named-002.txt").read_text() == "c\n"


def test_to_textfiles_rejects_non_strings(tmp_path):
    with pytest.raises(TypeError, match="partition 0.*json.dumps"):
        sb.from_sequence([{"a": 1}], npartitions=1).to_textfiles(str(tmp_path / "*.txt"))


def test_local_files_are_read_without_fsspec_in_the_task(tmp_path):
    """Local plain/gzip/bz2/xz files are opened with the standard library (workers need not import
    fsspec); other codecs and filesystems go through fsspec."""
    from shoal.bag.text import _reader

    local = fsspec.filesystem("file")
    assert _reader(local, [("a.gz", "gzip"), ("b.txt", None), ("c.xz", "xz")]) is None
    assert _reader(local, [("a.zip", "zip")]) is local
    memory = fsspec.filesystem("memory")
    assert _reader(memory, [("a.gz", "gzip")]) is memory
    with gzip.open(tmp_path / "a.txt.gz", "wt", encoding="latin-1") as f:
        f.write("caf\xe9\r\nline two\n")
    lines = sb.read_text(str(tmp_path / "a.txt.gz"), encoding="latin-1").compute()
    assert lines == ["caf\xe9\n", "line two\n"]  # universal newlines, as fsspec's text mode
