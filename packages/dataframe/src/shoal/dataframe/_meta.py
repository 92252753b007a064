"""Metadata: the empty pandas object ("meta") every collection carries, and fake partitions.

meta has the exact columns, dtypes and index type of the result.  When an operation cannot be
run on empty data (a user function that indexes into rows, say) we run it on a tiny fake
partition built by :func:`meta_nonempty` and keep only its empty slice.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._fast_concat import can_concat_in_threads, concat_in_threads
from ._time_units import match_time_units

UNKNOWN_CATEGORIES = "__UNKNOWN_CATEGORIES__"


def is_pandas(x) -> bool:
    return isinstance(x, (pd.DataFrame, pd.Series, pd.Index))


def make_meta(x, index=None):
    """Turn a pandas object, a ``{column: dtype}`` dict, a ``(name, dtype)`` pair or a dtype into meta."""
    if is_pandas(x):
        return x[:0] if isinstance(x, pd.Index) else x.iloc[:0]
    if isinstance(x, dict):
        return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in x.items()}, index=index)
    if isinstance(x, (list, tuple)) and x and all(isinstance(i, tuple) and len(i) == 2 for i in x):
        return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in x}, index=index)
    if isinstance(x, tuple) and len(x) == 2:
        return pd.Series([], dtype=x[1], name=x[0], index=index)
    if isinstance(x, (np.dtype, str, type)):
        return make_scalar_meta(np.dtype(x) if not isinstance(x, np.dtype) else x)
    return x


def make_scalar_meta(dtype):
    """A sample scalar standing in for the result of a reduction."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        return _nonempty_values(dtype, 1)[0]
    if dtype.kind == "M":
        return pd.Timestamp("2000-01-01")
    if dtype.kind == "m":
        return pd.Timedelta("1D")
    if dtype.kind == "O":
        return "foo"
    return dtype.type(1)


def _nonempty_values(dtype, n: int = 2):
    """n sample values of ``dtype`` (used to build fake partitions)."""
    if isinstance(dtype, pd.CategoricalDtype):
        cats = dtype.categories
        if len(cats) == 0 or UNKNOWN_CATEGORIES in list(cats):
            cats = pd.Index(["a", "b"])
            return pd.Categorical(list(cats[:1]) * n, categories=cats, ordered=dtype.ordered)
        return pd.Categorical([cats[0]] * n, dtype=dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.array([pd.Timestamp("2000-01-01", tz=dtype.tz)] * n, dtype=dtype)
    if isinstance(dtype, pd.StringDtype):
        return pd.array(["foo"] * n, dtype=dtype)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype):
        if dtype.kind in "iuf":
            return pd.array([1] * n, dtype=dtype)
        if dtype.kind == "b":
            return pd.array([True] * n, dtype=dtype)
        return pd.array([None] * n, dtype=dtype)
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.array([True, False] * n, dtype=dtype)[:n]
    if dtype.kind in "iu":
        return np.arange(1, n + 1, dtype=dtype)
    if dtype.kind == "f":
        return np.arange(1, n + 1, dtype=dtype) + 0.5
    if dtype.kind == "c":
        return np.ones(n, dtype=dtype)
    if dtype.kind == "M":
        return pd.date_range("2000-01-01", periods=n).values.astype(dtype)
    if dtype.kind == "m":
        return np.array([1] * n, dtype="timedelta64[D]").astype(dtype)
    if dtype.kind in "SU":
        return np.array(["foo"] * n, dtype=dtype)
    return np.array(["foo"] * n, dtype=object)


def _nonempty_index(idx: pd.Index, n: int = 2) -> pd.Index:
    if isinstance(idx, pd.MultiIndex):
        levels = [_nonempty_index(lev, n) for lev in idx.levels]
        return pd.MultiIndex.from_arrays(levels, names=idx.names)
    if isinstance(idx, pd.RangeIndex):
        return pd.RangeIndex(n, name=idx.name)
    if isinstance(idx, pd.DatetimeIndex):
        return pd.date_range("2000-01-01", periods=n, tz=idx.tz, name=idx.name,
                             freq=idx.freq).as_unit(idx.unit)
    if isinstance(idx, pd.CategoricalIndex):
        return pd.CategoricalIndex(_nonempty_values(idx.dtype, n), name=idx.name)
    return pd.Index(_nonempty_values(idx.dtype, n), name=idx.name, dtype=idx.dtype)


def meta_nonempty(x, n: int = 2):
    """A tiny fake partition with the same columns, dtypes and index type as meta ``x``."""
    if isinstance(x, pd.Index):
        return _nonempty_index(x, n)
    if isinstance(x, pd.Series):
        return pd.Series(_nonempty_values(x.dtype, n), index=_nonempty_index(x.index, n),
                         name=x.name, dtype=x.dtype)
    if isinstance(x, pd.DataFrame):
        idx = _nonempty_index(x.index, n)
        data = {i: pd.Series(_nonempty_values(dt, n), index=idx, dtype=dt)
                for i, dt in enumerate(x.dtypes)}
        out = pd.DataFrame(data, index=idx)
        out.columns = x.columns
        return out
    return x


