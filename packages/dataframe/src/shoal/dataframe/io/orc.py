"""read_orc / to_orc through pyarrow.orc and fsspec: one partition per ORC stripe.

Only the columns used downstream are read (projection pushdown), as for CSV and Parquet.
"""
from __future__ import annotations

import functools


from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import make_meta


def _orc():
    try:
        import pyarrow.orc as orc
    except ImportError as e:  # pyarrow built without ORC support
        raise ImportError("read_orc/to_orc need pyarrow with ORC support (pip install pyarrow)") \
            from e
    return orc


def _read_stripe(fs, path, stripe, columns, index):
    orc = _orc()
    with fs.open(path, "rb") as f:
        orc_file = orc.ORCFile(f)
        table = orc_file.read(columns=columns) if stripe is None else \
            orc_file.read_stripe(stripe, columns=columns)
    df = table.to_pandas()
    return df.set_index(index) if index is not None else df


class ReadORC(Blockwise):
    _parameters = ("fs", "pieces", "meta_", "columns_", "index")

    @functools.cached_property
    def _meta(self):
        meta = self.meta_
        if self.columns_ is not None:
            meta = meta[[c for c in meta.columns if c in self.columns_ or c == self.index]]
        return meta.set_index(self.index) if self.index is not None else meta

    def _divisions(self):
        return (None,) * (len(self.pieces) + 1)

    @property
    def _partition_func(self):
        return _read_stripe

    def _partition_args(self, i):
        path, stripe = self.pieces[i]
        return [self.fs, path, stripe, self._columns_to_read(), self.index]

    def _columns_to_read(self):
        if self.columns_ is None:
            return None
        extra = [self.index] if self.index is not None and self.index not in self.columns_ else []
        return [c for c in self.meta_.columns if c in self.columns_ or c in extra]

    def _project_columns(self, columns):
        return ReadORC(self.fs, self.pieces, self.meta_, [c for c in columns if c != self.index],
                       self.index)

    def _label(self):
        cols = f", columns={self.columns_}" if self.columns_ is not None else ""
        return f"ReadORC({len(self.pieces)} stripes{cols})"


def read_orc(path, columns=None, index=None, storage_options=None):
    """Read ORC files (a path, glob, directory or list) into a DataFrame, one partition per stripe."""
    import fsspec

    from .._collection import new_collection

    orc = _orc()
    fs, _, paths = fsspec.core.get_fs_token_paths(path, mode="rb",
                                                  storage_options=storage_options or {})
    if len(paths) == 1 and fs.isdir(paths[0]):
        paths = sorted(p for p in fs.find(paths[0]) if not p.rsplit("/", 1)[-1].startswith(("_", ".")))
    if not paths:
        raise OSError(f"read_orc: no files match {path!r}")
    pieces, meta = [], None
    for p in paths:
        with fs.open(p, "rb") as f:
            orc_file = orc.ORCFile(f)
            if meta is None:
                meta = make_meta(orc_file.schema.empty_table().to_pandas())
            pieces.extend((p, s) for s in range(orc_file.nstripes))  # empty files have none
    if not pieces:
        pieces = [(paths[0], None)]
    missing = [c for c in (columns or []) + ([index] if index else []) if c not in meta.columns]
    if missing:
        raise KeyError(f"read_orc: column(s) {missing} not in the files' columns {list(meta.columns)}")
    return new_collection(ReadORC(fs, pieces, meta, list(columns) if columns else None, index))


def _write_orc(part, fs, path, write_index):
    import pyarrow as pa

    orc = _orc()
    table = pa.Table.from_pandas(part.reset_index() if write_index else part, preserve_index=False)
    with fs.open(path, "wb") as f:
        orc.write_table(table, f)
    return path


def to_orc(df, path, write_index=True, storage_options=None, compute=True):
    """Write one ORC file per partition into directory ``path`` (part.0.orc, part.1.orc, ...)."""
    import fsspec

    import shoal.base
    from shoal.delayed import Delayed

    fs, root = fsspec.core.url_to_fs(path, **(storage_options or {}))
    fs.makedirs(root, exist_ok=True)
    graph = dict(df.__shoal_graph__())
    name = f"to-orc-{tokenize(df._name, path, write_index)}"
    keys = []
    for i, key in enumerate(df.__shoal_keys__()):
        graph[(name, i)] = (_write_orc, key, fs, f"{root.rstrip('/')}/part.{i}.orc", write_index)
        keys.append((name, i))
    values = [Delayed(k, graph) for k in keys]
    if not compute:
        return values
    return list(shoal.base.compute(*values))
