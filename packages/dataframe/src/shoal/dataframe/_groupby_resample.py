"""``df.groupby(key).resample(rule)``: time bins within each group, as pandas gives them.

pandas resamples every group on its own (the bins of a group run from its first to its last
timestamp), so a group must be whole in one partition.  Rows are range-partitioned on the first
group key: every group lands in one partition and the partitions come out in key order, so the
concatenated result has pandas' (key, time) order.  Each partition is then resampled by pandas
itself.  Series keys are range-partitioned as temporary columns; index levels and sort=False are
hash-shuffled instead (the groups are right, but not in pandas' order).
"""
from __future__ import annotations

import functools

import pandas as pd

from ._meta import make_meta

# the methods pandas' groupby-resampler offers that shoal passes through
METHODS = ("sum", "mean", "count", "min", "max", "first", "last", "std", "var", "size", "median",
           "prod", "nunique", "ohlc", "sem", "quantile", "asfreq", "ffill", "bfill", "nearest",
           "interpolate")


def _resample_and_call(g, rule, params, selection, how, args, kwargs):
    r = g.resample(rule, **params)
    if selection is not None:
        r = r[selection]
    return r.agg(*args, **kwargs) if how == "agg" else getattr(r, how)(*args, **kwargs)


def _resample_partition_groups(g, rule, params, selection, how, args, kwargs, meta):
    if g.ngroups == 0:
        return meta
    return _resample_and_call(g, rule, params, selection, how, args, kwargs)


def _check_time_axis(meta, on):
    """Resampling needs times: a DatetimeIndex, or ``on=`` a datetime column."""
    if on is None:
        if not isinstance(meta.index, pd.DatetimeIndex):
            raise TypeError(f"groupby(...).resample needs a DatetimeIndex or on= a datetime column; "
                            f"the index is {type(meta.index).__name__}")
        return
    if not isinstance(meta, pd.DataFrame) or on not in meta.columns:
        raise KeyError(f"resample(on={on!r}): no such column; columns are "
                       f"{list(getattr(meta, 'columns', []))}")
    if meta[on].dtype.kind != "M":
        raise TypeError(f"resample(on={on!r}) needs a datetime column; it is {meta[on].dtype}")


class GroupbyResampler:
    """What ``groupby(...).resample(rule, on=..., closed=..., label=...)`` returns."""

    def __init__(self, gb, rule, params, selection=None):
        _check_time_axis(gb.frame._meta, params.get("on"))
        self.gb, self.rule, self.params, self.selection = gb, rule, params, selection

    def _agg(self, how, *args, **kwargs):
        gb = self.gb
        fake, by_parts = gb._fake()
        sample = _resample_and_call(gb._pandas_groupby(fake, by_parts), self.rule, self.params,
                                    self.selection, how, args, kwargs)
        meta = make_meta(sample)
        expr = gb._apply_expr(_resample_partition_groups,
                              {"rule": self.rule, "params": self.params, "selection": self.selection,
                               "how": how, "args": args, "kwargs": kwargs, "meta": meta}, meta,
                              ordered=True,
                              renumber_rows="on" in self.params)
        return gb._new(expr)

    def agg(self, func=None, *args, **kwargs):
        if func is None:
            return self._agg("agg", **kwargs)
        return self._agg("agg", func, *args, **kwargs)

    aggregate = agg

    def __getitem__(self, key):
        """The resampler of some columns: ``r["x"]`` or ``r[["x", "y"]]``."""
        self.gb.frame._check_columns(key if isinstance(key, list) else [key])
        return GroupbyResampler(self.gb, self.rule, self.params, key)

    def __getattr__(self, how):
        if how.startswith("_"):
            raise AttributeError(how)
        meta = self.gb.frame._meta
        if how not in METHODS and isinstance(meta, pd.DataFrame) and how in meta.columns:
            return self[how]
        if how not in METHODS:
            raise AttributeError(f"groupby(...).resample(...) has no method {how!r}; "
                                 f"use one of {list(METHODS)} or .agg(...)")
        return functools.partial(self._agg, how)


def ordered_shuffle(gb):
    """Rows range-partitioned on the first group key, so groups are whole and partitions in key
    order, and the (temporary column, name) pairs of Series keys; (None, None) for index levels
    and sort=False (hash-shuffle those instead)."""
    from ._collection import new_collection
    from ._shuffle import Shuffle, compute_divisions, range_partition

    if gb.level is not None or not gb.sort or not gb._by_spec:
        return None, None
    expr, tmp_cols = gb._keyed()
    kind, first = gb._by_spec[0]
    column = first if kind == "column" else tmp_cols[first][0]
    if expr.npartitions == 1:
        return expr, tmp_cols
    frame = new_collection(expr)
    divisions = compute_divisions(frame[column].expr, expr.npartitions)
    if divisions is None or len(divisions) == 2:
        return frame.repartition(npartitions=1).expr, tmp_cols
    partitioner = functools.partial(range_partition, column=column, boundaries=list(divisions[1:-1]))
    return Shuffle(expr, partitioner, len(divisions) - 1), tmp_cols
