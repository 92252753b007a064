"""``read_bytes``: split files (local, ``memory://``, ``s3://``, any fsspec protocol) into blocks that
end on a delimiter, each block a Delayed ``bytes`` value read only when computed."""

from __future__ import annotations

import fsspec
from fsspec.core import get_fs_token_paths
from fsspec.utils import infer_compression, read_block

from shoal.delayed import delayed
from shoal.tokens import tokenize
from shoal.utils import parse_bytes

open_files = fsspec.open_files


def read_bytes(urlpath, delimiter: bytes | None = None, not_zero: bool = False, blocksize="128 MiB",
               sample="10 kiB", compression: str | None = None, include_path: bool = False,
               **storage_options):
    """Read ``urlpath`` (a path, glob, URL or list of them) as blocks of bytes.

    Returns ``(sample, blocks)`` or, with ``include_path``, ``(sample, blocks, paths)``: ``sample`` is the
    first ``sample`` bytes of the first file (ending on the delimiter; ``False`` for none), ``blocks`` a
    list per file of Delayed ``bytes``. With a ``delimiter`` each block starts after and ends with a
    delimiter, so no record is split. Compressed files (``compression='infer'`` or a codec name) cannot
    be split and give one block each. ``not_zero`` skips a header: the first block starts at byte 1.
    """
    if isinstance(urlpath, (list, tuple)) and not urlpath:
        raise ValueError("read_bytes needs at least one path")
    fs, _, paths = get_fs_token_paths(urlpath, mode="rb", storage_options=storage_options)
    if not paths:
        raise OSError(f"no files match {urlpath!r}")
    if blocksize is not None:
        blocksize = parse_bytes(blocksize)
        if blocksize <= 0:
            raise ValueError(f"blocksize must be positive, not {blocksize}")
    blocks, out_paths = [], []
    for path in paths:
        codec = infer_compression(path) if compression == "infer" else compression
        size = fs.info(path).get("size") if (blocksize is not None and codec is None) else None
        if codec is not None or blocksize is None or not size:
            offsets, lengths = [0], [None]
        else:
            start = 1 if not_zero else 0
            offsets = list(range(start, size, blocksize)) or [start]
            lengths = [min(blocksize, size - o) for o in offsets]
        token = tokenize(fs.protocol, path, _modified(fs, path), delimiter, blocksize, codec)
        blocks.append([
            delayed(read_block_from_file, pure=True, name=f"read-block-{i}-{token}")(
                fs, path, offset, length, delimiter, codec
            )
            for i, (offset, length) in enumerate(zip(offsets, lengths))
        ])
        out_paths.append(path)
    sample_bytes = _sample(fs, paths[0], sample, delimiter, compression)
    if include_path:
        return sample_bytes, blocks, out_paths
    return sample_bytes, blocks


def _modified(fs, path):
    try:
        return fs.modified(path).isoformat()
    except Exception:  # noqa: BLE001 - not every filesystem knows modification times
        return fs.info(path).get("size")


def read_block_from_file(fs, path: str, offset: int, length: int | None, delimiter, compression):
    """Read one block; with a delimiter it is widened to whole records (fsspec's read_block)."""
    with fs.open(path, "rb", compression=compression) as f:
        if length is None:
            return f.read()
        return read_block(f, offset, length, delimiter)


def _sample(fs, path, sample, delimiter, compression):
    if not sample:
        return False
    nbytes = parse_bytes(sample) if not isinstance(sample, bool) else parse_bytes("10 kiB")
    codec = infer_compression(path) if compression == "infer" else compression
    with fs.open(path, "rb", compression=codec) as f:
        data = f.read(nbytes)
        if delimiter:
            # finish the last record so the sample can be parsed
            while not data.endswith(delimiter):
                more = f.read(nbytes)
                if not more:
                    break
                data += more
                cut = data.find(delimiter, len(data) - len(more) - len(delimiter) + 1)
                if cut >= 0:
                    data = data[: cut + len(delimiter)]
                    break
    return data
