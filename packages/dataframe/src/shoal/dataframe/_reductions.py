"""Reductions: a chunk step per partition, then a tree of combine steps, then an aggregate.

``reduction(frame, chunk, aggregate, ...)`` builds ``TreeReduce(MapPartitions(chunk, frame))``; the
chunk step is blockwise and so fuses into the partition's task.  Empty partitions contribute
nothing (their chunk is None), so dtypes match pandas (an empty int partition would otherwise
bring a NaN minimum and turn the result into floats).
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._expr import Expr, MapPartitions
from ._meta import make_meta, meta_nonempty
from ._time_units import time_unit


class TreeReduce(Expr):
    _parameters = ("chunked", "combine", "aggregate", "meta", "split_every")
    _defaults = {"split_every": 8}

    @functools.cached_property
    def _meta(self):
        return self.meta

    def _divisions(self):
        return (None, None)

    def _layer(self):
        split_every = max(int(self.split_every or 8), 2)
        keys = [(self.chunked._name, i) for i in range(self.chunked.npartitions)]
        layer = {}
        level = 0
        while len(keys) > split_every:
            name = f"{self._name}-combine{level}"
            new = []
            for j in range(0, len(keys), split_every):
                key = (name, j // split_every)
                layer[key] = (self.combine, keys[j:j + split_every])
                new.append(key)
            keys = new
            level += 1
        layer[(self._name, 0)] = (self.aggregate, keys)
        return layer

    def _label(self):
        return f"TreeReduce({getattr(self.aggregate, 'func', self.aggregate).__name__})"


def _skip_empty(chunk, part, **kwargs):
    if len(part) == 0:
        return None
    return chunk(part, **kwargs)


def _drop_none(func, parts, **kwargs):
    return func([p for p in parts if p is not None], **kwargs)


def reduction(frame: Expr, chunk, aggregate, meta, combine=None, split_every=None,
              chunk_kwargs=None, aggregate_kwargs=None, combine_kwargs=None, skip_empty=True) -> Expr:
    """Build the expression of a tree reduction over the partitions of ``frame``."""
    chunk_func = functools.partial(_skip_empty, chunk) if skip_empty else chunk
    chunked = MapPartitions(chunk_func, None, "keep", chunk_kwargs or {}, False, [frame])
    aggregate_func = functools.partial(_drop_none, aggregate, **(aggregate_kwargs or {}))
    combine = combine or _concat_chunks
    combine_func = functools.partial(_drop_none, combine, **(combine_kwargs or {}))
    return TreeReduce(chunked, combine_func, aggregate_func, meta, split_every)


def _concat_chunks(parts):
    """Default combine: keep the list of chunk results (flattened) for the aggregate step."""
    out = []
    for p in parts:
        out.extend(p if isinstance(p, _Chunks) else [p])
    return _Chunks(out)


class _Chunks(list):
    """A list of chunk results that went through a combine step unchanged."""


def _flatten_chunks(parts):
    out = []
    for p in parts:
        out.extend(p if isinstance(p, _Chunks) else [p])
    return out


def _stack(parts):
    """Chunk results (scalars or Series) stacked into a Series or DataFrame for re-reduction."""
    parts = _flatten_chunks(parts)
    if parts and isinstance(parts[0], pd.Series):
        return pd.DataFrame(parts).reset_index(drop=True)
    return pd.Series(parts)


# ------------------------------------------------------------------------------------------
# simple reductions: sum, prod, min, max, count, any, all


def _method_chunk(part, method, kwargs):
    return getattr(part, method)(**kwargs)


_AGGREGATE_WITH = {"count": "sum", "size": "sum"}


def _method_aggregate(parts, method, kwargs, meta):
    parts = _flatten_chunks(parts)
    stacked = _stack(parts)
    if isinstance(stacked, pd.DataFrame):
        stacked = stacked.infer_objects()
    agg = _AGGREGATE_WITH.get(method, method)
    agg_kwargs = {k: v for k, v in kwargs.items() if k in ("skipna",)} if agg != method else kwargs
    agg_kwargs.pop("numeric_only", None)
    agg_kwargs.pop("min_count", None)
    out = getattr(stacked, agg)(**agg_kwargs)
    return _cast_like(out, meta)


def _cast_like(out, meta):
    if isinstance(out, pd.Series) and isinstance(meta, pd.Series) and out.dtype != meta.dtype:
        try:
            return out.astype(meta.dtype)
        except (TypeError, ValueError):
            return out
    return out


def method_reduction(frame: Expr, method: str, split_every=None, **kwargs) -> Expr:
    meta = _reduction_meta(frame, method, kwargs)
    empty_result = getattr(frame._meta, method)(**kwargs) if not isinstance(frame._meta, pd.DataFrame) \
        else None
    return reduction(frame, _method_chunk, _method_aggregate_or_empty, meta, split_every=split_every,
                     chunk_kwargs={"method": method, "kwargs": kwargs},
                     aggregate_kwargs={"method": method, "kwargs": kwargs, "meta": meta,
                                       "empty": empty_result})


def _method_aggregate_or_empty(parts, method, kwargs, meta, empty):
    if not _flatten_chunks(parts):
        if empty is not None:
            return empty
        return meta
    return _method_aggregate(parts, method, kwargs, meta)


def min_count_reduction(frame: Expr, method: str, min_count: int, split_every=None,
                        **kwargs) -> Expr:
    """sum/prod with ``min_count``: missing where fewer than ``min_count`` values were present."""
    meta = _reduction_meta(frame, method, {**kwargs, "min_count": min_count})
    return reduction(frame, _counted_chunk, _counted_aggregate, meta, split_every=split_every,
                     combine=_counted_combine, combine_kwargs={"method": method},
                     chunk_kwargs={"method": method, "kwargs": kwargs},
                     aggregate_kwargs={"method": method, "min_count": min_count,
                                       "empty": getattr(frame._meta, method)(
                                           **kwargs, min_count=min_count)})


def _counted_chunk(part, method, kwargs):
    out = getattr(part, method)(**kwargs)
    counts = part[out.index].count() if isinstance(part, pd.DataFrame) else part.count()
    return out, counts


def _counted_combine(parts, method):
    parts = _flatten_chunks(parts)
    totals = _stack([p[0] for p in parts])
    counts = _stack([p[1] for p in parts]).sum()
    return _Chunks([(getattr(totals, method)(), counts)])


def _counted_aggregate(parts, method, min_count, empty):
    parts = _flatten_chunks(parts)
    if not parts:
        return empty
    total, counts = _counted_combine(parts, method)[0]
    if isinstance(total, pd.Series):
        return total.where(counts >= min_count)
    return total if counts >= min_count else np.float64("nan")


def _reduction_meta(frame: Expr, method: str, kwargs):
    sample = meta_nonempty(frame._meta)
    out = getattr(sample, method)(**kwargs)
    return make_meta(out) if isinstance(out, (pd.Series, pd.DataFrame)) else out


# ------------------------------------------------------------------------------------------
# mean, var, std, sem


def _moments_chunk(part, skipna=True, numeric_only=False):
    if numeric_only and isinstance(part, pd.DataFrame):
        part = part.select_dtypes("number")
    n = part.count()
    total = part.sum(skipna=skipna)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
    m2 = ((part - mean) ** 2).sum(skipna=skipna)
    return n, total, m2


def _moments_combine(parts):
    """Chan et al.'s parallel combination of (count, sum, sum of squared deviations)."""
    parts = _flatten_chunks(parts)
    n = sum(p[0] for p in parts)
    total = sum(p[1] for p in parts)
    mean = total / n if np.all(np.asarray(n) > 0) else _safe_div(total, n)
    m2 = 0
    for pn, ptot, pm2 in parts:
        pmean = _safe_div(ptot, pn)
        m2 = m2 + pm2 + pn * (_fill0(pmean - mean)) ** 2
    return _Chunks([(n, total, m2)])


