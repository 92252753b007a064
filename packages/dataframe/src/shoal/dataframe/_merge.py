"""Joins: aligned (known divisions on both indexes), broadcast (one small side) or hash (shuffle
both sides on the join keys, then merge partition by partition)."""
from __future__ import annotations

import pandas as pd

import shoal.config

from ._broadcast_join import broadcast_merge, can_broadcast_lookup
from ._expr import MapPartitions
from ._meta import emulate, meta_nonempty, make_meta
from ._shuffle import shuffle_expr
from ._time_units import finer_unit, time_unit, with_unit


def _merge_partitions(left, right, **kwargs):
    return pd.merge(left, right, **kwargs)


def _merge_to_meta(left, right, promoted, **kwargs):
    return cast_promoted(pd.merge(left, right, **kwargs), promoted)


def cast_promoted(out, promoted):
    """Give join keys the datetime unit the meta has, so every partition agrees with it."""
    changes = {c: d for c, d in promoted.items() if c in out.columns and out[c].dtype != d}
    return out.astype(changes) if changes else out


def _promoted_dtypes(meta, left_meta, right_meta, kwargs):
    # int/bool columns of unmatched rows become float64/object per partition, exactly as pandas
    # does for the whole frame: concatenated, the result has pandas' dtypes whether or not all matched
    return _finest_time_units(meta, left_meta, right_meta, kwargs)


def _finest_time_units(meta, left_meta, right_meta, kwargs):
    """Join keys of different datetime units: pandas gives the finer unit on ordinary data but
    the coarser one for empty inputs, so meta and every partition take the finer unit."""
    out = {}
    for c in meta.columns:
        if c not in left_meta.columns or c not in right_meta.columns:
            continue
        have = time_unit(meta[c].dtype)
        units = [time_unit(left_meta[c].dtype), time_unit(right_meta[c].dtype)]
        if have and all(units):
            finest = finer_unit(*units)
            if finer_unit(have, finest) != have:
                out[c] = with_unit(meta[c].dtype, finest)
    return out


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


def _same_key_units(left, right, on, left_on, right_on, left_index, right_index):
    """Cast datetime join keys of different units to the finer one, so both sides hash alike."""
    lkeys = _key_list(on if left_on is None else left_on, left_index)
    rkeys = _key_list(on if right_on is None else right_on, right_index)
    lcast, rcast = {}, {}
    for lk, rk in zip(lkeys, rkeys):
        ldt, rdt = _key_dtype(left._meta, lk), _key_dtype(right._meta, rk)
        lu, ru = time_unit(ldt), time_unit(rdt)
        if lu and ru and lu != ru:
            unit = finer_unit(lu, ru)
            (lcast if unit == ru else rcast)[lk if unit == ru else rk] = \
                with_unit(ldt if unit == ru else rdt, unit)
    return _cast_keys(left, lcast), _cast_keys(right, rcast)


def _key_list(keys, index):
    if index:
        return [None]
    if keys is None:
        return []
    return keys if isinstance(keys, list) else [keys]


def _key_dtype(meta, key):
    if key is None:
        return meta.index.dtype
    return meta[key].dtype if key in meta.columns else None


def _cast_keys(frame, casts):
    if not casts:
        return frame
    index_dtype = casts.pop(None, None)
    meta = frame._meta.astype(casts)
    if index_dtype is not None:
        meta.index = meta.index.astype(index_dtype)
    return frame.map_partitions(_cast_partition_keys, casts, index_dtype, meta=meta)


def _cast_partition_keys(part, casts, index_dtype):
    part = part.astype(casts) if casts else part
    return part.set_axis(part.index.astype(index_dtype), axis=0) if index_dtype else part


