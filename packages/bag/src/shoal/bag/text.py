"""``read_text``: a bag of lines from text files anywhere fsspec reaches (local, ``memory://``, ``s3://``).

Without ``blocksize`` each file (or each group of ``files_per_partition`` files) is one partition whose
lines are read lazily from a decompressing stream, so a pipeline over a file never holds it in memory.
With ``blocksize`` uncompressed files are cut into blocks ending on a line boundary
(``shoal.bytes.read_bytes``). Each partition remembers its file and how many lines precede it, so a
failing ``map(json.loads)`` names the file and the line.
"""

from __future__ import annotations

import importlib
from functools import partial

from shoal.bag.graph import new_bag
from shoal.base import tokenize
from shoal.utils import parse_bytes


def read_text(urlpath, blocksize=None, compression="infer", encoding="utf-8", errors="strict",
              linedelimiter=None, collection=True, storage_options=None, files_per_partition=None,
              include_path=False):
    """A Bag of the lines (with their line endings) of the files matching ``urlpath``.

    ``urlpath`` is a path, glob or URL, or a list of them. ``compression`` is ``'infer'`` (from the
    file extension: gzip, bz2, xz, ...), a codec name or None. ``blocksize`` (bytes, or a string such
    as ``'64 MiB'``) cuts uncompressed files into blocks; compressed files cannot be cut and are
    streamed whole. Without a blocksize a partition is one file (or ``files_per_partition`` files).
    ``include_path=True`` makes each
    element a ``(line, path)`` pair. ``collection=False`` returns one Delayed list per partition.
    """
    from fsspec.core import get_fs_token_paths  # fsspec is imported when files are first read

    storage_options = storage_options or {}
    fs, _, paths = get_fs_token_paths(urlpath, mode="rb", storage_options=storage_options)
    if not paths:
        raise FileNotFoundError(f"read_text: no files match {urlpath!r}")
    token = tokenize(fs.protocol, paths, [_modified(fs, p) for p in paths], blocksize, compression,
                     encoding, errors, linedelimiter, files_per_partition, include_path)
    name = f"read-text-{token}"
    if blocksize is None:
        layer, origins, deps = _file_partitions(name, fs, paths, compression, encoding, errors,
                                                linedelimiter, files_per_partition, include_path)
    else:
        if files_per_partition is not None:
            raise ValueError("read_text: give blocksize or files_per_partition, not both")
        layer, origins, deps = _block_partitions(name, fs, paths, blocksize, compression, encoding,
                                                 errors, linedelimiter, include_path, storage_options)
    bag = new_bag(name, layer, deps, len(layer), origins)
    return bag if collection else bag.to_delayed()


def _modified(fs, path):
    try:
        return str(fs.modified(path))
    except Exception:  # noqa: BLE001 - not every filesystem knows modification times
        return fs.info(path).get("size")


def _file_partitions(name, fs, paths, compression, encoding, errors, linedelimiter,
                     files_per_partition, include_path):
    from fsspec.utils import infer_compression

    groups = [paths[i:i + (files_per_partition or 1)]
              for i in range(0, len(paths), files_per_partition or 1)]
    layer, origins = {}, []
    for i, group in enumerate(groups):
        files = [(path, infer_compression(path) if compression == "infer" else compression)
                 for path in group]
        layer[(name, i)] = (file_lines, _reader(fs, files), files, encoding, errors, linedelimiter,
                            include_path)
        origins.append((group[0], 0) if len(group) == 1 else None)
    return layer, origins, []


_STDLIB_CODECS = {None: "builtins", "gzip": "gzip", "bz2": "bz2", "xz": "lzma", "lzma": "lzma"}


def _reader(fs, files):
    """``None`` when ``files`` are local and plain or gzip/bz2/xz: the task then opens them with the
    standard library, so a worker process reading local files never imports fsspec (as fast per
    line, and it saves each fresh worker that import). Otherwise the fsspec filesystem."""
    local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))
    if local and all(codec in _STDLIB_CODECS for _, codec in files):
        return None
    return fs


