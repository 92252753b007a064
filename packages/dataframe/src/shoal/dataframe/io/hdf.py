"""read_hdf / to_hdf through pandas' HDFStore (PyTables), in 'table' format.

HDF5 files are read in row ranges of ``chunksize`` (one partition each) and written one partition
after another (a chain of tasks), because the HDF5 library may not be used from several threads
at once; a process-wide lock serialises the calls.
"""
from __future__ import annotations

import fnmatch
import functools
import glob
import os
import threading

import pandas as pd

from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import make_meta
from ._names import numbered_names

_HDF_LOCK = threading.Lock()


def _tables():
    try:
        import tables  # noqa: F401
    except ImportError as e:
        raise ImportError("read_hdf/to_hdf need PyTables: pip install tables") from e


def _read_rows(path, key, start, stop, columns):
    with _HDF_LOCK:
        return pd.read_hdf(path, key, start=start, stop=stop, columns=columns, mode="r")


class ReadHDF(Blockwise):
    _parameters = ("pieces", "meta_", "columns_", "divisions_")

    @functools.cached_property
    def _meta(self):
        return self.meta_ if self.columns_ is None else self.meta_[self.columns_]

    def _divisions(self):
        return self.divisions_

    @property
    def _partition_func(self):
        return _read_rows

    def _partition_args(self, i):
        return [*self.pieces[i], self.columns_]

    def _project_columns(self, columns):
        if isinstance(self.meta_, pd.Series):
            return self
        return ReadHDF(self.pieces, self.meta_, list(columns), self.divisions_)

    def _label(self):
        return f"ReadHDF({len(self.pieces)} row ranges)"


def _keys_matching(path, key):
    with _HDF_LOCK, pd.HDFStore(path, mode="r") as store:
        wanted = key if key.startswith("/") else "/" + key
        keys = [k for k in store.keys() if fnmatch.fnmatch(k, wanted)]
        return [(k, store.get_storer(k).nrows, store.get_storer(k).is_table) for k in keys]


def _index_value(path, key, row):
    with _HDF_LOCK:
        value = pd.read_hdf(path, key, start=row, stop=row + 1, columns=[], mode="r").index[0]
    return value.item() if hasattr(value, "item") else value


def read_hdf(pattern, key, start=0, stop=None, columns=None, chunksize=1_000_000,
             sorted_index=False, mode="r"):
    """Read HDF5 tables (a path or glob; ``key`` may hold ``*``) in partitions of ``chunksize``
    rows.  With ``sorted_index=True`` the divisions are read from the partition edges."""
    from .._collection import new_collection

    _tables()
    paths = sorted(glob.glob(pattern)) if isinstance(pattern, str) else list(pattern)
    if not paths:
        raise OSError(f"read_hdf: no files match {pattern!r}")
    if chunksize <= 0:
        raise ValueError(f"read_hdf: chunksize must be positive, got {chunksize}")
    pieces, first_key = [], None
    for path in paths:
        # (a file written from an empty partition may hold no table at all)
        for k, nrows, is_table in _keys_matching(path, key):
            first_key = first_key or (path, k)
            if not is_table:
                raise ValueError(f"read_hdf: {path}:{k} is in 'fixed' format, which cannot be "
                                 "read in pieces; write it with format='table'")
            end = nrows if stop is None else min(stop, nrows)
            bounds = list(range(start, end, chunksize)) + [end]
            pieces.extend((path, k, a, b) for a, b in zip(bounds[:-1], bounds[1:]))
    if first_key is None:
        raise KeyError(f"read_hdf: no key matching {key!r} in {paths}")
    if not pieces:
        pieces = [(*first_key, 0, 0)]
    with _HDF_LOCK:
        # one real row: an empty read reports strings as object
        meta = make_meta(pd.read_hdf(*first_key, start=0, stop=1, mode="r"))
    missing = [c for c in (columns or []) if c not in getattr(meta, "columns", [])]
    if missing:
        raise KeyError(f"read_hdf: column(s) {missing} not in {list(meta.columns)}")
    divisions = (None,) * (len(pieces) + 1)
    if sorted_index and all(b > a for _, _, a, b in pieces):
        firsts = [_index_value(p, k, a) for p, k, a, _ in pieces]
        divisions = (*firsts, _index_value(*pieces[-1][:2], pieces[-1][3] - 1))
    return new_collection(ReadHDF(pieces, meta, list(columns) if columns else None, divisions))


def _write_hdf(part, path, key, mode, append, kwargs, after=None, same_key=False):
    """Write one partition; ``after`` is what the previous write in the same file returned.
    Returns whether anything is in the file yet (the next write then appends)."""
    written_before = bool(after)
    if written_before:
        mode, append = "a", True if same_key else append
    with _HDF_LOCK:
        if len(part) == 0:
            # pandas writes nothing for an empty table; a new file must still be truncated
            if mode == "w":
                pd.HDFStore(path, mode="w").close()
            return written_before
        part.to_hdf(path, key=key, mode=mode, append=append, format="table", **kwargs)
    return True


def to_hdf(df, path, key, mode="a", append=False, name_function=None, compute=True, **kwargs):
    """Write to HDF5 in 'table' format: ``*`` in ``path`` gives one file per partition, ``*`` in
    ``key`` one key per partition; otherwise all partitions go one after another into one table."""
    import shoal.base
    from shoal.delayed import Delayed

    _tables()
    if "*" in path and "*" in key:
        raise ValueError("to_hdf: put '*' in the path or in the key, not both")
    name_function = name_function or numbered_names(df.npartitions)
    graph = dict(df.__shoal_graph__())
    name = f"to-hdf-{tokenize(df._name, path, key, mode, append, kwargs)}"
    keys, prev = [], None
    for i, part_key in enumerate(df.__shoal_keys__()):
        file_i = path.replace("*", name_function(i))
        key_i = key.replace("*", name_function(i))
        if "*" in path:
            graph[(name, i)] = (_write_hdf, part_key, file_i, key_i, mode, append, kwargs)
        else:  # one file: the writes are chained, each after the previous one
            graph[(name, i)] = (_write_hdf, part_key, file_i, key_i, mode, append, kwargs, prev,
                                "*" not in key)
            prev = (name, i)
        keys.append((name, i))
    if "*" not in path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    values = [Delayed(k, graph) for k in keys]
    if not compute:
        return values
    shoal.base.compute(*values)
    return None