def merge(left, right, how="inner", on=None, left_on=None, right_on=None, left_index=False,
          right_index=False, suffixes=("_x", "_y"), indicator=False, npartitions=None, method=None,
          broadcast=None):
    from ._collection import _align, new_collection

    if how not in ("inner", "left", "right", "outer", "leftsemi", "cross"):
        raise ValueError(f"merge how={how!r} is not one of inner, left, right, outer")
    left, right = _as_collection(left), _as_collection(right)
    if isinstance(right._meta, pd.Series):
        right = right.to_frame()
    if how == "cross":
        return _cross_merge(left, right, on, left_on, right_on, left_index, right_index, suffixes,
                            indicator)
    if on is None and left_on is None and right_on is None and not (left_index and right_index):
        common = [c for c in left._meta.columns if c in set(right._meta.columns)]
        if not common:
            raise ValueError("No common columns to merge on; pass on=, left_on/right_on or "
                             "left_index/right_index")
        on = common
    left, right = _same_key_units(left, right, on, left_on, right_on, left_index, right_index)
    kwargs = {"how": how, "on": on, "left_on": left_on, "right_on": right_on,
              "left_index": left_index, "right_index": right_index, "suffixes": suffixes,
              "indicator": indicator}
    meta = emulate(_merge_partitions, left._meta, right._meta, **kwargs)
    if meta.empty and len(meta.columns) == 0:
        meta = make_meta(_merge_partitions(meta_nonempty(left._meta), meta_nonempty(right._meta),
                                           **kwargs))
    promoted = _promoted_dtypes(meta, left._meta, right._meta, kwargs)
    meta = cast_promoted(meta, promoted)
    lexpr, rexpr = left.expr, right.expr
    if left_index and right_index and lexpr.known_divisions and rexpr.known_divisions:
        lexpr, rexpr = _align(lexpr, rexpr)
        return new_collection(MapPartitions(_merge_to_meta, meta, "keep",
                                            {**kwargs, "promoted": promoted}, False, [lexpr, rexpr]))
    lookup = _broadcast_lookup(left, right, lexpr, rexpr, how, on, left_on, right_on, left_index,
                               right_index, indicator, broadcast, suffixes, kwargs, meta, promoted)
    if lookup is not None:
        return lookup
    small_right = rexpr.npartitions == 1 and how in ("inner", "left")
    small_left = lexpr.npartitions == 1 and how in ("inner", "right")
    if broadcast and not (small_left or small_right):
        if how in ("inner", "left"):
            rexpr, small_right = right.repartition(npartitions=1).expr, True
        elif how == "right":
            lexpr, small_left = left.repartition(npartitions=1).expr, True
    if small_right or small_left:
        return new_collection(MapPartitions(_merge_to_meta, meta, "clear",
                                            {**kwargs, "promoted": promoted}, False,
                                            [lexpr, rexpr]))
    n = npartitions or max(lexpr.npartitions, rexpr.npartitions)
    lkeys = _keys(left, on, left_on, left_index)
    rkeys = _keys(right, on, right_on, right_index)
    lexpr = shuffle_expr(lexpr, lkeys, n, method)
    rexpr = shuffle_expr(rexpr, rkeys, n, method)
    lookup = _lookup_args(left, right, how, on, left_on, right_on, left_index, right_index,
                          indicator, suffixes, kwargs, promoted)
    if lookup is not None:
        # each shuffled right partition gets its own lookup table (pandas' merge if not unique)
        return new_collection(MapPartitions(broadcast_merge, meta, "clear", lookup, False,
                                            [lexpr, rexpr]))
    return new_collection(MapPartitions(_merge_to_meta, meta, "clear",
                                        {**kwargs, "promoted": promoted}, False, [lexpr, rexpr]))


def _single_key(on, side_on, index):
    key = side_on if side_on is not None else on
    if index or key is None:
        return None
    if isinstance(key, list):
        return key[0] if len(key) == 1 else None
    return key


def _small_enough_to_broadcast(expr) -> bool:
    from shoal.utils import parse_bytes

    limit = shoal.config.get("dataframe.merge.broadcast-bytes", "64 MiB")
    limit = parse_bytes(limit) if isinstance(limit, str) else limit
    nbytes = expr._estimated_nbytes()
    return nbytes is not None and nbytes <= limit


def _lookup_args(left, right, how, on, left_on, right_on, left_index, right_index, indicator,
                 suffixes, kwargs, promoted):
    """broadcast_merge's keywords when the join can use a lookup table of right keys, or None."""
    lkey = _single_key(on, left_on, left_index)
    rkey = _single_key(on, right_on, right_index)
    if how not in ("inner", "left") or indicator or lkey is None or rkey is None or \
            not can_broadcast_lookup(left._meta, right._meta, lkey, rkey):
        return None
    return {"how": how, "left_on": lkey, "right_on": rkey, "suffixes": suffixes,
            "merge_kwargs": kwargs, "promoted": promoted}


def _broadcast_lookup(left, right, lexpr, rexpr, how, on, left_on, right_on, left_index, right_index,
                      indicator, broadcast, suffixes, kwargs, meta, promoted):
    """A broadcast join through a lookup table of the (small, uniquely keyed) right side, or None."""
    from ._collection import new_collection

    args = _lookup_args(left, right, how, on, left_on, right_on, left_index, right_index,
                        indicator, suffixes, kwargs, promoted)
    if args is None or broadcast is False:
        return None
    if not (broadcast or rexpr.npartitions == 1 or _small_enough_to_broadcast(rexpr)):
        return None
    if rexpr.npartitions > 1:
        rexpr = right.repartition(npartitions=1).expr
    return new_collection(MapPartitions(broadcast_merge, meta, "clear", args, False, [lexpr, rexpr]))


def _cross_merge(left, right, on, left_on, right_on, left_index, right_index, suffixes, indicator):
    """Every left row with every right row: each left partition meets the whole right side."""
    from ._collection import new_collection

    if on is not None or left_on is not None or right_on is not None or left_index or right_index:
        raise ValueError("merge how='cross' takes no on=, left_on=/right_on= or "
                         "left_index=/right_index=")
    kwargs = {"how": "cross", "suffixes": suffixes, "indicator": indicator}
    meta = emulate(_merge_partitions, left._meta, right._meta, **kwargs)
    rexpr = right.expr if right.npartitions == 1 else right.repartition(npartitions=1).expr
    return new_collection(MapPartitions(_merge_partitions, meta, "clear", kwargs, False,
                                        [left.expr, rexpr]))
