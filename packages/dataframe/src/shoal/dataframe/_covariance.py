"""cov() and corr() with pairwise-complete observations, as pandas computes them.

Each partition contributes, for every pair of columns (i, j), the count of rows where both are
present and the sums of x_i, x_i**2 and x_i*x_j over those rows; these add up across partitions.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._reductions import _Chunks, _flatten_chunks, reduction


def _chunk(part):
    values = part.to_numpy(dtype="float64", na_value=np.nan)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    weight = present.astype("float64")
    return {"n": weight.T @ weight, "s": filled.T @ weight, "ss": (filled ** 2).T @ weight,
            "xy": filled.T @ filled}


def _add(parts):
    parts = _flatten_chunks(parts)
    return _Chunks([{k: sum(p[k] for p in parts) for k in parts[0]}])


def _finish(parts, columns, how, ddof, min_periods):
    parts = _flatten_chunks(parts)
    k = len(columns)
    if not parts:
        return pd.DataFrame(np.full((k, k), np.nan), index=columns, columns=columns)
    t = _add(parts)[0]
    n, s, ss, xy = t["n"], t["s"], t["ss"], t["xy"]
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (xy - s * s.T / n) / (n - ddof)
        if how == "corr":
            var_i = (ss - s ** 2 / n) / (n - 1)
            out = ((xy - s * s.T / n) / (n - 1)) / np.sqrt(var_i * var_i.T)
            np.fill_diagonal(out, np.where(np.diag(n) >= max(min_periods, 2), 1.0, np.nan))
            out = np.clip(out, -1, 1)
        else:
            out = cov
    out[n < max(min_periods, 1 if how == "cov" else 2)] = np.nan
    return pd.DataFrame(out, index=columns, columns=columns)


def cov_corr(frame, how, ddof=1, min_periods=None, numeric_only=False):
    from ._collection import new_collection

    meta = frame._meta
    if isinstance(meta, pd.DataFrame):
        cols = list(meta.select_dtypes("number").columns) if numeric_only else list(meta.columns)
        non_numeric = [c for c in cols if meta[c].dtype.kind not in "iufb"]
        if non_numeric:
            raise ValueError(f"{how}() needs numeric columns; {non_numeric} are not (use "
                             "numeric_only=True)")
        frame = frame[cols]
    else:
        cols = [meta.name]
    out_meta = pd.DataFrame({c: pd.Series([], dtype="float64") for c in cols})
    out_meta.index = pd.Index([], dtype=object)
    expr = reduction(frame.expr, _chunk, _finish, out_meta, combine=_add,
                     aggregate_kwargs={"columns": pd.Index(cols), "how": how, "ddof": ddof,
                                       "min_periods": min_periods or 1})
    return new_collection(expr)
