"""Creating collections from in-memory data: pandas, dicts, NumPy arrays, delayed objects/futures."""
from __future__ import annotations

import uuid

import numpy as np
import pandas as pd

from shoal.base import tokenize

from ._collection import new_collection
from ._expr import FromGraph, FromPandas
from ._meta import check_meta, make_meta


def from_pandas(data, npartitions=None, chunksize=None, sort=True, name=None):
    """Cut a pandas DataFrame or Series into partitions along the index.

    With ``sort=True`` (default) the index is sorted if needed and divisions are taken from the
    index values at the cut points; rows with equal index values never straddle two partitions.
    """
    if not isinstance(data, (pd.DataFrame, pd.Series)):
        raise TypeError(f"from_pandas expects a pandas DataFrame or Series, got {type(data).__name__}")
    if (npartitions is None) == (chunksize is None):
        if npartitions is None and chunksize is None:
            npartitions = 1
        else:
            raise ValueError("pass exactly one of npartitions= or chunksize=")
    n = len(data)
    if chunksize is None:
        chunksize = max(int(np.ceil(n / npartitions)), 1) if n else 1
    if sort and not data.index.is_monotonic_increasing:
        data = data.sort_index()
    locations = list(range(0, n, chunksize)) + [n] if n else [0, 0]
    if sort:
        locations = _unique_boundaries(data.index, locations)
        idx = data.index
        if n:
            divisions = tuple(_plain(idx[loc]) for loc in locations[:-1]) + (_plain(idx[-1]),)
        else:
            divisions = (None, None)
    else:
        divisions = (None,) * len(locations)
    token = name or _token(data)
    return new_collection(FromPandas(data, divisions, locations, None, token))


def _token(data) -> str:
    try:
        return tokenize(data)
    except TypeError:  # unhashable cells (lists, dicts): name by identity instead of content
        return uuid.uuid4().hex


def _plain(value):
    """NumPy scalars as Python scalars (Timestamps stay Timestamps)."""
    return value.item() if isinstance(value, np.generic) and value.dtype.kind in "iufb" else value


def _unique_boundaries(index: pd.Index, locations: list) -> list:
    """Move cut points so that equal index values stay in one partition."""
    if index.is_unique:
        return locations
    out = [0]
    for loc in locations[1:-1]:
        loc = int(index.searchsorted(index[loc], side="left"))
        if loc > out[-1]:
            out.append(loc)
    if locations[-1] > out[-1] or len(out) == 1:
        out.append(locations[-1])
    return out


def from_dict(data, npartitions=1, orient="columns", dtype=None, columns=None, sort=True):
    """A DataFrame from a dict of columns (as ``pd.DataFrame.from_dict``), then partitioned."""
    frame = pd.DataFrame.from_dict(data, orient=orient, dtype=dtype, columns=columns)
    return from_pandas(frame, npartitions=npartitions, sort=sort)


def from_array(x, chunksize=50_000, columns=None, meta=None):
    """A DataFrame (2-d or record array) or Series (1-d) from a NumPy array, in row chunks."""
    if hasattr(x, "__shoal_graph__"):
        from ._array import from_shoal_array

        return from_shoal_array(x, columns=columns, meta=meta)
    x = np.asarray(x)
    if x.ndim > 2:
        raise ValueError(f"from_array needs a 1-d or 2-d array, got shape {x.shape}")
    if x.dtype.names:
        frame = pd.DataFrame.from_records(x)
        if columns is not None:
            frame = frame[columns]
    elif x.ndim == 2:
        frame = pd.DataFrame(x, columns=columns)
    else:
        frame = pd.Series(x, name=columns)
    return _with_range_divisions(from_pandas(frame, chunksize=chunksize, sort=False), len(frame))


def _with_range_divisions(self, n):
    """Divisions of a RangeIndex cut into this collection's chunks."""
    expr = self.expr
    locs = expr.locations
    divisions = tuple(locs[:-1]) + (max(n - 1, 0),) if n else (None, None)
    return new_collection(FromPandas(expr.frame, divisions, locs, None, expr.token))


