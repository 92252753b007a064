"""read_json / to_json (records, one object per line when ``lines=True``)."""
from __future__ import annotations

import functools
import io

import pandas as pd

from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import make_meta
from ._blocks import blocks_expr
from .csv import _text_to_memory
from ._names import numbered_names


def _parse_json(block, kwargs, meta):
    df = pd.read_json(io.BytesIO(block), **kwargs)
    if meta is not None and len(meta.columns):
        df = df.reindex(columns=meta.columns)
        dtypes = {c: meta[c].dtype for c in meta.columns if df[c].dtype != meta[c].dtype}
        if dtypes:
            df = df.astype(dtypes)
    return df


class ReadJSON(Blockwise):
    _parameters = ("blocks", "kwargs", "meta_")

    @functools.cached_property
    def _meta(self):
        return self.meta_

    def _divisions(self):
        return self.blocks.divisions

    @property
    def _partition_func(self):
        return _parse_json

    def _partition_args(self, i):
        return [self.blocks, self.kwargs, self.meta_]


def read_json(url_path, orient="records", lines=None, blocksize=None, compression="infer", meta=None,
              storage_options=None, **kwargs):
    """Read JSON files; with ``lines=True`` and ``blocksize=`` big files are split on newlines."""
    from shoal.bytes import read_bytes

    from .._collection import new_collection

    lines = orient == "records" if lines is None else lines
    if blocksize is not None and not lines:
        raise ValueError("read_json: blocksize= needs lines=True (one record per line)")
    sample, blocks = read_bytes(url_path, delimiter=b"\n" if lines else None, blocksize=blocksize,
                                sample="64 kiB" if lines else False, compression=compression,
                                **(storage_options or {}))
    flat = [b for file_blocks in blocks for b in file_blocks]
    kwargs = {"orient": orient, "lines": lines, **kwargs}
    if meta is None:
        if lines and sample:
            meta = make_meta(pd.read_json(io.BytesIO(sample), **kwargs))
        else:
            meta = make_meta(_parse_json(flat[0].compute(), kwargs, None))
    else:
        meta = make_meta(meta)
    name = f"read-json-blocks-{tokenize(url_path, blocksize, [b.key for b in flat])}"
    return new_collection(ReadJSON(blocks_expr(flat, name, _text_to_memory(
        url_path, [url_path] if isinstance(url_path, str) and "*" not in url_path else [], storage_options)),
        kwargs, meta))


def _write_json(part, path, storage_options, kwargs):
    import fsspec

    with fsspec.open(path, "w", **(storage_options or {})) as f:
        part.to_json(f, **kwargs)
    return path


def to_json(df, url_path, orient="records", lines=None, storage_options=None, compute=True,
            name_function=None, **kwargs):
    """Write one JSON file per partition (``*`` in the path is replaced by the partition number)."""
    import shoal.base
    from shoal.delayed import Delayed

    lines = orient == "records" if lines is None else lines
    if "*" not in url_path:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url_path, **(storage_options or {}))
        fs.makedirs(root, exist_ok=True)
        url_path = url_path.rstrip("/") + "/*.part"
    kwargs = {"orient": orient, "lines": lines, **kwargs}
    graph = dict(df.__shoal_graph__())
    token = tokenize(df._name, url_path, kwargs)
    name_function = name_function or numbered_names(df.npartitions)
    values = []
    for i, key in enumerate(df.__shoal_keys__()):
        out = (f"to-json-{token}", i)
        graph[out] = (_write_json, key, url_path.replace("*", name_function(i)), storage_options,
                      kwargs)
        values.append(Delayed(out, graph))
    if not compute:
        return values
    return list(shoal.base.compute(*values))
