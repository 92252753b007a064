"""concat and merge across several collections."""
from __future__ import annotations

import functools
import warnings

import pandas as pd

from ._expr import Expr, MapPartitions
from ._meta import concat as concat_partitions, make_meta


class Concat(Expr):
    """Partitions of several frames one after another (axis=0)."""

    _parameters = ("frames", "join", "meta_")

    @functools.cached_property
    def _meta(self):
        return self.meta_

    def _divisions(self):
        divs = [f.divisions for f in self.frames]
        if all(d[0] is not None for d in divs) and all(
                a[-1] < b[0] for a, b in zip(divs, divs[1:])):
            out = []
            for d in divs:
                out.extend(d[:-1])
            return tuple(out) + (divs[-1][-1],)
        return (None,) * (sum(len(d) - 1 for d in divs) + 1)

    def _layer(self):
        layer, k = {}, 0
        for f in self.frames:
            for i in range(f.npartitions):
                layer[(self._name, k)] = (_conform, (f._name, i), self._meta)
                k += 1
        return layer

    def _label(self):
        return f"Concat({len(self.frames)} frames)"


def _conform(part, meta):
    if isinstance(meta, pd.DataFrame) and isinstance(part, pd.DataFrame):
        if list(part.columns) != list(meta.columns):
            part = part.reindex(columns=meta.columns)
        dtypes = {c: meta[c].dtype for c in meta.columns if part[c].dtype != meta[c].dtype}
        if dtypes:
            part = part.astype(dtypes)
    elif isinstance(meta, pd.Series) and isinstance(part, pd.Series) and part.dtype != meta.dtype:
        part = part.astype(meta.dtype)
    return part


def _concat_axis1(*parts, join="outer"):
    return pd.concat(parts, axis=1, join=join)


def concat(dfs, axis=0, join="outer", interleave_partitions=False, ignore_unknown_divisions=False,
           ignore_index=False):
    """Concatenate shoal (or pandas) frames along rows (axis=0) or columns (axis=1)."""
    from ._collection import FrameBase, _align, new_collection
    from ._creation import from_pandas

    if not dfs:
        raise ValueError("No objects to concatenate")
    dfs = [d if isinstance(d, FrameBase) else from_pandas(d, npartitions=1) for d in dfs]
    if len(dfs) == 1:
        return dfs[0]
    exprs = [d.expr for d in dfs]
    if axis in (1, "columns"):
        if not all(e.known_divisions for e in exprs):
            if len({e.npartitions for e in exprs}) != 1:
                raise ValueError("Unable to concatenate along columns: divisions are unknown and the "
                                 f"numbers of partitions differ ({[e.npartitions for e in exprs]})")
            if not ignore_unknown_divisions:
                warnings.warn("Concatenating along columns with unknown divisions: assuming the "
                              "partitions line up. Pass ignore_unknown_divisions=True to silence.",
                              UserWarning, stacklevel=2)
        else:
            exprs = list(_align(*exprs))
        meta = make_meta(pd.concat([e._meta for e in exprs], axis=1, join=join))
        return new_collection(MapPartitions(_concat_axis1, meta, "keep", {"join": join}, False, exprs))
    metas = [e._meta for e in exprs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        meta = make_meta(pd.concat(metas, join=join))
    if interleave_partitions and all(e.known_divisions for e in exprs):
        aligned = _align(*exprs)
        return new_collection(MapPartitions(_concat_rows, meta, "keep", {"meta": meta}, False,
                                            list(aligned)))
    out = new_collection(Concat(exprs, join, meta))
    if ignore_index:
        out = out.reset_index(drop=True)
    return out


def _concat_rows(*parts, meta):
    out = concat_partitions([_conform(p, meta) for p in parts])
    return meta if out is None else out


def merge(left, right, **kwargs):
    """``pd.merge`` for shoal collections (pandas inputs become single partitions)."""
    from ._merge import merge as _merge

    return _merge(left, right, **kwargs)