def from_delayed(dfs, meta=None, divisions=None, prefix="from-delayed", verify_meta=True):
    """A collection from a list of Delayed objects or single-key collections (e.g. Futures).

    Without ``meta=`` the first partition is computed to learn it.
    """
    if not isinstance(dfs, (list, tuple)):
        dfs = [dfs]
    if not dfs:
        raise ValueError("from_delayed needs at least one Delayed object or Future")
    keys, graph = [], {}
    for i, d in enumerate(dfs):
        key = _single_key(d, i)
        keys.append(key)
        if hasattr(d, "__shoal_graph__"):
            graph.update(dict(d.__shoal_graph__()))
    if meta is None:
        first = dfs[0].compute() if hasattr(dfs[0], "compute") else dfs[0].result()
        meta = make_meta(first)
    else:
        meta = make_meta(meta)
    name = f"{prefix}-{tokenize(*keys, meta)}"
    if divisions is None or divisions == "sorted":
        divisions = (None,) * (len(keys) + 1)
    elif len(divisions) != len(keys) + 1:
        raise ValueError(f"divisions has {len(divisions)} entries; expected {len(keys) + 1}")
    for i, key in enumerate(keys):
        graph[(name, i)] = (_check_partition, key, meta, i) if verify_meta else (_ident, key)
    return new_collection(FromGraph(graph, name, meta, tuple(divisions)))


def _single_key(d, i):
    if hasattr(d, "__shoal_keys__"):
        keys = d.__shoal_keys__()
        while isinstance(keys, list) and len(keys) == 1:
            keys = keys[0]
        if isinstance(keys, list):
            raise ValueError(f"item {i} of from_delayed has {len(keys)} keys; expected one")
        return keys
    if hasattr(d, "key"):
        return d.key
    raise TypeError(f"item {i} of from_delayed is a {type(d).__name__}, not a Delayed or Future")


def _check_partition(part, meta, i):
    if not isinstance(part, (pd.DataFrame, pd.Series)):
        raise ValueError(f"from_delayed: partition {i} is a {type(part).__name__}, "
                         f"expected a pandas {type(meta).__name__}")
    return check_meta(part, meta, "from_delayed", i)


def _ident(x):
    return x




def from_map(func, *iterables, args=None, meta=None, divisions=None, label=None, token=None,
             enforce_metadata=True, **kwargs):
    """A collection whose partition i is ``func(iterables[0][i], iterables[1][i], ..., *args,
    **kwargs)`` (for example one file name per partition).  Without ``meta=`` the first partition
    is computed to learn it."""
    from shoal.utils import apply

    if not iterables:
        raise ValueError("from_map needs at least one iterable of inputs")
    columns = [list(it) for it in iterables]
    lengths = {len(c) for c in columns}
    if len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"from_map: the iterables must be non-empty and of equal length, got "
                         f"lengths {[len(c) for c in columns]}")
    inputs = list(zip(*columns))
    args = tuple(args or ())
    if meta is None:
        meta = make_meta(func(*inputs[0], *args, **kwargs))
    else:
        meta = make_meta(meta)
    prefix = label or getattr(func, "__name__", "from-map").replace("_", "-").strip("-")
    name = f"{prefix}-{token or tokenize(func, inputs, args, kwargs)}"
    if divisions is None:
        divisions = (None,) * (len(inputs) + 1)
    elif len(divisions) != len(inputs) + 1:
        raise ValueError(f"divisions has {len(divisions)} entries; expected {len(inputs) + 1}")
    graph = {}
    for i, item in enumerate(inputs):
        call = (apply, func, list(item) + list(args), (dict, [[k, v] for k, v in kwargs.items()]))
        graph[(name, i)] = (_check_partition, call, meta, i) if enforce_metadata else call
    return new_collection(FromGraph(graph, name, meta, tuple(divisions)))