def emulate(func, *args, **kwargs):
    """Run ``func`` on metas to find the result's meta (fake data if empty data fails)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make_meta(func(*args, **kwargs))
    except Exception:
        fake_args = [meta_nonempty(a) for a in args]
        fake_kwargs = {k: meta_nonempty(v) for k, v in kwargs.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return make_meta(func(*fake_args, **fake_kwargs))


def infer_meta_from_sample(func, args, kwargs, what: str):
    """Infer meta for a user function by running it on fake data, warning how to avoid it."""
    fake_args = [meta_nonempty(a) for a in args]
    fake_kwargs = {k: meta_nonempty(v) for k, v in kwargs.items()}
    try:
        out = func(*fake_args, **fake_kwargs)
    except Exception as e:
        raise ValueError(
            f"Metadata inference failed in `{what}`: running the function on a fake partition "
            f"raised {type(e).__name__}: {e}. Please pass meta= explicitly, e.g. "
            f"meta=('x', 'f8') for a Series or meta={{'a': 'i8'}} for a DataFrame.") from e
    warnings.warn(
        f"`{what}` did not get `meta=`, so shoal ran your function on a tiny fake partition to "
        f"guess the output's type; this may be wrong. To silence this, pass the expected output "
        f"as meta=, e.g. meta=({getattr(out, 'name', None)!r}, {str(getattr(out, 'dtype', 'object'))!r}) "
        f"for a Series or meta={{'column': 'dtype'}} for a DataFrame.", UserWarning, stacklevel=4)
    if is_pandas(out):
        return make_meta(out)
    return make_meta(np.asarray(out).dtype if np.ndim(out) == 0 else out)


def has_unknown_categories(x) -> bool:
    dtype = getattr(x, "dtype", x)
    return isinstance(dtype, pd.CategoricalDtype) and UNKNOWN_CATEGORIES in list(dtype.categories)


def clear_known_categories(meta, columns=None):
    """Mark categorical columns of meta as having unknown categories (filled in at compute time)."""
    unknown = pd.CategoricalDtype([UNKNOWN_CATEGORIES])
    if isinstance(meta, pd.Series):
        return meta.astype(unknown) if isinstance(meta.dtype, pd.CategoricalDtype) else meta
    if isinstance(meta, pd.DataFrame):
        meta = meta.copy()
        for c in (columns if columns is not None else meta.columns):
            if isinstance(meta[c].dtype, pd.CategoricalDtype):
                meta[c] = meta[c].astype(unknown)
        return meta
    return meta


def concat(parts: list, axis: int = 0):
    """Concatenate computed partitions, merging categoricals whose categories differ."""
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], pd.Index):
        return parts[0].append(parts[1:])
    if axis == 0:
        parts = _union_categoricals(parts)
        if can_concat_in_threads(parts):
            return concat_in_threads(parts)
    nonempty = [p for p in parts if len(p)] or parts[:1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        out = pd.concat(nonempty, axis=axis)
    if len(nonempty) < len(parts) and axis == 0:
        out = _restore_dtypes(out, parts[0])
    return out


def _restore_dtypes(out, like):
    if isinstance(out, pd.DataFrame) and isinstance(like, pd.DataFrame):
        for c in out.columns:
            if c in like.columns and out[c].dtype != like[c].dtype and len(out) == 0:
                out[c] = out[c].astype(like[c].dtype)
    return out


def _union_categoricals(parts):
    first = parts[0]
    if isinstance(first, pd.Series):
        if isinstance(first.dtype, pd.CategoricalDtype):
            dtype = _union_dtype([p.dtype for p in parts])
            return [p.astype(dtype) for p in parts]
        return parts
    if isinstance(first, pd.DataFrame):
        cat_cols = [c for c, d in first.dtypes.items() if isinstance(d, pd.CategoricalDtype)]
        if not cat_cols:
            return parts
        dtypes = {c: _union_dtype([p[c].dtype for p in parts if c in p.columns]) for c in cat_cols}
        return [p.astype({c: d for c, d in dtypes.items() if c in p.columns}) for p in parts]
    return parts


def _union_dtype(dtypes):
    cats = []
    seen = set()
    for d in dtypes:
        if not isinstance(d, pd.CategoricalDtype):
            continue
        for c in d.categories:
            if c not in seen and c != UNKNOWN_CATEGORIES:
                seen.add(c)
                cats.append(c)
    ordered = bool(getattr(dtypes[0], "ordered", False))
    if dtypes and all(d == dtypes[0] for d in dtypes):
        return dtypes[0]
    return pd.CategoricalDtype(pd.Index(cats) if not ordered else cats, ordered=ordered)


def check_meta(part, meta, funcname: str, partition: int | None = None):
    """Raise a clear error when a computed partition does not match the collection's meta."""
    if meta is None or not is_pandas(meta):
        return part
    where = f" (partition {partition})" if partition is not None else ""
    if type(part) is not type(meta):
        raise ValueError(
            f"Metadata mismatch found in `{funcname}`{where}: expected a {type(meta).__name__} "
            f"but the partition is a {type(part).__name__}. Pass the correct meta=.")
    part = match_time_units(part, meta)
    if isinstance(meta, pd.DataFrame):
        if list(part.columns) != list(meta.columns):
            raise ValueError(
                f"Metadata mismatch found in `{funcname}`{where}: partition columns "
                f"{list(part.columns)} differ from meta columns {list(meta.columns)}.")
        bad = [(c, meta[c].dtype, part[c].dtype) for c in meta.columns
               if not _dtype_compatible(meta[c].dtype, part[c].dtype)]
        if bad:
            lines = ", ".join(f"column {c!r}: meta {m} but partition {p}" for c, m, p in bad)
            raise ValueError(f"Metadata mismatch found in `{funcname}`{where}: {lines}. "
                             f"Pass meta= with the right dtypes or use .astype().")
    elif isinstance(meta, pd.Series) and not _dtype_compatible(meta.dtype, part.dtype):
        raise ValueError(f"Metadata mismatch found in `{funcname}`{where}: Series {meta.name!r} has "
                         f"dtype {meta.dtype} in meta but {part.dtype} in the partition.")
    return part


def _dtype_compatible(a, b) -> bool:
    if a == b:
        return True
    if isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype):
        return True
    if a == np.dtype(object) or b == np.dtype(object):
        return True
    return False