def _safe_div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / b


def _fill0(x):
    if isinstance(x, pd.Series):
        return x.fillna(0)
    return 0 if x != x else x


def _moments_aggregate(parts, how, ddof, meta, time_dtype=None):
    out = _moments_value(parts, how, ddof, meta)
    return out if time_dtype is None else _as_time(out, how, time_dtype)


def _moments_value(parts, how, ddof, meta):
    parts = _flatten_chunks(parts)
    if not parts:
        return meta if isinstance(meta, pd.Series) else np.float64("nan")
    n, total, m2 = _moments_combine(parts)[0]
    if how == "mean":
        out = _safe_div(total, n)
    else:
        var = _safe_div(m2, n - ddof)
        if isinstance(var, pd.Series):
            var = var.where(n - ddof > 0)
        elif n - ddof <= 0:
            var = np.float64("nan")
        if how == "var":
            out = var
        elif how == "std":
            out = np.sqrt(var)
        else:
            out = np.sqrt(var) / np.sqrt(n)
    if isinstance(out, pd.Series):
        return out.astype(meta.dtype) if isinstance(meta, pd.Series) else out
    return np.float64(out)


def _time_as_float(part):
    """Datetimes/timedeltas as float counts of their unit (pandas sums them in float64 too)."""
    if isinstance(part.dtype, pd.DatetimeTZDtype):
        part = part.dt.tz_convert("UTC").dt.tz_localize(None)
    return pd.Series(part.to_numpy().view("i8"), index=part.index, name=part.name).where(
        part.notna()).astype("float64")


