"""resample(rule).agg(): repartition so no bin straddles two partitions, resample each partition,
then give every partition exactly the bins that belong to it (empty bins included, as pandas does)."""
from __future__ import annotations

import bisect

import pandas as pd
from pandas.tseries.frequencies import to_offset

from ._expr import MapPartitions
from ._meta import make_meta, meta_nonempty
from ._repartition import repartition_divisions_expr
from .multi import Concat

_FILL = {"sum": 0, "count": 0, "size": 0, "nunique": 0, "prod": 1}


def _closed_label(rule, closed, label):
    s = pd.Series([0], index=pd.DatetimeIndex(["2000-01-01"]))
    grouper = s.resample(rule, closed=closed, label=label)._timegrouper
    return grouper.closed, grouper.label


def _all_labels(start, end, rule, closed, label, origin):
    s = pd.Series([0, 0], index=pd.DatetimeIndex([start, end]))
    return s.resample(rule, closed=closed, label=label, origin=origin).sum().index


def _bin_of(t, rule, closed, label, origin, start):
    """The label of the bin holding ``t`` when the data begin at ``start`` (pandas places the
    edges of some rules from the whole data's range, so a lone point is not enough)."""
    if t <= start:
        s = pd.Series([1], index=pd.DatetimeIndex([t]))
    else:
        s = pd.Series([0, 1], index=pd.DatetimeIndex([start, t]))
    out = s.resample(rule, closed=closed, label=label, origin=origin).max()
    return out.index[out.to_numpy() == 1][0]


