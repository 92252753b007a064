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

SAMPLE = 1000


def _chunk(part):
    values = np.sort(np.asarray(part.dropna(), dtype=float))
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
    if scalar:
        return np.float64(out[0])
    return pd.Series(out, index=pd.Index(qs, dtype=float), name=name)


def series_quantile(expr, q):
    scalar = np.ndim(q) == 0
    qs = [float(q)] if scalar else [float(x) for x in q]
    meta = np.float64(1) if scalar else pd.Series([], dtype=float, name=expr._meta.name)
    dtype = expr._meta.dtype
    if dtype.kind == "M":
        raise NotImplementedError("quantile of datetime columns is not supported")
    return reduction(expr, _chunk, _aggregate, meta, combine=_keep,
                     aggregate_kwargs={"qs": qs, "dtype": dtype, "name": expr._meta.name,
                                       "scalar": scalar})


def quantile(frame, q=0.5):
    from ._collection import _stack_scalars, new_collection

    meta = frame._meta
    if isinstance(meta, pd.Series):
        return new_collection(series_quantile(frame.expr, q))
    cols = list(meta.select_dtypes("number").columns)
    if np.ndim(q) == 0:
        return _stack_scalars([new_collection(series_quantile(frame[c].expr, q)) for c in cols], cols,
                              "float64", name=q)
    parts = [series_quantile(frame[c].expr, q) for c in cols]
    out_meta = make_meta(pd.DataFrame({c: pd.Series([], dtype=float) for c in cols}))
    return new_collection(MapPartitions(_columns_frame, out_meta, "clear", {"columns": cols}, False,
                                        parts))


def _columns_frame(*series, columns):
    return pd.concat(series, axis=1, keys=columns)


def _describe_series(count, mean, std, mn, qs, mx, percentiles, name):
    index = ["count", "mean", "std", "min"] + [_pct(p) for p in percentiles] + ["max"]
    values = [count, mean, std, mn, *list(qs), mx]
    return pd.Series(values, index=index, name=name, dtype=float)


def _pct(p):
    return f"{p * 100:g}%"


def describe_series(series, percentiles=None):
    from ._collection import new_collection

    percentiles = percentiles or [0.25, 0.5, 0.75]
    if series.dtype.kind not in "iufb":
        return _describe_object(series)
    parts = [series.count(), series.mean(), series.std(), series.min(),
             new_collection(series_quantile(series.expr, percentiles)), series.max()]
    meta = pd.Series([], dtype=float, name=series.name)
    return new_collection(MapPartitions(_describe_series, meta, "clear",
                                        {"percentiles": percentiles, "name": series.name}, False,
                                        [p.expr for p in parts]))


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


def describe(frame, percentiles=None):
    from ._collection import new_collection

    meta = frame._meta
    if isinstance(meta, pd.Series):
        return describe_series(frame, percentiles)
    cols = list(meta.select_dtypes("number").columns) or list(meta.columns)
    parts = [describe_series(frame[c], percentiles) for c in cols]
    out_meta = make_meta(pd.DataFrame({c: pd.Series([], dtype=parts[0].dtype) for c in cols}))
    return new_collection(MapPartitions(_columns_frame, out_meta, "clear", {"columns": cols}, False,
                                        [p.expr for p in parts]))
