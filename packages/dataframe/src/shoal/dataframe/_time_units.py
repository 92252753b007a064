"""Datetime/timedelta units: making partitions agree with meta's unit.

pandas 3 infers the unit of parsed datetimes from the data ('s' for an empty or all-NaT
result, 'us' for ordinary strings, 'ns' when nanoseconds are present), so partitions of one
collection can come out with different units, and meta computed on empty or fake data can
disagree with all of them.  Meta is set to the unit pandas gives on ordinary data, and each
partition coarser than meta is cast up to it (lossless).  A partition that really needs a finer
unit is left alone, so the concatenated result still holds what pandas gives on the whole frame.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

_RANK = {"s": 0, "ms": 1, "us": 2, "ns": 3}


def time_unit(dtype) -> str | None:
    """The unit of a datetime64/timedelta64 (tz-aware too) dtype, else None."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        return dtype.unit
    if isinstance(dtype, np.dtype) and dtype.kind in "Mm":
        return np.datetime_data(dtype)[0]
    return None


def finer_unit(a: str, b: str) -> str:
    return a if _RANK.get(a, 3) >= _RANK.get(b, 3) else b


def with_unit(dtype, unit: str):
    """``dtype`` with its time unit replaced by ``unit``."""
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.DatetimeTZDtype(unit=unit, tz=dtype.tz)
    return np.dtype(f"{dtype.kind}8[{unit}]")


def at_least_unit(meta, unit: str):
    """meta (Series, Index or DataFrame) with every time column at least as fine as ``unit``."""
    return match_time_units(meta, meta, floor=unit)


def _target(have, want, floor):
    unit = time_unit(have)
    goal = time_unit(want) if want is not None else None
    if unit is None or goal is None:
        return None
    goal = finer_unit(goal, floor) if floor else goal
    return with_unit(have, goal) if _RANK.get(unit, 3) < _RANK.get(goal, 3) else None


def match_time_units(part, meta, floor: str | None = None):
    """Cast datetime/timedelta columns (and index) of ``part`` that are coarser than meta's up to
    meta's unit (or ``floor``, if finer)."""
    if isinstance(part, pd.DataFrame) and isinstance(meta, pd.DataFrame):
        changes = {}
        for c, d in part.dtypes.items():
            if c in meta.columns and not isinstance(meta[c], pd.DataFrame):
                t = _target(d, meta[c].dtype, floor)
                if t is not None:
                    changes[c] = t
        out = part.astype(changes) if changes else part
    elif isinstance(part, pd.Series) and isinstance(meta, pd.Series):
        t = _target(part.dtype, meta.dtype, floor)
        out = part.astype(t) if t is not None else part
    elif isinstance(part, pd.Index) and isinstance(meta, pd.Index):
        t = _target(part.dtype, meta.dtype, floor)
        return part.astype(t) if t is not None else part
    else:
        return part
    index_meta = meta.index if hasattr(meta, "index") else None
    if index_meta is not None and not isinstance(out.index, pd.MultiIndex):
        t = _target(out.index.dtype, index_meta.dtype, floor)
        if t is not None:
            out = out.set_axis(out.index.astype(t), axis=0)
    return out
