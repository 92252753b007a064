"""Approximate quantiles and describe().

Each partition contributes its sorted values (all of them when small, an evenly spaced sample of
``dataframe.quantile.sample`` points otherwise, each weighted by the rows it stands for); the
merge computes weighted quantiles with pandas' linear interpolation.  For data with fewer rows
per partition than the sample size the result is exact.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._expr import MapPartitions
from ._meta import make_meta
from ._reductions import _Chunks, _flatten_chunks, reduction
from ._time_units import time_unit

SAMPLE = 1000


def _as_numbers(part, dtype):
    """Datetimes/timedeltas as float counts of meta's unit; other values as floats."""
    part = part.dropna()
    if time_unit(dtype) is not None:
        return part.astype(dtype).array.asi8.astype(float)
    return np.asarray(part, dtype=float)


def _from_numbers(values, dtype):
    """Float counts of ``dtype``'s unit back to datetimes/timedeltas (NaN becomes NaT)."""
    if time_unit(dtype) is None:
        return values
    # truncated as pandas casts its interpolated float back to the time unit
    ints = np.where(np.isnan(values), np.iinfo("int64").min, np.trunc(values)).astype("int64")
    kind = "M" if dtype.kind == "M" else "m"
    out = pd.Series(ints.view(f"{kind}8[{time_unit(dtype)}]"))
    if isinstance(dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize("UTC").dt.tz_convert(dtype.tz)
    return out.array


def _chunk(part, dtype=None):
    values = np.sort(_as_numbers(part, part.dtype if dtype is None else dtype))
    if len(values) == 0:
        return None
    if len(values) <= SAMPLE:
        return values, np.ones(len(values))
    idx = np.linspace(0, len(values) - 1, SAMPLE).round().astype(int)
    return values[idx], np.full(SAMPLE, len(values) / SAMPLE)


def _keep(parts):
    return _Chunks(_flatten_chunks(parts))


def weighted_quantiles(values, weights, qs):
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    if np.all(weights == 1):
        return np.quantile(values, qs)
    cum = np.cumsum(weights) - weights / 2
    cum /= weights.sum()
    return np.interp(qs, cum, values)


def _aggregate(parts, qs, dtype, name, scalar):
    parts = [p for p in _flatten_chunks(parts) if p is not None]
    if not parts:
        out = np.full(len(qs), np.nan)
    else:
        values = np.concatenate([p[0] for p in parts])
        weights = np.concatenate([p[1] for p in parts])
        out = weighted_quantiles(values, weights, np.asarray(qs))
    if time_unit(dtype) is not None:
        out = _from_numbers(out, dtype)
        return out[0] if scalar else pd.Series(out, index=pd.Index(qs, dtype=float), name=name)
    if scalar:
        return np.float64(out[0])
    return pd.Series(out, index=pd.Index(qs, dtype=float), name=name)


def series_quantile(expr, q):
    scalar = np.ndim(q) == 0
    qs = [float(q)] if scalar else [float(x) for x in q]
    dtype = expr._meta.dtype
    if time_unit(dtype) is not None:
        sample = _from_numbers(np.zeros(1), dtype)
        meta = sample[0] if scalar else pd.Series(sample[:0], name=expr._meta.name)
    else:
        meta = np.float64(1) if scalar else pd.Series([], dtype=float, name=expr._meta.name)
    return reduction(expr, _chunk, _aggregate, meta, combine=_keep, chunk_kwargs={"dtype": dtype},
                     aggregate_kwargs={"qs": qs, "dtype": dtype, "name": expr._meta.name,
                                       "scalar": scalar})


def quantile(frame, q=0.5, numeric_only=False):
    from ._collection import _stack_scalars, new_collection

    meta = frame._meta
    if isinstance(meta, pd.Series):
        return new_collection(series_quantile(frame.expr, q))
    # as pandas: datetimes and timedeltas too, unless numeric_only
    cols = [c for c, d in meta.dtypes.items()
            if (pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d))
            or (not numeric_only and time_unit(d) is not None)]
    parts = [series_quantile(frame[c].expr, q) for c in cols]
    if np.ndim(q) == 0:
        times = any(time_unit(meta[c].dtype) is not None for c in cols)
        return _stack_scalars([new_collection(p) for p in parts], cols,
                              object if times else "float64", name=q)
    out_meta = make_meta(pd.DataFrame({c: p._meta for c, p in zip(cols, parts)}))
    return new_collection(MapPartitions(_columns_frame, out_meta, "clear", {"columns": cols}, False,
                                        parts))


