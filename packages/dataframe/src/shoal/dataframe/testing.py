"""``assert_eq``: compare shoal collections and pandas objects, checking metadata on the way.

For a shoal collection it also checks that the computed result's dtypes match its meta and that
every partition lies within its divisions, so tests catch wrong metadata, not just wrong values.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._meta import UNKNOWN_CATEGORIES


def _is_collection(x) -> bool:
    return hasattr(x, "__shoal_graph__") and hasattr(x, "_meta")


def _compute(x, check_divisions=True, scheduler="sync"):
    if not _is_collection(x):
        return x
    import shoal.base

    if _holds_futures(x):
        scheduler = None  # persisted on a cluster: only its client can read the data

    if hasattr(x, "divisions") and check_divisions:
        parts = shoal.base.compute(*[x.get_partition(i) for i in range(x.npartitions)],
                                   scheduler=_scheduler(scheduler))
        _check_divisions(x.divisions, parts)
        from ._meta import concat

        result = concat(list(parts))
        if result is None:
            result = x._meta
    else:
        result = shoal.base.compute(x, scheduler=_scheduler(scheduler))[0]
    _check_meta(x._meta, result)
    return result


def _holds_futures(x) -> bool:
    """Results persisted on a cluster sit in the graph as collections of their own (futures)."""
    from shoal.base import is_shoal_collection

    return any(is_shoal_collection(v) for v in x.__shoal_graph__().values())


def _scheduler(name):
    if name == "sync":
        import shoal.local

        return shoal.local.get_sync
    return name


def _check_divisions(divisions, parts):
    if divisions[0] is None:
        return
    for i, part in enumerate(parts):
        idx = part.index if not isinstance(part, pd.Index) else part
        if len(idx) == 0:
            continue
        lo, hi = divisions[i], divisions[i + 1]
        last = i == len(parts) - 1
        assert idx.min() >= lo, f"partition {i} has index {idx.min()!r} below its division {lo!r}"
        assert idx.max() < hi or (idx.max() <= hi and last) or idx.max() == hi, \
            f"partition {i} has index {idx.max()!r} beyond its division {hi!r}"


def _check_meta(meta, result):
    if isinstance(meta, pd.DataFrame):
        assert isinstance(result, pd.DataFrame), f"meta is a DataFrame, result {type(result)}"
        assert list(meta.columns) == list(result.columns), \
            f"meta columns {list(meta.columns)} != result columns {list(result.columns)}"
        for c in meta.columns:
            _check_dtype(meta[c].dtype, result[c].dtype, c)
    elif isinstance(meta, pd.Series):
        assert isinstance(result, pd.Series), f"meta is a Series, result {type(result)}"
        _check_dtype(meta.dtype, result.dtype, meta.name)
    elif isinstance(meta, pd.Index):
        assert isinstance(result, pd.Index), f"meta is an Index, result {type(result)}"


def _check_dtype(m, r, name):
    if isinstance(m, pd.CategoricalDtype) and isinstance(r, pd.CategoricalDtype):
        if UNKNOWN_CATEGORIES in list(m.categories):
            return
    if _may_gain_missing_values(m, r):
        return
    assert m == r, f"meta dtype {m} != computed dtype {r} for {name!r}"


def _may_gain_missing_values(m, r) -> bool:
    """Numbers compare equal across int/float (and bools may become objects), as a partition that
    gained missing values (an unmatched join row, a masked value) has a float or object dtype its
    meta cannot foresee; the values themselves are compared exactly afterwards."""
    if not (isinstance(m, np.dtype) and isinstance(r, np.dtype)):
        return False
    numeric = "biuf"
    return (m.kind in numeric and r.kind in numeric) or (m.kind == "b" and r.kind == "O")


def _sort(x):
    if isinstance(x, pd.DataFrame):
        x = x.copy()
        try:
            return x.sort_index(kind="stable").pipe(_sort_within_index)
        except TypeError:
            return x
    if isinstance(x, pd.Series):
        try:
            return x.sort_index(kind="stable").pipe(_sort_within_index)
        except TypeError:
            return x
    if isinstance(x, pd.Index):
        try:
            return x.sort_values()
        except TypeError:
            return x
    return x


def _sort_within_index(x):
    if not x.index.has_duplicates:
        return x
    key = x.reset_index(drop=True)
    if isinstance(key, pd.Series):
        key = key.to_frame()
    key = key.copy()
    key.insert(0, "__index__", np.asarray(x.index))
    try:
        order = key.sort_values(list(key.columns), kind="stable").index
    except TypeError:
        return x
    return x.iloc[order]


def assert_eq(a, b, check_names=True, check_dtype=True, check_divisions=True, check_index=True,
              sort_results=True, scheduler="sync", atol=1e-8, rtol=1e-5, **kwargs):
    """Assert that two shoal/pandas/scalar objects are equal (results are sorted by index)."""
    a = _compute(a, check_divisions, scheduler)
    b = _compute(b, check_divisions, scheduler)
    kwargs.setdefault("check_freq", False)  # a concatenated index loses its freq
    if isinstance(a, (pd.DataFrame, pd.Series, pd.Index)):
        if not check_index:
            a = a.reset_index(drop=True) if not isinstance(a, pd.Index) else a
            b = b.reset_index(drop=True) if not isinstance(b, pd.Index) else b
            if sort_results:
                a = _sort_values(a)
                b = _sort_values(b)
        elif sort_results:
            a, b = _sort(a), _sort(b)
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_names=check_names, check_dtype=check_dtype,
                                          atol=atol, rtol=rtol, **kwargs)
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b, check_names=check_names, check_dtype=check_dtype,
                                           atol=atol, rtol=rtol, **kwargs)
        else:
            pd.testing.assert_index_equal(a, b, check_names=check_names, exact=check_dtype)
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=atol, rtol=rtol)
        return True
    if _isnan(a) and _isnan(b):
        return True
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        assert math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=atol), f"{a!r} != {b!r}"
        return True
    assert a == b, f"{a!r} != {b!r}"
    return True


def _isnan(x):
    try:
        return bool(pd.isna(x)) and np.ndim(x) == 0
    except (TypeError, ValueError):
        return False


def _sort_values(x):
    if isinstance(x, pd.DataFrame):
        try:
            return x.sort_values(list(x.columns), kind="stable").reset_index(drop=True)
        except TypeError:
            return x
    if isinstance(x, pd.Series):
        try:
            return x.sort_values(kind="stable").reset_index(drop=True)
        except TypeError:
            return x
    return x
