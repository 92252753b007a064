"""map_overlap: run a function on each partition together with rows borrowed from its neighbours.

Borrowed rows come from a chain of small tasks: ``prev[i]`` is the tail of ``prev[i-1] + part[i-1]``
(``before`` rows, or the rows within ``before`` time of the end), so a window can reach back
across several short or empty partitions.  ``next[i]`` works the same way forwards.
"""
from __future__ import annotations

import functools

import pandas as pd

from ._expr import Expr, MapPartitions
from ._meta import concat, infer_meta_from_sample, make_meta, meta_nonempty


def _tail(prev, part, before):
    both = concat([p for p in (prev, part) if p is not None])
    if both is None or len(both) == 0:
        return both
    if isinstance(before, pd.Timedelta):
        return both[both.index >= both.index[-1] - before]
    return both.iloc[max(len(both) - before, 0):]


def _head(part, nxt, after):
    both = concat([p for p in (part, nxt) if p is not None])
    if both is None or len(both) == 0:
        return both
    if isinstance(after, pd.Timedelta):
        return both[both.index <= both.index[0] + after]
    return both.iloc[:after]


def _with_neighbours(prev, part, nxt):
    pieces = [p for p in (prev, part, nxt) if p is not None]
    nprev = len(prev) if prev is not None else 0
    nnext = len(nxt) if nxt is not None else 0
    return concat(pieces), nprev, nnext


class Overlap(Expr):
    """Partition i as (rows with neighbours, number borrowed before, number borrowed after)."""

    _parameters = ("frame", "before", "after")

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _divisions(self):
        return self.frame.divisions

    def _layer(self):
        name, dep, n = self._name, self.frame._name, self.frame.npartitions
        layer = {}
        for i in range(n):
            prev = nxt = None
            if self.before and i > 0:
                prev = (f"{name}-prev", i)
                layer[prev] = (_tail, (f"{name}-prev", i - 1) if i > 1 else None, (dep, i - 1),
                               self.before)
            if self.after and i < n - 1:
                nxt = (f"{name}-next", i)
                layer[nxt] = (_head, (dep, i + 1), (f"{name}-next", i + 1) if i < n - 2 else None,
                              self.after)
            layer[(name, i)] = (_with_neighbours, prev, (dep, i), nxt)
        return layer

    def _column_needs(self, needed):
        yield self.frame, needed


def _apply_trimmed(triple, func, args, kwargs):
    data, nprev, nnext = triple
    out = func(data, *args, **kwargs)
    return out.iloc[nprev:len(out) - nnext]


def _to_span(x):
    if isinstance(x, str):
        return pd.Timedelta(x)
    if isinstance(x, pd.Timedelta) or isinstance(x, int):
        return x
    if hasattr(x, "delta"):
        return pd.Timedelta(x.delta)
    return pd.Timedelta(x)


def map_overlap(func, frame, before, after, *args, meta=None, **kwargs):
    """Apply ``func`` to each partition extended by ``before``/``after`` rows (or time spans)."""
    from ._collection import new_collection

    before, after = _to_span(before), _to_span(after)
    if isinstance(before, pd.Timedelta) or isinstance(after, pd.Timedelta):
        if not isinstance(frame._meta.index, pd.DatetimeIndex):
            raise TypeError("map_overlap with time spans needs a DatetimeIndex")
    if meta is None:
        meta = infer_meta_from_sample(functools.partial(func, *args, **kwargs) if not args else
                                      (lambda p: func(p, *args, **kwargs)), [frame._meta], {},
                                      "map_overlap")
    else:
        meta = make_meta(meta)
    overlapped = Overlap(frame.expr, before, after)
    expr = MapPartitions(_apply_trimmed, meta, "keep", {"func": func, "args": args, "kwargs": kwargs},
                         False, [overlapped])
    return new_collection(expr)


def _shift(part, periods):
    return part.shift(periods)


def _diff(part, periods):
    return part.diff(periods)


def shift(frame, periods=1, freq=None):
    from ._collection import new_collection

    if freq is not None:
        meta = frame._meta.shift(periods, freq=freq)
        divisions = frame.divisions
        if frame.known_divisions:
            divisions = tuple(pd.DatetimeIndex(list(divisions)).shift(periods, freq=freq))
        return new_collection(MapPartitions(_shift_freq, meta, divisions,
                                            {"periods": periods, "freq": freq}, False, [frame.expr]))
    before, after = (periods, 0) if periods > 0 else (0, -periods)
    expr = MapPartitions(_apply_trimmed, make_meta(meta_nonempty(frame._meta).shift(periods)), "keep",
                         {"func": _shift, "args": (periods,), "kwargs": {}}, False,
                         [Overlap(frame.expr, before, after)])
    return new_collection(expr)


def _shift_freq(part, periods, freq):
    return part.shift(periods, freq=freq)


def diff(frame, periods=1):
    from ._collection import new_collection

    before, after = (periods, 0) if periods > 0 else (0, -periods)
    expr = MapPartitions(_apply_trimmed, make_meta(meta_nonempty(frame._meta).diff(periods)), "keep",
                         {"func": _diff, "args": (periods,), "kwargs": {}}, False,
                         [Overlap(frame.expr, before, after)])
    return new_collection(expr)


def fill_across(frame, how):
    from ._cumulative import cumulative

    return cumulative(frame, how)
