"""Broadcast joins against a small right side, with its key lookup table built once.

``pd.merge(left_part, right)`` in every task would hash the whole right side once per left
partition.  When the right keys are unique, a pandas Index over them (whose hash table is built
on first use and cached with the partition object) finds each left row's match in one lookup;
the rows are then put side by side by pandas itself (a merge on equal RangeIndexes), so column
order, suffixes and the dtypes of unmatched rows are exactly ``pd.merge``'s.
"""
from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd

_LOCK = threading.Lock()
_KEY_INDEXES: dict = {}  # id(right partition) -> (weakref to it, key column, Index of its keys)


def can_broadcast_lookup(left_meta, right_meta, left_on, right_on) -> bool:
    """A single key column of the same simple dtype on both sides, and no column name clashes
    that pandas would resolve differently for an index join."""
    if left_on not in left_meta.columns or right_on not in right_meta.columns:
        return False
    ldtype, rdtype = left_meta[left_on].dtype, right_meta[right_on].dtype
    simple = (isinstance(ldtype, np.dtype) and ldtype.kind in "iufbmM") or \
        isinstance(ldtype, pd.StringDtype)
    if not simple or ldtype != rdtype:
        return False
    return left_on == right_on or (left_on not in right_meta.columns and
                                   right_on not in left_meta.columns)


class _DenseLookup:
    """Positions of unique integer keys spanning a small range, by direct addressing: a plain
    array lookup is several times faster than hashing when the table fits in cache."""

    is_unique = True

    def __init__(self, keys: np.ndarray):
        self.low, self.high = int(keys.min()), int(keys.max())
        self.table = np.full(self.high - self.low + 1, -1, dtype=np.intp)
        self.table[keys - self.low] = np.arange(len(keys), dtype=np.intp)

    def get_indexer(self, values) -> np.ndarray:
        values = np.asarray(values)
        out = np.full(len(values), -1, dtype=np.intp)
        inside = (values >= self.low) & (values <= self.high)
        out[inside] = self.table[values[inside] - self.low]
        return out


def _lookup_table(keys: pd.Series):
    index = pd.Index(keys)
    if not index.is_unique:  # (builds the hash table now, under the lock, not in every reader)
        return index
    values = keys.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        span = int(values.max()) - int(values.min()) + 1
        if span <= 4 * len(values) + 1024:
            return _DenseLookup(values)
    return index


def _key_index(right: pd.DataFrame, key):
    """A lookup table of ``right[key]`` (with ``get_indexer`` and ``is_unique``), built once per
    right partition object."""
    with _LOCK:
        entry = _KEY_INDEXES.get(id(right))
        if entry is not None and entry[0]() is right and entry[1] == key:
            return entry[2]
        table = _lookup_table(right[key])
        ref = weakref.ref(right, lambda _, k=id(right): _KEY_INDEXES.pop(k, None))
        _KEY_INDEXES[id(right)] = (ref, key, table)
        return table


def broadcast_merge(left, right, how, left_on, right_on, suffixes, merge_kwargs, promoted):
    """``pd.merge(left, right, **merge_kwargs)`` for how='inner'/'left' on one key column each,
    with the columns in ``promoted`` cast to their dtype for unmatched rows."""
    from ._merge import cast_promoted

    return cast_promoted(_lookup_merge(left, right, how, left_on, right_on, suffixes, merge_kwargs),
                         promoted)


def _lookup_merge(left, right, how, left_on, right_on, suffixes, merge_kwargs):
    index = _key_index(right, right_on)
    if not index.is_unique:
        return pd.merge(left, right, **merge_kwargs)
    positions = index.get_indexer(left[left_on])
    missing = positions < 0
    left = left.reset_index(drop=True)
    if how == "inner" and missing.any():
        left = left[~missing].reset_index(drop=True)
        positions = positions[~missing]
        missing = missing[~missing]
    others = right.drop(columns=[right_on]) if right_on == left_on else right
    others = others.reset_index(drop=True)
    if missing.any():
        # a label past the end: reindex fills those rows as pd.merge does (NaN, NaT, float upcast)
        matched = others.reindex(np.where(missing, len(others), positions))
    else:
        matched = others.take(positions)
    matched.index = left.index
    return pd.merge(left, matched, how="left", left_index=True, right_index=True,
                    suffixes=suffixes)
