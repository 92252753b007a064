"""to_timedelta (to_datetime and to_numeric live with the shuffle helpers for history's sake)."""
from __future__ import annotations

import pandas as pd


def to_timedelta(arg, unit=None, errors="raise", meta=None):
    """``pd.to_timedelta`` partition by partition."""
    from ._collection import FrameBase, map_partitions
    from ._meta import make_meta, meta_nonempty

    if not isinstance(arg, FrameBase):
        return pd.to_timedelta(arg, unit=unit, errors=errors)
    if meta is None:
        sample = meta_nonempty(arg._meta)
        if sample.dtype == object or isinstance(sample.dtype, pd.StringDtype):
            sample = pd.Series(["1 day"], name=sample.name)
        meta = make_meta(pd.to_timedelta(sample, unit=unit, errors="coerce"))
    kwargs = {"errors": errors} if unit is None else {"unit": unit, "errors": errors}
    return map_partitions(pd.to_timedelta, arg, meta=meta, enforce_metadata=False, **kwargs)