def _bin_start(lbl, prev_lbl, d, offset, how, unit="ns"):
    """The earliest instant of the bin labelled ``lbl`` (which holds ``d``; the bin before it is
    labelled ``prev_lbl``), as pandas bins it.

    Bin edges depend on closed/label and, for monthly/weekly rules closed on the right, on
    pandas moving the edge to the end of the day; so the likely edges are tried and checked
    against pandas' own binning, with a bisection as the fallback.
    """
    # one tick of the index's resolution: a cut finer than the index could not split its rows
    one, day = pd.Timedelta(1, unit), pd.Timedelta(1, "D")

    def starts_here(t):
        return _bin_of(t, *how) == lbl and _bin_of(t - one, *how) != lbl

    guesses = [lbl, lbl + one, lbl + day, prev_lbl + one, prev_lbl + day, lbl - offset,
               lbl - offset + one, lbl - offset + day]
    for t in sorted(g for g in guesses if g <= d):
        if starts_here(t):
            return t
    # _bin_of(lo) is before lbl and _bin_of(hi) == lbl; halve in whole ticks
    lo = pd.Timestamp(prev_lbl - (lbl - prev_lbl)).as_unit(unit)
    hi = pd.Timestamp(d).as_unit(unit)
    while hi - lo > one:
        mid = lo + ((hi - lo) // one // 2) * one
        if _bin_of(mid, *how) == lbl:
            hi = mid
        else:
            lo = mid
    return hi


def _an_instant(lbl, offset, closed, label):
    """Some timestamp inside the bin labelled ``lbl``."""
    if closed == "left":
        return lbl if label == "left" else lbl - offset
    return lbl if label == "right" else lbl + offset


def _resample_partition(part, rule, closed, label, origin, how, kwargs, labels, meta):
    r = part.resample(rule, closed=closed, label=label, origin=origin)
    out = r.agg(how, **kwargs) if not isinstance(how, str) else getattr(r, how)(**kwargs)
    out = out.reindex(pd.DatetimeIndex(labels, name=out.index.name))
    out = _fill_empty_bins(out, how)
    if isinstance(meta, pd.DataFrame):
        # an empty bin of min/max/mean is NaN, which an int column cannot hold (pandas gives float)
        dtypes = {c: meta[c].dtype for c in meta.columns
                  if out[c].dtype != meta[c].dtype and not out[c].hasnans}
        return out.astype(dtypes) if dtypes and len(out) else out
    if out.dtype != meta.dtype and len(out) and not out.hasnans:
        return out.astype(meta.dtype)
    return out


def _fill_empty_bins(out, how):
    """Empty bins hold what pandas gives them: 0 for sums and counts, 1 for products, else NaN."""
    if isinstance(how, str):
        fill = _FILL.get(how)
        return out if fill is None else out.fillna(fill)
    if isinstance(out, pd.DataFrame) and isinstance(out.columns, pd.MultiIndex):
        fills = {c: _FILL[c[-1]] for c in out.columns if c[-1] in _FILL}
        return out.fillna(fills) if fills else out
    if isinstance(out, pd.Series) and out.index.nlevels == 1:
        return out
    return out


class Resampler:
    def __init__(self, frame, rule, closed=None, label=None):
        if not isinstance(frame._meta.index, pd.DatetimeIndex):
            raise TypeError(f"resample needs a DatetimeIndex; the index is "
                            f"{type(frame._meta.index).__name__}")
        if not frame.known_divisions:
            raise ValueError("resample needs known divisions: set the index with "
                             "set_index(..., sorted=True) or use from_pandas(sort=True)")
        self.frame, self.rule = frame, rule
        self.closed, self.label = _closed_label(rule, closed, label)
        # pandas anchors bins of fixed-size rules ('2D', '90min') at midnight of the first day of
        # all the data; every partition must use that same anchor, not its own first day
        tick = isinstance(to_offset(rule), (pd.offsets.Tick, pd.offsets.Day))
        self.origin = pd.Timestamp(frame.divisions[0]).normalize() if tick else "start_day"

    def _agg(self, how, **kwargs):
        from ._collection import new_collection

        frame, rule, closed, label = self.frame, self.rule, self.closed, self.label
        origin = self.origin
        offset = to_offset(rule)
        divs = frame.divisions
        labels = _all_labels(divs[0], divs[-1], rule, closed, label, origin)
        positions = {lbl: k for k, lbl in enumerate(labels)}
        cuts = [divs[0]]
        for d in divs[1:-1]:
            lbl = _bin_of(d, rule, closed, label, origin, divs[0])
            k = positions[lbl]
            if k == 0:
                continue  # d is in the first bin: no cut before it
            c = _bin_start(lbl, labels[k - 1], d, offset, (rule, closed, label, origin, divs[0]),
                           getattr(frame._meta.index, "unit", "ns"))
            if c > cuts[-1]:
                cuts.append(c)
        new_divisions = tuple(cuts) + (max(divs[-1], cuts[-1]),)
        expr = repartition_divisions_expr(frame.expr, new_divisions)
        per_part = [[] for _ in range(len(cuts))]
        for lbl in labels:
            t = _an_instant(lbl, offset, closed, label)
            j = min(max(bisect.bisect_right(cuts, t) - 1, 0), len(cuts) - 1)
            per_part[j].append(lbl)
        sample = meta_nonempty(frame._meta)
        r = sample.resample(rule, closed=closed, label=label)
        meta = make_meta(r.agg(how, **kwargs) if not isinstance(how, str) else getattr(r, how)(**kwargs))
        keep = [j for j, lab in enumerate(per_part) if lab]
        layer_parts = [MapPartitions(_resample_partition, meta, "clear",
                                     {"rule": rule, "closed": closed, "label": label,
                                      "origin": origin, "how": how,
                                      "kwargs": kwargs, "labels": per_part[j], "meta": meta},
                                     False, [_part(expr, j)]) for j in keep]
        out = _BinsConcat(layer_parts, "outer", meta)
        divisions = tuple(per_part[j][0] for j in keep) + (labels[-1],)
        from ._shuffle import _WithDivisions

        return new_collection(_WithDivisions(out, divisions))

    def agg(self, how, **kwargs):
        return self._agg(how, **kwargs)

    aggregate = agg

    def __getattr__(self, how):
        if how.startswith("_"):
            raise AttributeError(how)
        if how not in ("sum", "mean", "count", "min", "max", "first", "last", "std", "var", "size",
                       "median", "prod", "nunique", "ohlc", "sem", "quantile"):
            raise AttributeError(f"Resampler has no method {how!r}")
        if how == "quantile":
            return self._quantile
        return lambda **kwargs: self._agg(how, **kwargs)

    def _quantile(self, q=0.5, **kwargs):
        return self._agg("quantile", q=q, **kwargs)


def _bins_of(part):
    return part


class _BinsConcat(Concat):
    """The partitions of resampled bins, one after another, as they are: a partition with an
    empty bin of min/max/... holds NaN in an int column, as pandas' float result does."""

    def _layer(self):
        layer, k = {}, 0
        for f in self.frames:
            for i in range(f.npartitions):
                layer[(self._name, k)] = (_bins_of, (f._name, i))
                k += 1
        return layer


def _part(expr, j):
    from ._expr import Partitions

    return Partitions(expr, [j])