def open_text(fs, path: str, codec, encoding: str, errors: str):
    """A text-mode file object (universal newlines) for ``path``, through ``fs`` or, when ``fs`` is
    None, the standard library's ``open`` of the codec's module."""
    if fs is not None:
        return fs.open(path, "rt", compression=codec, encoding=encoding, errors=errors)
    module = importlib.import_module(_STDLIB_CODECS[codec])
    return module.open(path, "rt", encoding=encoding, errors=errors)


def file_lines(fs, files, encoding, errors, linedelimiter, include_path):
    """The lines of each ``(path, compression)`` in ``files``, read lazily one after another."""
    for path, codec in files:
        with open_text(fs, path, codec, encoding, errors) as f:
            lines = iter(f) if linedelimiter is None else _split_stream(f, linedelimiter)
            if include_path:
                for line in lines:
                    yield line, path
            else:
                yield from lines


def _split_stream(f, delimiter: str, chunk_size: int = 2**16):
    """Lines ending in ``delimiter`` from a text stream, read a chunk at a time."""
    rest = ""
    while True:
        chunk = f.read(chunk_size)
        if not chunk:
            break
        pieces = (rest + chunk).split(delimiter)
        rest = pieces.pop()
        for piece in pieces:
            yield piece + delimiter
    if rest:
        yield rest


def _block_partitions(name, fs, paths, blocksize, compression, encoding, errors, linedelimiter,
                      include_path, storage_options):
    """Blocks of the uncompressed files; compressed files cannot be cut, so each is streamed whole
    (rather than decompressed into memory as a single block)."""
    from fsspec.utils import infer_compression

    from shoal.bytes import read_bytes

    codecs = {p: infer_compression(p) if compression == "infer" else compression for p in paths}
    plain = [p for p in paths if codecs[p] is None]
    delimiter = (linedelimiter or "\n").encode(encoding)
    blocks_of = {}
    if plain:
        _, blocks, read = read_bytes([fs.unstrip_protocol(p) for p in plain], delimiter=delimiter,
                                     blocksize=blocksize, sample=False, include_path=True,
                                     **storage_options)
        blocks_of = dict(zip(read, blocks))
    size = parse_bytes(blocksize)
    layer, origins, deps = {}, [], []
    for path in paths:
        if codecs[path] is not None:
            files = [(path, codecs[path])]
            layer[(name, len(layer))] = (file_lines, _reader(fs, files), files, encoding, errors,
                                         linedelimiter, include_path)
            origins.append((path, 0))
            continue
        for j, block in enumerate(blocks_of[path]):
            offset = j * size  # read_bytes cuts blocks at multiples of blocksize
            layer[(name, len(layer))] = (block_lines, block.key, encoding, errors, linedelimiter,
                                         path if include_path else None)
            deps.append(block)
            before = 0 if offset == 0 else partial(lines_before, fs, path, offset, delimiter)
            origins.append((path, before))
    return layer, origins, deps


def block_lines(data: bytes, encoding, errors, linedelimiter, path):
    """The lines of one block of bytes (each keeping its line ending)."""
    text = data.decode(encoding, errors)
    del data  # the block's bytes are not needed while its lines are consumed
    if linedelimiter is None:
        if "\r" in text:  # universal newlines, as when reading a whole file in text mode
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        linedelimiter = "\n"
    lines = _split_text(text, linedelimiter)
    if path is None:
        return lines
    return ((line, path) for line in lines)


def _split_text(text: str, delimiter: str):
    """Lines of ``text`` ending in ``delimiter``, sliced one at a time (no second copy of the block)."""
    start, width = 0, len(delimiter)
    find = text.find
    while True:
        end = find(delimiter, start)
        if end < 0:
            break
        yield text[start:end + width]
        start = end + width
    if start < len(text):
        yield text[start:]


def lines_before(fs, path, offset: int, delimiter: bytes) -> int:
    """How many lines precede the block read from ``offset`` (used only to name a failing line).

    A block starting at ``offset > 0`` begins just after the first delimiter at or after ``offset``.
    """
    with fs.open(path, "rb") as f:
        head = f.read(offset)
    return head.count(delimiter) + 1
