"""A block of an uncompressed text file, streamed to the parser instead of read into memory first.

Reading a 64 MiB block into one ``bytes`` object and prepending the header line copies it twice
into fresh memory before pandas sees it; on a busy machine those page faults cost as much as the
parsing.  A ``FileBlock`` names the byte range instead, and :func:`open_block` gives pandas a
file-like object that yields the header and then the range, through a small reused buffer.
Block edges are moved to line ends exactly as ``shoal.bytes.read_bytes`` moves them, so the
rows of each block are the same whichever way it is read.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from fsspec.utils import seek_delimiter

BUFFER = 2**20


@dataclass(frozen=True)
class FileBlock:
    """Bytes ``offset`` to ``offset + length`` of ``path``, widened to whole lines."""

    fs: object
    path: str
    offset: int
    length: int
    delimiter: bytes = b"\n"


def _line_start(f, position, delimiter):
    f.seek(position)
    seek_delimiter(f, delimiter, 2**16)
    return f.tell() if position else 0


class _BlockReader(io.RawIOBase):
    def __init__(self, f, start, end, prefix):
        self._f, self._end, self._prefix = f, end, memoryview(prefix or b"")
        f.seek(start)

    def readable(self):
        return True

    def readinto(self, buffer):
        out = memoryview(buffer).cast("B")
        if len(self._prefix):
            n = min(len(out), len(self._prefix))
            out[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        n = min(len(out), self._end - self._f.tell())
        if n <= 0:
            return 0
        return self._f.readinto(out[:n])

    def close(self):
        self._f.close()
        super().close()


def open_block(block: FileBlock, prefix: bytes | None):
    """A binary file object reading ``prefix`` then the lines of ``block``; close it when done."""
    f = block.fs.open(block.path, "rb")
    try:
        start = _line_start(f, block.offset, block.delimiter)
        end = _line_start(f, block.offset + block.length, block.delimiter)
    except BaseException:
        f.close()
        raise
    return io.BufferedReader(_BlockReader(f, start, end, prefix), BUFFER)


def file_blocks(fs, paths, blocksize, delimiter=b"\n"):
    """FileBlocks splitting each (uncompressed) file like read_bytes does, or None if not possible."""
    out = []
    for path in paths:
        size = fs.info(path).get("size")
        if not size:
            return None
        offsets = range(0, size, blocksize)
        out.append([FileBlock(fs, path, o, min(blocksize, size - o), delimiter) for o in offsets])
    return out
