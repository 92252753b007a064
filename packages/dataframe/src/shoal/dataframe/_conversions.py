"""to_timedelta (to_datetime and to_numeric live with the shuffle helpers for history's sake)."""
from __future__ import annotations

import pandas as pd


def to_timedelta(arg, unit=None, errors="raise", meta=None):
    """``pd.to_timedelta`` partition by partition, every partition in meta's unit."""
    from ._collection import FrameBase, map_partitions
    from ._meta import make_meta, meta_nonempty
    from ._time_units import at_least_unit

    if not isinstance(arg, FrameBase):
        return pd.to_timedelta(arg, unit=unit, errors=errors)
    if meta is None:
        sample = meta_nonempty(arg._meta)
        if sample.dtype == object or isinstance(sample.dtype, pd.StringDtype):
            # pandas parses timedelta strings to 'us' at least, whatever an empty/NaT sample says
            sample = pd.Series(["1 day"], name=sample.name)
            meta = at_least_unit(make_meta(pd.to_timedelta(sample, errors="coerce")), "us")
        else:
            meta = make_meta(pd.to_timedelta(sample, unit=unit, errors="coerce"))
    else:
        meta = make_meta(meta)
    kwargs = {"errors": errors} if unit is None else {"unit": unit, "errors": errors}
    return map_partitions(_to_timedelta_in_meta_unit, arg, meta, meta=meta, enforce_metadata=False,
                          **kwargs)


def _to_timedelta_in_meta_unit(part, meta, **kwargs):
    from ._time_units import match_time_units

    return match_time_units(pd.to_timedelta(part, **kwargs), meta)
