"""Repartitioning: fewer/more partitions, new divisions, a target partition size or a frequency."""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from ._expr import Expr
from ._meta import concat


class RepartitionNPartitions(Expr):
    """Concatenate neighbouring partitions (fewer) or cut each by rows (more, unknown divisions)."""

    _parameters = ("frame", "n")

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _groups(self):
        nin, n = self.frame.npartitions, self.n
        bounds = np.linspace(0, nin, n + 1).round().astype(int)
        return [list(range(bounds[j], bounds[j + 1])) for j in range(n)]

    def _divisions(self):
        d = self.frame.divisions
        if self.n >= self.frame.npartitions:
            return (None,) * (self.n + 1) if self.n > self.frame.npartitions else d
        groups = self._groups()
        return tuple(d[g[0]] for g in groups) + (d[-1],)

    def _layer(self):
        name, dep = self._name, self.frame._name
        if self.n <= self.frame.npartitions:
            return {(name, j): (_concat_list, [(dep, i) for i in g])
                    for j, g in enumerate(self._groups())}
        nin = self.frame.npartitions
        per = np.linspace(0, self.n, nin + 1).round().astype(int)
        layer = {}
        for i in range(nin):
            k = per[i + 1] - per[i]
            for piece in range(k):
                layer[(name, per[i] + piece)] = (_split_rows, (dep, i), k, piece)
        return layer

    def _column_needs(self, needed):
        yield self.frame, needed

    def _label(self):
        return f"Repartition(npartitions={self.n})"


def _concat_list(parts):
    out = concat(parts)
    return out


def _split_rows(part, k, piece):
    bounds = np.linspace(0, len(part), k + 1).round().astype(int)
    return part.iloc[bounds[piece]:bounds[piece + 1]]


class RepartitionDivisions(Expr):
    """Rows of ``frame`` regrouped into partitions bounded by ``new_divisions``."""

    _parameters = ("frame", "new_divisions")

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _divisions(self):
        return tuple(self.new_divisions)

    def _layer(self):
        old, new = self.frame.divisions, self.new_divisions
        layer = {}
        nout = len(new) - 1
        for j in range(nout):
            lo, hi = new[j], new[j + 1]
            last = j == nout - 1
            pieces = []
            for i in range(len(old) - 1):
                if old[i + 1] < lo or old[i] > hi:
                    continue
                pieces.append((_slice_index, (self.frame._name, i), lo, hi, last))
            layer[(self._name, j)] = (_concat_or_empty, pieces, self._meta)
        return layer

    def _column_needs(self, needed):
        yield self.frame, needed

    def _label(self):
        return f"RepartitionDivisions({len(self.new_divisions) - 1} partitions)"


def _slice_index(part, lo, hi, include_hi):
    idx = part.index
    mask = (idx >= lo) & ((idx <= hi) if include_hi else (idx < hi))
    return part[np.asarray(mask)] if isinstance(part, (pd.DataFrame, pd.Series)) else part[mask]


def _concat_or_empty(parts, meta):
    out = concat(parts)
    return meta if out is None else out


def union_divisions(all_divisions) -> tuple:
    values = sorted(set().union(*[set(d) for d in all_divisions]))
    return tuple(values)


def repartition_divisions_expr(expr: Expr, divisions) -> Expr:
    if not expr.known_divisions:
        raise ValueError("Cannot repartition to new divisions: the divisions of this collection are "
                         "unknown. Use set_index(..., sorted=True) or pass npartitions=.")
    old = expr.divisions
    if divisions[0] > old[0] or divisions[-1] < old[-1]:
        raise ValueError(f"New divisions {divisions[0]!r}..{divisions[-1]!r} must cover the existing "
                         f"range {old[0]!r}..{old[-1]!r}")
    return RepartitionDivisions(expr, tuple(divisions))


def _interpolate_divisions(divisions, n):
    lo, hi = divisions[0], divisions[-1]
    if isinstance(lo, pd.Timestamp):
        values = pd.date_range(lo, hi, periods=n + 1)
        return tuple(values[:-1]) + (hi,)
    if isinstance(lo, (int, float, np.integer, np.floating)) and not isinstance(lo, bool):
        values = np.linspace(lo, hi, n + 1)
        if isinstance(lo, (int, np.integer)):
            values = np.unique(values.round().astype(type(lo) if isinstance(lo, int) else lo.dtype))
            if len(values) < 2:
                return None
        return tuple(v.item() if hasattr(v, "item") else v for v in values[:-1]) + (hi,)
    return None


def repartition(frame, divisions=None, npartitions=None, partition_size=None, freq=None, force=False):
    from ._collection import new_collection

    expr = frame.expr
    if sum(x is not None for x in (divisions, npartitions, partition_size, freq)) != 1:
        raise ValueError("repartition needs exactly one of divisions=, npartitions=, partition_size=, "
                         "freq=")
    if divisions is not None:
        divisions = tuple(divisions)
        if force and expr.known_divisions:
            divisions = (min(divisions[0], expr.divisions[0]),) + divisions[1:-1] + \
                (max(divisions[-1], expr.divisions[-1]),)
        return new_collection(repartition_divisions_expr(expr, divisions))
    if freq is not None:
        if not expr.known_divisions:
            raise ValueError("repartition(freq=) needs known datetime divisions")
        lo, hi = expr.divisions[0], expr.divisions[-1]
        cuts = pd.date_range(pd.Timestamp(lo).floor("D"), hi, freq=freq)
        cuts = [c for c in cuts if lo < c < hi]
        return new_collection(repartition_divisions_expr(expr, (lo, *cuts, hi)))
    if partition_size is not None:
        return _repartition_size(frame, partition_size)
    npartitions = int(npartitions)
    if npartitions <= expr.npartitions or not expr.known_divisions:
        return new_collection(RepartitionNPartitions(expr, npartitions))
    new = _interpolate_divisions(expr.divisions, npartitions)
    if new is None:
        return new_collection(RepartitionNPartitions(expr, npartitions))
    return new_collection(repartition_divisions_expr(expr, new))


def _repartition_size(frame, partition_size):
    from shoal.utils import parse_bytes

    from ._collection import new_collection

    size = parse_bytes(partition_size) if isinstance(partition_size, str) else int(partition_size)
    sizes = frame.memory_usage_per_partition(deep=True).compute().tolist()
    expr = frame.expr
    splits = [max(1, math.ceil(s / size)) for s in sizes]
    if any(k > 1 for k in splits):
        total = sum(splits)
        return new_collection(RepartitionNPartitions(expr, total))
    groups, current, acc = [], [], 0
    for i, s in enumerate(sizes):
        if current and acc + s > size:
            groups.append(current)
            current, acc = [], 0
        current.append(i)
        acc += s
    if current:
        groups.append(current)
    return new_collection(_ConcatGroups(expr, groups))


class _ConcatGroups(RepartitionNPartitions):
    _parameters = ("frame", "groups_")

    @property
    def n(self):
        return len(self.groups_)

    def _groups(self):
        return self.groups_
