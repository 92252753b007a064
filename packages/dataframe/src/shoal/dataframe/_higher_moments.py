"""skew and kurtosis as tree reductions: per-partition central moments combined exactly."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._expr import Expr
from ._meta import make_meta, meta_nonempty
from ._reductions import _Chunks, _flatten_chunks, reduction


def _numeric(part, numeric_only):
    if isinstance(part, pd.DataFrame):
        return part.select_dtypes("number") if numeric_only else part
    return part


def _moments4_chunk(part, skipna=True, numeric_only=False):
    part = _numeric(part, numeric_only).astype("float64")
    n = part.count()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = part.sum(skipna=skipna) / n
    dev = part - mean
    return n, mean, (dev ** 2).sum(skipna=skipna), (dev ** 3).sum(skipna=skipna), \
        (dev ** 4).sum(skipna=skipna)


def _fill0(x):
    return x.fillna(0) if isinstance(x, pd.Series) else (0.0 if x != x else x)


def _moments4_combine(parts):
    """Central moments about the overall mean, from each part's moments about its own mean."""
    parts = _flatten_chunks(parts)
    n = sum(p[0] for p in parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sum(p[0] * _fill0(p[1]) for p in parts) / n
    m2 = m3 = m4 = 0.0
    for pn, pmean, pm2, pm3, pm4 in parts:
        d = _fill0(pmean - mean)
        pm2, pm3, pm4 = _fill0(pm2), _fill0(pm3), _fill0(pm4)
        m4 = m4 + pm4 + 4 * d * pm3 + 6 * d ** 2 * pm2 + pn * d ** 4
        m3 = m3 + pm3 + 3 * d * pm2 + pn * d ** 3
        m2 = m2 + pm2 + pn * d ** 2
    return _Chunks([(n, mean, m2, m3, m4)])


def _skew(n, m2, m3):
    # pandas' bias-corrected sample skewness; undefined (NaN) for a constant column
    with np.errstate(divide="ignore", invalid="ignore"):
        out = n * (n - 1) ** 0.5 / (n - 2) * (m3 / m2 ** 1.5)
    out = np.where(np.asarray(m2) <= 1e-14 * np.maximum(np.asarray(n), 1), np.nan, out)
    return np.where(np.asarray(n) < 3, np.nan, out)


def _kurt(n, m2, m4):
    # pandas' bias-corrected excess kurtosis; undefined (NaN) for a constant column
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (n * (n + 1) * (n - 1) * m4 / ((n - 2) * (n - 3) * m2 ** 2)
               - 3 * (n - 1) ** 2 / ((n - 2) * (n - 3)))
    out = np.where(np.asarray(m2) <= 1e-14 * np.maximum(np.asarray(n), 1), np.nan, out)
    return np.where(np.asarray(n) < 4, np.nan, out)


def _moments4_aggregate(parts, how, meta):
    parts = _flatten_chunks(parts)
    if not parts:
        return meta if isinstance(meta, pd.Series) else np.float64("nan")
    n, _, m2, m3, m4 = _moments4_combine(parts)[0]
    n_arr = np.asarray(n, dtype="float64")
    m2_arr = np.asarray(m2, dtype="float64")
    values = _skew(n_arr, m2_arr, np.asarray(m3, dtype="float64")) if how == "skew" else \
        _kurt(n_arr, m2_arr, np.asarray(m4, dtype="float64"))
    if isinstance(meta, pd.Series):
        return pd.Series(values, index=meta.index, name=meta.name, dtype="float64")
    return np.float64(values)


def higher_moment_reduction(frame: Expr, how: str, skipna=True, numeric_only=False,
                            split_every=None) -> Expr:
    """``skew`` or ``kurt`` of a frame (per column) or a series, as pandas computes them."""
    sample = meta_nonempty(frame._meta)
    kw = {"numeric_only": numeric_only} if isinstance(sample, pd.DataFrame) else {}
    out = getattr(sample, how)(skipna=skipna, **kw)
    meta = make_meta(out) if isinstance(out, pd.Series) else np.float64(out)
    if isinstance(meta, pd.Series):
        meta = pd.Series(np.zeros(len(out)), index=out.index, name=out.name, dtype="float64")
    return reduction(frame, _moments4_chunk, _moments4_aggregate, meta, split_every=split_every,
                     combine=_moments4_combine,
                     chunk_kwargs={"skipna": skipna, "numeric_only": numeric_only},
                     aggregate_kwargs={"how": how, "meta": meta})
