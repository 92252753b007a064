"""merge_asof: each left partition is matched against the whole right side, which is brought
into one partition (it is usually the smaller, quote-like table), so matches across partition
boundaries are exact whatever the direction."""
from __future__ import annotations

import pandas as pd

from ._expr import MapPartitions
from ._meta import make_meta


def _merge_asof_partition(left, right, meta, **kwargs):
    out = pd.merge_asof(left, right, **kwargs)
    return out.astype(meta.dtypes.to_dict())  # unmatched rows turn right's ints into floats


def _widen_unmatchable(meta, left_meta):
    """Right-side integer/bool columns hold NaN for left rows without a match: make them float/object."""
    wider = {c: ("float64" if meta[c].dtype.kind in "iu" else object)
             for c in meta.columns if c not in left_meta.columns and meta[c].dtype.kind in "iub"}
    return meta.astype(wider) if wider else meta


def merge_asof(left, right, on=None, left_on=None, right_on=None, left_index=False, right_index=False,
               by=None, left_by=None, right_by=None, suffixes=("_x", "_y"), tolerance=None,
               allow_exact_matches=True, direction="backward"):
    """``pd.merge_asof`` for shoal collections; each left partition must be sorted by its key."""
    from ._collection import new_collection
    from ._merge import _as_collection

    left, right = _as_collection(left), _as_collection(right)
    kwargs = {"on": on, "left_on": left_on, "right_on": right_on, "left_index": left_index,
              "right_index": right_index, "by": by, "left_by": left_by, "right_by": right_by,
              "suffixes": suffixes, "tolerance": tolerance, "allow_exact_matches": allow_exact_matches,
              "direction": direction}
    meta = _widen_unmatchable(make_meta(pd.merge_asof(left._meta, right._meta, **kwargs)), left._meta)
    whole_right = right.repartition(npartitions=1) if right.npartitions > 1 else right
    divisions = "keep" if left_index else "clear"
    kwargs["meta"] = meta
    return new_collection(MapPartitions(_merge_asof_partition, meta, divisions, kwargs, False,
                                        [left.expr, whole_right.expr]))
