"""User-defined groupby reductions: ``Aggregation(name, chunk, agg, finalize)``.

``chunk`` gets a pandas SeriesGroupBy of one partition and returns a Series (or a tuple of them);
``agg`` gets SeriesGroupBy objects over the concatenated chunk results (one argument per chunk
output) and returns the same shape, so it also serves to combine intermediate results in the tree;
``finalize`` turns the final ``agg`` outputs into the result Series.
"""
from __future__ import annotations

import functools

import pandas as pd

from ._expr import MapPartitions
from ._meta import concat, make_meta
from ._reductions import TreeReduce, _Chunks, _flatten_chunks


class Aggregation:
    """A groupby reduction built from per-partition ``chunk``, combining ``agg`` and ``finalize``."""

    def __init__(self, name, chunk, agg, finalize=None):
        self.__name__ = name
        self.chunk, self.agg, self.finalize = chunk, agg, finalize

    def __repr__(self):
        return f"Aggregation({self.__name__!r})"


def is_custom(spec) -> bool:
    """Whether an ``agg`` spec holds an Aggregation anywhere."""
    if isinstance(spec, Aggregation):
        return True
    if isinstance(spec, (list, tuple)):
        return any(is_custom(s) for s in spec)
    if isinstance(spec, dict):
        return any(is_custom(s) for s in spec.values())
    return False


def _builtin(how: str) -> Aggregation:
    """A named pandas reduction expressed as an Aggregation, for specs mixing both."""
    if how == "mean":
        return Aggregation("mean", lambda s: (s.count(), s.sum()), lambda c, t: (c.sum(), t.sum()),
                           lambda c, t: t / c)
    combine = {"count": "sum", "size": "sum"}.get(how, how)
    if how not in ("sum", "count", "size", "min", "max", "prod", "first", "last", "any", "all"):
        raise ValueError(f"groupby.agg: {how!r} cannot be mixed with custom Aggregations; "
                         "use sum/count/size/min/max/prod/first/last/any/all/mean")
    return Aggregation(how, lambda s: getattr(s, how)(), lambda s: getattr(s, combine)())


def _as_tuple(x):
    return tuple(x) if isinstance(x, tuple) else (x,)


def custom_plan(spec, value_columns, series_like):
    """[(output label, column, Aggregation)] for a spec holding Aggregations."""
    def one(x):
        return x if isinstance(x, Aggregation) else _builtin(x)

    if isinstance(spec, dict):
        plan = []
        for col, fs in spec.items():
            if isinstance(fs, (list, tuple)):
                plan.extend(((col, one(f).__name__), col, one(f)) for f in fs)
            else:
                plan.append((col, col, one(fs)))
        return plan
    if isinstance(spec, (list, tuple)):
        if series_like:
            return [(one(f).__name__, value_columns[0], one(f)) for f in spec]
        return [((c, one(f).__name__), c, one(f)) for c in value_columns for f in spec]
    return [(c, c, one(spec)) for c in value_columns]


def _column(g, obj, col):
    return g if isinstance(obj, pd.Series) else g[col]


def _chunk(obj, *by_parts, grouper, plan):
    g = grouper(obj, by_parts)
    pieces = []
    for _, col, agg, _ in plan:
        pieces.extend(_as_tuple(agg.chunk(_column(g, obj, col))))
    out = pd.concat(pieces, axis=1)
    out.columns = pd.RangeIndex(out.shape[1])
    return out


def _combined(frames, nlevels, plan):
    """Concatenated intermediates reduced by ``agg`` per group (also the tree's combine step)."""
    df = concat([f for f in _flatten_chunks(frames) if f is not None])
    g = df.groupby(level=list(range(nlevels)), sort=False)
    pieces, j = [], 0
    for _, _, agg, n in plan:
        pieces.extend(_as_tuple(agg.agg(*[g[j + i] for i in range(n)])))
        j += n
    out = pd.concat(pieces, axis=1)
    out.columns = pd.RangeIndex(out.shape[1])
    return out


def _combine(frames, nlevels, plan):
    if not [f for f in _flatten_chunks(frames) if f is not None]:
        return _Chunks([])
    return _combined(frames, nlevels, plan)


def _aggregate(frames, nlevels, plan, names, as_series, sort, meta=None):
    if meta is not None and not [f for f in _flatten_chunks(frames) if f is not None and len(f)]:
        return meta  # every partition was empty
    combined = _combined(frames, nlevels, plan)
    out, j = {}, 0
    for label, _, agg, n in plan:
        parts = [combined[j + i] for i in range(n)]
        out[label] = agg.finalize(*parts) if agg.finalize is not None else parts[0]
        j += n
    result = pd.DataFrame(out)
    if any(isinstance(k, tuple) for k in out):
        result.columns = pd.MultiIndex.from_tuples(list(out))
    result.index.names = names
    if sort:
        result = result.sort_index()
    if as_series:
        result = result.iloc[:, 0]
    return result


def custom_aggregate(gb, spec, split_every=None):
    """The TreeReduce expression computing a groupby aggregation that holds Aggregations."""
    from ._collection import _align
    from ._groupby import _grouper

    series_like = gb._is_series()
    plan = custom_plan(spec, gb._value_columns(), series_like)
    grouper = functools.partial(_group, by_spec=gb._by_spec, level=gb.level, dropna=gb.dropna,
                                observed=gb.observed, _grouper=_grouper)
    obj = gb._projected()
    fake, fake_by = gb._fake()
    fake_g = grouper(fake, fake_by)  # how many intermediate columns each chunk makes:
    plan = [(label, col, agg, len(_as_tuple(agg.chunk(_column(fake_g, fake, col)))))
            for label, col, agg in plan]
    names = gb._names(obj._meta)
    as_series = series_like and not isinstance(spec, (list, tuple, dict))
    chunk_kwargs = {"grouper": grouper, "plan": plan}
    agg_kwargs = {"nlevels": len(names), "plan": plan, "names": names, "as_series": as_series,
                  "sort": gb.sort}
    meta = make_meta(_aggregate([_chunk(fake, *fake_by, **chunk_kwargs)], **agg_kwargs))
    args = [obj, *[e.expr for e in gb._by_exprs]]
    if gb._by_exprs:
        args = list(_align(*args))
    chunk_meta = make_meta(_chunk(fake, *fake_by, **chunk_kwargs))
    chunked = MapPartitions(_chunk, chunk_meta, "keep", chunk_kwargs, False, args)
    combine = functools.partial(_combine, nlevels=len(names), plan=plan)
    aggregate = functools.partial(_aggregate, **agg_kwargs, meta=meta)
    return TreeReduce(chunked, combine, aggregate, meta, split_every or 8)


def _group(obj, by_parts, by_spec, level, dropna, observed, _grouper):
    """A pandas groupby of one partition by the groupby's keys."""
    return _grouper(obj, by_spec, by_parts, level, False, dropna, observed)