def _as_time(value, how, dtype):
    """A float count of ``dtype``'s unit back to a Timestamp (mean) or Timedelta (std, sem)."""
    if value != value:
        return pd.NaT
    unit = time_unit(dtype)
    if how == "mean" and dtype.kind == "M":
        stamp = pd.Timestamp(int(value), unit=unit)
        return stamp.tz_localize("UTC").tz_convert(dtype.tz) if getattr(dtype, "tz", None) \
            else stamp
    return pd.Timedelta(int(value), unit=unit)


def _time_moment_reduction(frame: Expr, how, ddof, skipna, split_every):
    if not skipna:
        raise NotImplementedError(f"{how}(skipna=False) of {frame._meta.dtype} is not supported")
    meta = _reduction_meta_for_time(frame._meta, how, ddof)
    numbers = MapPartitions(_time_as_float, pd.Series([], dtype="float64", name=frame._meta.name),
                            "keep", {}, False, [frame])
    return reduction(numbers, _moments_chunk, _moments_aggregate, meta, split_every=split_every,
                     combine=_moments_combine, chunk_kwargs={"skipna": True},
                     aggregate_kwargs={"how": how, "ddof": ddof, "meta": np.float64(0),
                                       "time_dtype": frame._meta.dtype})


def _reduction_meta_for_time(meta, how, ddof):
    sample = meta_nonempty(meta)
    return sample.mean() if how == "mean" else getattr(sample, how)(ddof=ddof)


def moment_reduction(frame: Expr, how: str, ddof=1, skipna=True, numeric_only=False,
                     split_every=None) -> Expr:
    if isinstance(frame._meta, pd.Series) and time_unit(frame._meta.dtype) is not None:
        return _time_moment_reduction(frame, how, ddof, skipna, split_every)
    sample = meta_nonempty(frame._meta)
    kw = {"numeric_only": numeric_only} if isinstance(sample, pd.DataFrame) else {}
    if how == "mean":
        out = sample.mean(skipna=skipna, **kw)
    else:
        out = getattr(sample, how)(ddof=ddof, skipna=skipna, **kw)
    meta = make_meta(out) if isinstance(out, pd.Series) else out
    return reduction(frame, _moments_chunk, _moments_aggregate, meta, split_every=split_every,
                     combine=_moments_combine,
                     chunk_kwargs={"skipna": skipna, "numeric_only": numeric_only},
                     aggregate_kwargs={"how": how, "ddof": ddof, "meta": meta})


# ------------------------------------------------------------------------------------------
# nunique, value_counts, mode, idxmin/idxmax, len


def _unique_chunk(part, dropna=True):
    out = part.drop_duplicates()
    return out.dropna() if dropna else out


def _unique_combine(parts, dropna=True):
    return pd.concat(_flatten_chunks(parts)).drop_duplicates()


def _nunique_aggregate(parts, dropna=True):
    if not parts:
        return 0
    return int(pd.concat(_flatten_chunks(parts)).nunique(dropna=dropna))


def nunique(frame: Expr, dropna=True, split_every=None) -> Expr:
    return reduction(frame, _unique_chunk, _nunique_aggregate, np.int64(1), split_every=split_every,
                     combine=_unique_combine, chunk_kwargs={"dropna": dropna},
                     combine_kwargs={"dropna": dropna}, aggregate_kwargs={"dropna": dropna})


def unique(frame: Expr, split_every=None) -> Expr:
    meta = frame._meta
    return reduction(frame, _unique_chunk, _unique_aggregate, meta, split_every=split_every,
                     combine=_unique_combine, chunk_kwargs={"dropna": False},
                     aggregate_kwargs={"meta": meta})


