"""resample(rule).agg(): repartition so no bin straddles two partitions, resample each partition,
then give every partition exactly the bins that belong to it (empty bins included, as pandas does)."""
from __future__ import annotations

import bisect

import pandas as pd
from pandas.tseries.frequencies import to_offset

from ._expr import MapPartitions
from ._meta import make_meta, meta_nonempty
from ._repartition import repartition_divisions_expr

_FILL = {"sum": 0, "count": 0, "size": 0, "nunique": 0, "prod": 1}


def _closed_label(rule, closed, label):
    s = pd.Series([0], index=pd.DatetimeIndex(["2000-01-01"]))
    grouper = s.resample(rule, closed=closed, label=label)._timegrouper
    return grouper.closed, grouper.label


def _all_labels(start, end, rule, closed, label):
    s = pd.Series([0, 0], index=pd.DatetimeIndex([start, end]))
    return s.resample(rule, closed=closed, label=label).sum().index


def _bin_of(t, rule, closed, label):
    s = pd.Series([0], index=pd.DatetimeIndex([t]))
    return s.resample(rule, closed=closed, label=label).sum().index[0]


def _first_instant(lbl, offset, closed, label):
    """The earliest timestamp inside the bin labelled ``lbl``."""
    if closed == "left":
        return lbl if label == "left" else lbl - offset
    edge = lbl - offset if label == "right" else lbl
    return edge + pd.Timedelta(1, "ns")


def _an_instant(lbl, offset, closed, label):
    """Some timestamp inside the bin labelled ``lbl``."""
    if closed == "left":
        return lbl if label == "left" else lbl - offset
    return lbl if label == "right" else lbl + offset


def _resample_partition(part, rule, closed, label, how, kwargs, labels, meta):
    r = part.resample(rule, closed=closed, label=label)
    out = r.agg(how, **kwargs) if not isinstance(how, str) else getattr(r, how)(**kwargs)
    fill = _FILL.get(how) if isinstance(how, str) else None
    out = out.reindex(pd.DatetimeIndex(labels, name=out.index.name), fill_value=fill)
    if isinstance(meta, pd.DataFrame):
        dtypes = {c: meta[c].dtype for c in meta.columns if out[c].dtype != meta[c].dtype}
        return out.astype(dtypes) if dtypes and len(out) else out
    return out.astype(meta.dtype) if out.dtype != meta.dtype and len(out) else out


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

    def _agg(self, how, **kwargs):
        from ._collection import new_collection

        frame, rule, closed, label = self.frame, self.rule, self.closed, self.label
        offset = to_offset(rule)
        divs = frame.divisions
        labels = _all_labels(divs[0], divs[-1], rule, closed, label)
        cuts = [_first_instant(_bin_of(divs[0], rule, closed, label), offset, closed, label)]
        for d in divs[1:-1]:
            c = _first_instant(_bin_of(d, rule, closed, label), offset, closed, label)
            if c > cuts[-1]:
                cuts.append(c)
        cuts = [min(cuts[0], divs[0])] + cuts[1:]
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
                                     {"rule": rule, "closed": closed, "label": label, "how": how,
                                      "kwargs": kwargs, "labels": per_part[j], "meta": meta},
                                     False, [_part(expr, j)]) for j in keep]
        from .multi import Concat

        out = Concat(layer_parts, "outer", meta)
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
                       "median", "prod", "nunique", "ohlc", "sem"):
            raise AttributeError(f"Resampler has no method {how!r}")
        return lambda **kwargs: self._agg(how, **kwargs)


def _part(expr, j):
    from ._expr import Partitions

    return Partitions(expr, [j])


