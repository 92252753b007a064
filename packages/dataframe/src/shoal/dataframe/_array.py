"""Conversions to and from shoal arrays (imported lazily: shoal.array is an optional extra)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd


def _import_array():
    try:
        import shoal.array as sa
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise ImportError("to_array/.values need shoal.array: pip install 'shoal-dataframe[array]'") from e
    return sa


def _values(part):
    return part.to_numpy()


def _records(part, index):
    return part.to_records(index=index)


def _as_array(frame, func, dtype, ncols, lengths=None, extra=()):
    sa = _import_array()
    from shoal.base import tokenize

    graph = dict(frame.__shoal_graph__())
    keys = frame.__shoal_keys__()
    name = f"{func.__name__.strip('_')}-{tokenize(frame._name, *extra)}"
    n = len(keys)
    if lengths is True:
        lengths = _partition_lengths(frame)
    rows = tuple(lengths) if lengths else (math.nan,) * n
    for i, key in enumerate(keys):
        out_key = (name, i) if ncols is None else (name, i, 0)
        graph[out_key] = (func, key, *extra)
    chunks = (rows,) if ncols is None else (rows, (ncols,))
    return sa.Array(graph, name, chunks, dtype=dtype)


def _partition_lengths(frame):
    from ._collection import new_collection
    from ._expr import MapPartitions

    sizes = new_collection(MapPartitions(_len_series, pd.Series([], dtype="int64"), "clear", {}, False,
                                         [frame.expr])).compute()
    return tuple(int(x) for x in sizes)


def _len_series(part):
    return pd.Series([len(part)], dtype="int64")


def to_array(frame, lengths=None):
    """A shoal Array of the values; chunk lengths are unknown unless ``lengths=True``."""
    meta = frame._meta
    dtype = meta.dtype if not isinstance(meta, pd.DataFrame) else _common_dtype(meta)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        dtype = np.dtype(object)
    ncols = None if not isinstance(meta, pd.DataFrame) else len(meta.columns)
    return _as_array(frame, _values, dtype, ncols, lengths)


def _common_dtype(meta):
    try:
        return meta.to_numpy().dtype if len(meta.columns) else np.dtype(float)
    except Exception:
        return np.dtype(object)


def to_records(frame, index=False):
    dtype = frame._meta.to_records(index=index).dtype
    return _as_array(frame, _records, dtype, None, None, extra=(index,))


def from_shoal_array(x, columns=None, meta=None):
    """A DataFrame/Series with one partition per row-block of a shoal Array."""
    from ._collection import new_collection
    from ._expr import FromGraph
    from shoal.base import tokenize

    if x.ndim == 2 and len(x.chunks[1]) != 1:
        x = x.rechunk({1: x.shape[1]})
    graph = dict(x.__shoal_graph__())
    keys = x.__shoal_keys__()
    if x.ndim == 2:
        keys = [k[0] for k in keys]
        if columns is None:
            columns = list(range(x.shape[1]))
        meta = pd.DataFrame(np.empty((0, len(columns)), dtype=x.dtype), columns=columns)
    else:
        meta = pd.Series([], dtype=x.dtype, name=columns)
    name = f"from-array-{tokenize(x.name, columns)}"
    starts = np.cumsum((0,) + tuple(x.chunks[0]))
    known = not any(math.isnan(c) for c in x.chunks[0])
    for i, key in enumerate(keys):
        graph[(name, i)] = (_to_pandas, key, meta, int(starts[i]) if known else None)
    if known and len(x.chunks[0]):
        divisions = tuple(int(s) for s in starts[:-1]) + (int(starts[-1]) - 1,)
    else:
        divisions = (None,) * (len(keys) + 1)
    return new_collection(FromGraph(graph, name, meta, divisions))


def _to_pandas(block, meta, start):
    index = pd.RangeIndex(start, start + len(block)) if start is not None else None
    if isinstance(meta, pd.DataFrame):
        return pd.DataFrame(block, columns=meta.columns, index=index)
    return pd.Series(block, name=meta.name, index=index)
