"""sort_index: with known divisions each partition is sorted in place (partitions are already in
index order); otherwise the index is range-partitioned by sampled quantiles, as set_index does."""
from __future__ import annotations

import pandas as pd

from ._expr import MapPartitions, Partitions

_KEY = "__shoal_sort_index__"


def _sort_partition(part, ascending, na_position):
    return part.sort_index(ascending=ascending, na_position=na_position)


def _index_as_column(part):
    return part.assign(**{_KEY: part.index})


def _restore_index(part, name, series_name, is_series):
    part = part.rename_axis(name)
    if is_series:
        return part[series_name if series_name is not None else 0].rename(series_name)
    return part


def sort_index(frame, ascending=True, na_position="last", npartitions=None):
    from ._collection import new_collection

    if isinstance(frame._meta.index, pd.MultiIndex):
        raise NotImplementedError("sort_index of a MultiIndex is not supported")
    meta = frame._meta.sort_index()
    kwargs = {"ascending": ascending, "na_position": na_position}
    if frame.known_divisions:
        expr = frame.expr
        if not ascending:
            expr = Partitions(expr, list(range(frame.npartitions))[::-1])
        divisions = "keep" if ascending else "clear"
        return new_collection(MapPartitions(_sort_partition, meta, divisions, kwargs, False, [expr]))
    is_series = isinstance(frame._meta, pd.Series)
    as_frame = frame.to_frame(name=frame.name if frame.name is not None else 0) if is_series \
        else frame
    with_key = as_frame.map_partitions(_index_as_column, meta=_index_as_column(as_frame._meta))
    out = with_key.set_index(_KEY, npartitions=npartitions)
    out = out.map_partitions(_restore_index, frame._meta.index.name, getattr(frame, "name", None),
                             is_series, meta=meta)
    if not ascending:
        return sort_index(out, ascending=False, na_position=na_position)
    return out