def _columns_frame(*series, columns):
    return pd.concat(series, axis=1, keys=columns)


def _describe_series(count, mean, std, mn, qs, mx, percentiles, name, dtype):
    index = ["count", "mean", "std", "min"] + [_pct(p) for p in percentiles] + ["max"]
    values = [count, mean, std, mn, *list(qs), mx]
    return pd.Series(values, index=index, name=name, dtype=dtype)


def _describe_datetime(count, mean, mn, qs, mx, percentiles, name):
    index = ["count", "mean", "min"] + [_pct(p) for p in percentiles] + ["max"]
    return pd.Series([count, mean, mn, *list(qs), mx], index=index, name=name, dtype=object)


def _pct(p):
    return f"{p * 100:g}%"


def _is_categorical_like(dtype):
    # pandas describes booleans like strings: count, unique, top, freq
    return dtype.kind not in "iufmM" or pd.api.types.is_bool_dtype(dtype)


def describe_series(series, percentiles=None):
    from ._collection import new_collection

    percentiles = percentiles or [0.25, 0.5, 0.75]
    dtype = series.dtype
    if _is_categorical_like(dtype):
        return _describe_object(series)
    quantiles = new_collection(series_quantile(series.expr, percentiles))
    kw = {"percentiles": percentiles, "name": series.name}
    if dtype.kind == "M":
        parts, func, out_dtype = [series.count(), series.mean(), series.min(), quantiles,
                                  series.max()], _describe_datetime, object
    else:
        out_dtype = object if dtype.kind == "m" else (
            "Float64" if isinstance(dtype, pd.api.extensions.ExtensionDtype) else float)
        parts, func = [series.count(), series.mean(), series.std(), series.min(), quantiles,
                       series.max()], _describe_series
        kw["dtype"] = out_dtype
    meta = pd.Series([], dtype=out_dtype, name=series.name)
    return new_collection(MapPartitions(func, meta, "clear", kw, False, [p.expr for p in parts]))


def _describe_object(series):
    from ._collection import new_collection

    parts = [series.count(), series.nunique(), series.value_counts()]
    meta = pd.Series([], dtype=object, name=series.name)
    return new_collection(MapPartitions(_describe_counts, meta, "clear", {"name": series.name}, False,
                                        [p.expr for p in parts]))


def _describe_counts(count, unique, counts, name):
    top = counts.index[0] if len(counts) else np.nan
    freq = counts.iloc[0] if len(counts) else np.nan
    return pd.Series([count, unique, top, freq], index=["count", "unique", "top", "freq"], name=name,
                     dtype=object)


def _described_columns(meta, include, exclude):
    """The columns pandas' describe() would summarise for these include/exclude options."""
    if include == "all":
        if exclude is not None:
            raise ValueError("describe: exclude must be None when include is 'all'")
        return list(meta.columns)
    if include is None and exclude is None:
        cols = list(meta.select_dtypes(include=[np.number, "datetime"]).columns)
        return cols or list(meta.columns)
    return list(meta.select_dtypes(include=include, exclude=exclude).columns)


def _stack_descriptions(*series, columns):
    # pandas orders the rows by the shortest description first, in order of appearance
    names = []
    for index in sorted((s.index for s in series), key=len):
        names.extend(n for n in index if n not in names)
    return pd.concat([s.reindex(names) for s in series], axis=1, keys=columns)


def describe(frame, percentiles=None, include=None, exclude=None):
    from ._collection import new_collection

    meta = frame._meta
    if isinstance(meta, pd.Series):
        return describe_series(frame, percentiles)
    cols = _described_columns(meta, include, exclude)
    if not cols:
        raise ValueError(f"describe: no columns of {list(meta.columns)} match include={include!r}, "
                         f"exclude={exclude!r}")
    parts = [describe_series(frame[c], percentiles) for c in cols]
    out_meta = make_meta(pd.concat([p._meta for p in parts], axis=1, keys=cols))
    return new_collection(MapPartitions(_stack_descriptions, out_meta, "clear", {"columns": cols},
                                        False, [p.expr for p in parts]))
