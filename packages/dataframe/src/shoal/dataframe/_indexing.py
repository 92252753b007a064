"""``.loc`` (labels, slices, boolean Series, column selection) and ``.iloc`` (columns only).

With known divisions, label lookups only touch the partitions whose range can hold the labels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._expr import Expr, Filter, MapPartitions, Partitions


def _loc_partition(part, key):
    if isinstance(key, slice):
        return part.loc[key]
    if isinstance(key, list):
        return part.loc[part.index.isin(key)]
    if part.index.is_monotonic_increasing:
        return part.loc[key:key]  # pandas' own label rules, partial date strings included
    return part.loc[part.index == key]


class LocIndexer:
    def __init__(self, frame):
        self.frame = frame

    def __getitem__(self, key):
        from ._collection import FrameBase, new_collection

        if isinstance(key, tuple):
            rows, cols = key
            out = self[rows] if not (isinstance(rows, slice) and rows == slice(None)) else self.frame
            return out[cols]
        if isinstance(key, FrameBase):
            from ._collection import _align

            a, b = _align(self.frame.expr, key.expr)
            return new_collection(Filter(a, b))
        if callable(key):
            return self[key(self.frame)]
        expr = self.frame.expr
        if isinstance(key, slice):
            if key.step is not None:
                raise NotImplementedError(".loc with a slice step is not supported")
            expr = _select_partitions(expr, key.start, key.stop)
            key = slice(key.start, key.stop)
        else:
            labels = list(key) if isinstance(key, (list, np.ndarray, pd.Index)) else key
            if not isinstance(labels, list):
                expr = _select_partitions(expr, labels, labels)
            key = labels
        return new_collection(MapPartitions(_loc_partition, expr._meta, "keep", {"key": key}, False,
                                            [expr]))


def _select_partitions(expr: Expr, start, stop) -> Expr:
    """Only the partitions whose division range can hold labels in [start, stop]."""
    if not expr.known_divisions:
        return expr
    n = expr.npartitions
    try:
        # pandas resolves partial strings ('2000-01') and label types for us
        a, b = pd.Index(list(expr.divisions)).slice_locs(start, stop)
    except (TypeError, KeyError, ValueError):
        return expr
    first = max(a - 1, 0)
    last = min(max(b - 1, first), n - 1)
    parts = list(range(min(first, n - 1), last + 1))
    if parts == list(range(n)):
        return expr
    return Partitions(expr, parts)


class ILocIndexer:
    def __init__(self, frame):
        self.frame = frame

    def __getitem__(self, key):
        if not isinstance(key, tuple) or len(key) != 2 or key[0] != slice(None):
            raise NotImplementedError("'DataFrame.iloc' only supports selecting columns: "
                                      "use df.iloc[:, cols]")
        cols = self.frame.columns[key[1]]
        if isinstance(cols, pd.Index):
            return self.frame[list(cols)]
        return self.frame[cols]