def _unique_aggregate(parts, meta):
    if not parts:
        return meta
    return pd.concat(_flatten_chunks(parts)).drop_duplicates().reset_index(drop=True)


def _value_counts_chunk(part, dropna=True):
    return part.value_counts(dropna=dropna)


def _value_counts_combine(parts):
    both = pd.concat(_flatten_chunks(parts))
    levels = list(range(both.index.nlevels))  # a DataFrame's value_counts has one level per column
    return both.groupby(level=levels if len(levels) > 1 else 0, dropna=False, sort=False,
                        observed=False).sum()


def _value_counts_aggregate(parts, meta, sort=True, ascending=False, normalize=False):
    if not parts:
        return meta
    out = _value_counts_combine(parts)
    out.index.names = meta.index.names
    out.name = meta.name
    if normalize:
        out = out / out.sum()
        out.name = "proportion"
    if sort:
        out = out.sort_values(ascending=ascending, kind="stable")
    return out


def value_counts(frame: Expr, sort=True, ascending=False, dropna=True, normalize=False,
                 split_every=None) -> Expr:
    meta = frame._meta.value_counts(normalize=normalize)
    return reduction(frame, _value_counts_chunk, _value_counts_aggregate, meta,
                     combine=_value_counts_combine, split_every=split_every,
                     chunk_kwargs={"dropna": dropna},
                     aggregate_kwargs={"meta": meta, "sort": sort, "ascending": ascending,
                                       "normalize": normalize})


def _mode_from_counts(counts, dropna=True, name=None):
    if len(counts) == 0:
        return pd.Series([], dtype=counts.index.dtype, name=name)
    top = counts[counts == counts.max()].index
    out = pd.Series(top, name=name).sort_values(ignore_index=True)
    return out


def mode(frame: Expr, dropna=True, split_every=None) -> Expr:
    counts = value_counts(frame, dropna=dropna, split_every=split_every)
    meta = frame._meta.mode(dropna=dropna)
    return MapPartitions(_mode_from_counts, meta, "clear", {"dropna": dropna, "name": meta.name},
                         False, [counts])


def _idx_chunk(part, how, skipna=True):
    if isinstance(part, pd.DataFrame):
        idx = getattr(part, f"idx{how}")(skipna=skipna)
        vals = pd.Series([part.loc[idx[c], c] if idx[c] == idx[c] else np.nan for c in part.columns],
                         index=part.columns)
        return pd.DataFrame({"idx": idx, "val": vals})
    return pd.DataFrame({"idx": [getattr(part, f"idx{how}")(skipna=skipna)],
                         "val": [getattr(part, how)(skipna=skipna)]})


def _idx_aggregate(parts, how, skipna, meta):
    parts = _flatten_chunks(parts)
    if isinstance(meta, pd.Series):
        out = {}
        for col in parts[0].index:
            rows = pd.DataFrame([p.loc[col] for p in parts])
            out[col] = _pick(rows, how, skipna)
        return pd.Series(out, dtype=meta.dtype)
    rows = pd.concat(parts, ignore_index=True)
    return _pick(rows, how, skipna)


def _pick(rows, how, skipna):
    vals = rows["val"].infer_objects()
    if not skipna and vals.isna().any():
        return np.nan
    pos = getattr(vals.reset_index(drop=True), f"idx{how}")()
    return rows["idx"].iloc[pos]


def idx_reduction(frame: Expr, how: str, skipna=True, split_every=None) -> Expr:
    sample = meta_nonempty(frame._meta)
    out = getattr(sample, f"idx{how}")(skipna=skipna)
    meta = make_meta(out) if isinstance(out, pd.Series) else out
    return reduction(frame, _idx_chunk, _idx_aggregate, meta, split_every=split_every,
                     chunk_kwargs={"how": how, "skipna": skipna},
                     aggregate_kwargs={"how": how, "skipna": skipna, "meta": meta})


def _len_chunk(part):
    return len(part)


def _sum_ints(parts):
    return int(sum(_flatten_chunks(parts)))


def _sum_ints_list(parts):
    return _Chunks([_sum_ints(parts)])


def length(frame: Expr) -> Expr:
    return reduction(frame, _len_chunk, _sum_ints, 1, combine=_sum_ints_list,
                     skip_empty=False)
