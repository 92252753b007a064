"""Joins: aligned (known divisions on both indexes), broadcast (one small side) or hash (shuffle
both sides on the join keys, then merge partition by partition)."""
from __future__ import annotations

import pandas as pd

from ._expr import MapPartitions
from ._meta import emulate, meta_nonempty, make_meta
from ._shuffle import shuffle_expr


def _merge_partitions(left, right, **kwargs):
    return pd.merge(left, right, **kwargs)


def _as_collection(x):
    from ._collection import FrameBase
    from ._creation import from_pandas

    if isinstance(x, FrameBase):
        return x
    if isinstance(x, (pd.DataFrame, pd.Series)):
        return from_pandas(x, npartitions=1)
    raise TypeError(f"cannot merge with a {type(x).__name__}")


def _keys(frame, on, side_on, index):
    if index:
        return None
    keys = side_on if side_on is not None else on
    keys = [keys] if not isinstance(keys, list) else keys
    missing = [k for k in keys if k not in frame._meta.columns]
    if missing:
        raise KeyError(f"merge key(s) {missing} not found in columns {list(frame._meta.columns)}")
    return keys


def merge(left, right, how="inner", on=None, left_on=None, right_on=None, left_index=False,
          right_index=False, suffixes=("_x", "_y"), indicator=False, npartitions=None, method=None,
          broadcast=None):
    from ._collection import _align, new_collection

    if how not in ("inner", "left", "right", "outer", "leftsemi", "cross"):
        raise ValueError(f"merge how={how!r} is not one of inner, left, right, outer")
    left, right = _as_collection(left), _as_collection(right)
    if isinstance(right._meta, pd.Series):
        right = right.to_frame()
    if on is None and left_on is None and right_on is None and not (left_index and right_index):
        common = [c for c in left._meta.columns if c in set(right._meta.columns)]
        if not common:
            raise ValueError("No common columns to merge on; pass on=, left_on/right_on or "
                             "left_index/right_index")
        on = common
    kwargs = {"how": how, "on": on, "left_on": left_on, "right_on": right_on,
              "left_index": left_index, "right_index": right_index, "suffixes": suffixes,
              "indicator": indicator}
    meta = emulate(_merge_partitions, left._meta, right._meta, **kwargs)
    if meta.empty and len(meta.columns) == 0:
        meta = make_meta(_merge_partitions(meta_nonempty(left._meta), meta_nonempty(right._meta),
                                           **kwargs))
    lexpr, rexpr = left.expr, right.expr
    if left_index and right_index and lexpr.known_divisions and rexpr.known_divisions:
        lexpr, rexpr = _align(lexpr, rexpr)
        return new_collection(MapPartitions(_merge_partitions, meta, "keep", kwargs, False,
                                            [lexpr, rexpr]))
    small_right = rexpr.npartitions == 1 and how in ("inner", "left")
    small_left = lexpr.npartitions == 1 and how in ("inner", "right")
    if broadcast and not (small_left or small_right):
        if how in ("inner", "left"):
            rexpr, small_right = right.repartition(npartitions=1).expr, True
        elif how == "right":
            lexpr, small_left = left.repartition(npartitions=1).expr, True
    if small_right or small_left:
        return new_collection(MapPartitions(_merge_partitions, meta, "clear", kwargs, False,
                                            [lexpr, rexpr]))
    n = npartitions or max(lexpr.npartitions, rexpr.npartitions)
    lkeys = _keys(left, on, left_on, left_index)
    rkeys = _keys(right, on, right_on, right_index)
    lexpr = shuffle_expr(lexpr, lkeys, n, method)
    rexpr = shuffle_expr(rexpr, rkeys, n, method)
    return new_collection(MapPartitions(_merge_partitions, meta, "clear", kwargs, False,
                                        [lexpr, rexpr]))
