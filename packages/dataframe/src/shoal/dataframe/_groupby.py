"""groupby: tree-reduced aggregations, shuffle-based apply/transform, cumulative ops.

An aggregation is split into *intermediate* per-group quantities computed on every partition
(sum, count, min, ..., and for var/std the sum of squared deviations), combined across partitions
with a second groupby on the group index, and finished into the requested statistics.  Variance
uses Chan et al.'s pairwise update, so it is exact rather than the naive sum-of-squares formula.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._expr import Expr, MapPartitions, Projection
from ._meta import concat, make_meta, meta_nonempty
from ._reductions import TreeReduce, _Chunks, _flatten_chunks

# intermediate quantities each statistic needs, and how intermediates combine across partitions
_INTERMEDIATES = {
    "sum": ["sum"], "count": ["count"], "size": ["size"], "min": ["min"], "max": ["max"],
    "first": ["first"], "last": ["last"], "prod": ["prod"], "any": ["any"], "all": ["all"],
    "mean": ["sum", "count"], "var": ["count", "sum", "m2"], "std": ["count", "sum", "m2"],
    "sem": ["count", "sum", "m2"],
}
_COMBINE = {"sum": "sum", "count": "sum", "size": "sum", "min": "min", "max": "max",
            "first": "first", "last": "last", "prod": "prod", "any": "any", "all": "all"}


def _grouper(obj, by_spec, by_parts, level, sort, dropna, observed):
    keys = [by_parts[x[1]] if x[0] == "series" else x[1] for x in by_spec]
    if level is not None:
        return obj.groupby(level=level, sort=sort, dropna=dropna, observed=observed)
    if len(keys) == 1:
        keys = keys[0]
    return obj.groupby(keys, sort=sort, dropna=dropna, observed=observed)


def _layout(needs):
    """The (column, quantity) of each positional column of the intermediate frames."""
    return [(c, q) for q, cols in needs.items() for c in (cols if q != "size" else ["__size__"])]


_EMPTY_GROUP_SAFE = {"sum", "count", "size", "m2"}  # empty groups give 0 and are dropped after


def _dense_int_key(obj, by_parts, by_spec, level, needs):
    """A single integer key spanning a small range: its codes are plain arithmetic (no hashing)."""
    if level is not None or len(by_spec) != 1 or len(obj) == 0:
        return None
    kind, ref = by_spec[0]
    key = by_parts[ref] if kind == "series" else obj[ref] if kind == "column" else None
    if key is None or not isinstance(key.dtype, np.dtype) or key.dtype.kind not in "iu":
        return None
    if not set(needs) <= _EMPTY_GROUP_SAFE and not all(
            obj[c].dtype.kind == "f" for q, cols in needs.items() if q not in _EMPTY_GROUP_SAFE
            for c in cols):
        return None  # min/max/first/... of an empty group would turn ints into floats
    values = key.to_numpy()
    lo, hi = int(values.min()), int(values.max())
    if hi - lo >= max(len(values), 1024):
        return None
    return key, values, lo, hi


def _dense_groupby(obj, values, lo, hi):
    """A pandas groupby whose groups are the integers lo..hi, found without a hash table, and the
    number of rows in each of those groups."""
    ncat = hi - lo + 1
    # the code width pandas would pick itself, so that from_codes does not copy them again
    width = np.int8 if ncat < 2**7 else np.int16 if ncat < 2**15 else np.int32 if ncat < 2**31 else np.int64
    codes = np.subtract(values, lo, out=np.empty(len(values), dtype=width), casting="unsafe")
    cat = pd.Categorical.from_codes(codes, categories=pd.RangeIndex(lo, hi + 1), validate=False)
    return obj.groupby(cat, sort=True, observed=False), np.bincount(codes, minlength=ncat)


def _chunk(obj, *by_parts, by_spec, level, dropna, observed, columns, needs):
    """Per-partition intermediates: a frame indexed by group, one column per (column, quantity)."""
    dense = None if isinstance(obj, pd.Series) else _dense_int_key(obj, by_parts, by_spec, level, needs)
    if dense is not None:
        return _dense_chunk(obj, needs, *dense)
    g = _grouper(obj, by_spec, by_parts, level, False, dropna, observed)
    return _intermediates(g, isinstance(obj, pd.Series), needs)


def _dense_chunk(obj, needs, key, values, lo, hi):
    g, sizes = _dense_groupby(obj, values, lo, hi)
    present = sizes > 0
    out = {}
    for quantity, cols in needs.items():
        for col in (["__size__"] if quantity == "size" else cols):
            if quantity == "size" or (quantity == "count" and not _has_missing(obj[col])):
                out[len(out)] = sizes[present]  # a count without missing values is the group size
                continue
            sub = g[col]
            piece = (sub.var(ddof=0) * sub.count()).fillna(0) if quantity == "m2" else \
                getattr(sub, quantity)()
            out[len(out)] = piece.to_numpy()[present]
    index = pd.Index(np.arange(lo, hi + 1, dtype=key.dtype)[present], name=key.name)
    return pd.DataFrame(out, index=index)


def _has_missing(column) -> bool:
    kind = column.dtype.kind if isinstance(column.dtype, np.dtype) else "O"
    if kind in "iub":
        return False
    if kind == "f":
        return bool(np.isnan(column.to_numpy()).any())
    return bool(column.isna().any())


def _intermediates(g, series_obj, needs):
    # one column at a time: selecting a list of columns would copy them into a new block
    pieces = []
    for quantity, cols in needs.items():
        if quantity == "size":
            pieces.append(g.size())
            continue
        for col in ([None] if series_obj else cols):
            sub = g if series_obj else g[col]
            if quantity == "m2":
                pieces.append((sub.var(ddof=0) * sub.count()).fillna(0))
            else:
                pieces.append(getattr(sub, quantity)())
    out = pd.concat(pieces, axis=1, ignore_index=True) if len(pieces) > 1 else pieces[0].to_frame()
    out.columns = pd.RangeIndex(out.shape[1])
    return out


def _combine_frames(frames, nlevels, sort, observed, needs):
    frames = [f for f in _flatten_chunks(frames) if f is not None]
    df = concat(frames)
    layout = _layout(needs)
    levels = list(range(nlevels))
    g = df.groupby(level=levels, sort=sort, dropna=False, observed=observed)
    by_op: dict[str, list] = {}
    for j, (_, q) in enumerate(layout):
        if q != "m2":
            by_op.setdefault(_COMBINE[q], []).append(j)
    pieces = [getattr(g[cols], op)() for op, cols in by_op.items()]
    position = {key: j for j, key in enumerate(layout)}
    for j, (c, q) in enumerate(layout):
        if q != "m2":
            continue
        n, s = df[position[(c, "count")]], df[position[(c, "sum")]]
        n_tot = n.groupby(level=levels, sort=sort, dropna=False, observed=observed).transform("sum")
        s_tot = s.groupby(level=levels, sort=sort, dropna=False, observed=observed).transform("sum")
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_k = s / n
            mean = s_tot / n_tot
        term = df[j] + (n * (mean_k - mean) ** 2).fillna(0)
        pieces.append(term.groupby(level=levels, sort=sort, dropna=False,
                                   observed=observed).sum().rename(j).to_frame())
    result = pd.concat(pieces, axis=1) if len(pieces) > 1 else pieces[0]
    return result[list(range(len(layout)))]


def _finish(combined, plan, ddof, meta, series_name, as_index, needs):
    position = {key: j for j, key in enumerate(_layout(needs))}

    def get(col, q):
        return combined[position[(col, q)]]

    out = {}
    for label, col, how in plan:
        if how == "size":
            out[label] = get("__size__", "size")
            continue
        if how in _COMBINE:
            out[label] = get(col, how)
            continue
        n = get(col, "count")
        if how == "mean":
            with np.errstate(divide="ignore", invalid="ignore"):
                out[label] = get(col, "sum") / n
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            var = (get(col, "m2") / (n - ddof)).where(n - ddof > 0)
        out[label] = {"var": var, "std": np.sqrt(var), "sem": np.sqrt(var) / np.sqrt(n)}[how]
    result = pd.DataFrame(out, index=combined.index)
    result.columns = meta.columns if isinstance(meta, pd.DataFrame) and as_index else \
        pd.Index(list(out)) if not any(isinstance(k, tuple) for k in out) else \
        pd.MultiIndex.from_tuples(list(out))
    if isinstance(meta, pd.Series):
        result = result.iloc[:, 0]
        result.name = meta.name
    if not as_index:
        result = result.reset_index()
    return _cast(result, meta)


def _cast(result, meta):
    try:
        if isinstance(meta, pd.DataFrame):
            dtypes = {c: meta[c].dtype for c in meta.columns
                      if c in result.columns and result[c].dtype != meta[c].dtype}
            return result.astype(dtypes) if dtypes else result
        if isinstance(meta, pd.Series) and result.dtype != meta.dtype:
            return result.astype(meta.dtype)
    except (TypeError, ValueError):
        pass
    return result


def _aggregate(frames, nlevels, sort, observed, plan, ddof, meta, series_name, as_index, names,
               needs):
    frames = [f for f in _flatten_chunks(frames) if f is not None]
    if not frames:
        return meta
    combined = _combine_frames(frames, nlevels, sort, observed, needs)
    combined.index.names = names
    return _finish(combined, plan, ddof, meta, series_name, as_index, needs)


def _combine_step(frames, nlevels, sort, observed, needs):
    frames = [f for f in _flatten_chunks(frames) if f is not None]
    if not frames:
        return _Chunks([])
    return _combine_frames(frames, nlevels, sort, observed, needs)


def _aggregate_partition(part, **kwargs):
    return _aggregate([part] if len(part) else [], **kwargs)


class _GroupBy:
    """Shared machinery of DataFrameGroupBy and SeriesGroupBy."""

    def __init__(self, frame, by=None, level=None, sort=True, dropna=True, observed=True,
                 as_index=True, group_keys=True, _selection=None, _by_spec=None, _by_exprs=None):
        from ._collection import FrameBase

        self.frame = frame
        self.sort = sort
        self.dropna = dropna
        self.observed = observed
        self.as_index = as_index
        self.group_keys = group_keys
        self.level = level
        self._selection = _selection
        if _by_spec is not None:
            self._by_spec, self._by_exprs, self._by = _by_spec, _by_exprs, by
            return
        if by is None and level is None:
            raise TypeError("groupby needs by= or level=")
        by_list = by if isinstance(by, list) else ([] if by is None else [by])
        self._by = by_list
        self._by_spec, self._by_exprs = [], []
        meta = frame._meta
        for b in by_list:
            if isinstance(b, FrameBase):
                self._by_spec.append(("series", len(self._by_exprs)))
                self._by_exprs.append(b)
            elif isinstance(meta, pd.DataFrame) and b in meta.columns:
                self._by_spec.append(("column", b))
            elif b in (meta.index.names or []):
                self._by_spec.append(("level", b))
            else:
                cols = list(meta.columns) if isinstance(meta, pd.DataFrame) else []
                raise KeyError(f"groupby key {b!r} is not a column {cols} or an index level name")
        if any(k == "level" for k, _ in self._by_spec):
            if not all(k == "level" for k, _ in self._by_spec):
                raise NotImplementedError("mixing index levels and columns in groupby is not supported")
            self.level = [n for _, n in self._by_spec]
            self._by_spec = []

    # selection ----------------------------------------------------------------------------
    def _by_columns(self):
        return [name for kind, name in self._by_spec if kind == "column"]

    def __getitem__(self, key):
        cls = SeriesGroupBy if not isinstance(key, list) else DataFrameGroupBy
        if isinstance(key, list):
            self.frame._check_columns(key)
        else:
            self.frame._check_columns([key])
        return cls(self.frame, self._by, level=self.level, sort=self.sort, dropna=self.dropna,
                   observed=self.observed, as_index=self.as_index, group_keys=self.group_keys,
                   _selection=key, _by_spec=self._by_spec, _by_exprs=self._by_exprs)

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        meta = self.frame._meta
        if isinstance(meta, pd.DataFrame) and key in meta.columns:
            return self[key]
        raise AttributeError(f"GroupBy has no attribute or column {key!r}")

    def _value_columns(self):
        meta = self.frame._meta
        if isinstance(meta, pd.Series):
            return [meta.name]
        if self._selection is not None:
            return self._selection if isinstance(self._selection, list) else [self._selection]
        by = set(self._by_columns())
        return [c for c in meta.columns if c not in by]

    def _projected(self) -> Expr:
        """The frame restricted to group keys and the selected columns (projection pushdown)."""
        expr = self.frame.expr
        if isinstance(expr._meta, pd.DataFrame):
            cols = self._by_columns() + [c for c in self._value_columns() if c not in self._by_columns()]
            if cols != list(expr._meta.columns):
                expr = Projection(expr, cols)
        return expr

    def _pandas_groupby(self, obj, by_parts):
        g = _grouper(obj, self._by_spec, by_parts, self.level, self.sort, self.dropna, self.observed)
        if not self.as_index:
            g = obj.groupby(**_gb_kwargs(self, by_parts), as_index=False)
        if self._selection is not None:
            g = g[self._selection]
        return g

    def _fake(self):
        obj = meta_nonempty(self.frame._meta)
        by_parts = [meta_nonempty(e._meta) for e in self._by_exprs]
        return obj, by_parts

    def _names(self, obj_meta):
        fake, by_parts = self._fake()
        g = _grouper(fake, self._by_spec, by_parts, self.level, True, self.dropna, self.observed)
        return list(g.size().index.names)

    # aggregation -------------------------------------------------------------------------------
    def _plan_meta(self, spec):
        """(plan of (label, column, how), meta) for an aggregation spec."""
        fake, by_parts = self._fake()
        g = self._pandas_groupby(fake, by_parts)
        if spec == "size":
            meta = g.size()
            return [(meta.name if isinstance(meta, pd.Series) else "size", None, "size")], make_meta(meta)
        result = g.agg(spec) if not isinstance(spec, str) else getattr(g, spec)()
        meta = make_meta(result)
        try:
            plan = self._plan(spec, meta)
        except TypeError:  # callables and other specs run group by group after a shuffle
            plan = [(None, None, "custom")]
        return plan, meta

    def _plan(self, spec, meta):
        values = self._value_columns()
        if isinstance(spec, str):
            if isinstance(meta, pd.Series):
                return [(meta.name, values[0], spec)]
            if not self.as_index:
                return [(c, c, spec) for c in values]
            return [(c, c, spec) for c in meta.columns if c in values]
        if isinstance(spec, list):
            if isinstance(meta, pd.Series):
                raise TypeError
            if self._is_series():
                return [(f, values[0], f) for f in spec]
            return [((c, f), c, f) for c in values for f in spec]
        if isinstance(spec, dict):
            plan = []
            for c, fs in spec.items():
                if isinstance(fs, list):
                    plan.extend(((c, f), c, f) for f in fs)
                else:
                    plan.append((c, c, fs))
            return plan
        raise TypeError(f"unsupported aggregation spec {spec!r}")

    def _is_series(self):
        return isinstance(self.frame._meta, pd.Series) or (
            self._selection is not None and not isinstance(self._selection, list))

    def _aggregate(self, spec, split_every=None, split_out=1, ddof=1, plan_meta=None):
        plan, meta = plan_meta or self._plan_meta(spec)
        for _, _, how in plan:
            if how not in _INTERMEDIATES:
                return self._aggregate_by_shuffle(spec, meta)
        needs: dict[str, list] = {}
        for _, col, how in plan:
            for q in _INTERMEDIATES[how]:
                cols = needs.setdefault(q, [])
                if col is not None and col not in cols:
                    cols.append(col)
        obj = self._projected()
        names = self._names(obj._meta)
        common = {"by_spec": self._by_spec, "level": self.level, "dropna": self.dropna,
                  "observed": self.observed}
        chunk_kwargs = {**common, "columns": None, "needs": needs}
        fake, by_parts = self._fake()
        chunk_meta = make_meta(_chunk(fake, *by_parts, **chunk_kwargs))
        args = [obj, *[e.expr for e in self._by_exprs]]
        if self._by_exprs:
            from ._collection import _align

            args = list(_align(*args))
        chunked = MapPartitions(_chunk, chunk_meta, "keep", chunk_kwargs, False, args)
        agg_kwargs = {"nlevels": len(names), "sort": self.sort, "observed": self.observed,
                      "plan": plan, "ddof": ddof, "meta": meta, "series_name": None,
                      "as_index": self.as_index, "names": names, "needs": needs}
        if split_out and split_out > 1:
            from ._shuffle import Shuffle, _hash_partitioner

            shuffled = Shuffle(chunked, _hash_partitioner(None, split_out), split_out)
            return MapPartitions(_aggregate_partition, meta, "clear", agg_kwargs, False, [shuffled])
        combine = functools.partial(_combine_step, nlevels=len(names), sort=False,
                                    observed=self.observed, needs=needs)
        aggregate = functools.partial(_aggregate, **agg_kwargs)
        return TreeReduce(chunked, combine, aggregate, meta, split_every or 8)

    def _aggregate_by_shuffle(self, spec, meta):
        return self._apply_expr(_agg_group, {"spec": spec}, meta)

    def _new(self, expr):
        from ._collection import new_collection

        return new_collection(expr)

    def agg(self, arg=None, split_every=None, split_out=1, shuffle_method=None, **kwargs):
        from ._aggregation import custom_aggregate, is_custom

        if is_custom(arg):
            return self._new(custom_aggregate(self, arg, split_every))
        if arg is None and kwargs and self._is_series() and \
                not any(isinstance(v, tuple) for v in kwargs.values()):
            result = self._new(self._aggregate(list(kwargs.values()), split_every, split_out))
            names = list(kwargs)
            return result.map_partitions(_set_columns, names, meta=_set_columns(result._meta, names))
        if arg is None and kwargs:
            named = dict(kwargs)
            spec = {}
            for col, how in named.values():
                spec.setdefault(col, []).append(how)
            result = self._new(self._aggregate(spec, split_every, split_out))
            labels = {(col, how): out for out, (col, how) in named.items()}
            order = list(named)
            return result.map_partitions(_rename_named, labels, order,
                                         meta=_rename_named(result._meta, labels, order))
        return self._new(self._aggregate(arg, split_every, split_out))

    aggregate = agg

    def _numeric(self, numeric_only):
        """This groupby restricted to numeric value columns when ``numeric_only`` (as pandas)."""
        meta = self.frame._meta
        if not numeric_only or not isinstance(meta, pd.DataFrame) or self._is_series():
            return self
        numeric = [c for c in self._value_columns() if pd.api.types.is_numeric_dtype(meta[c].dtype)]
        return self[numeric]

    def _simple(self, how, split_every=None, split_out=1, shuffle_method=None, **kwargs):
        return self._new(self._aggregate(how, split_every, split_out, **kwargs))

    def sum(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False,
            min_count=None):
        return self._numeric(numeric_only)._simple("sum", split_every, split_out)

    def count(self, split_every=None, split_out=1, shuffle_method=None):
        return self._simple("count", split_every, split_out)

    def size(self, split_every=None, split_out=1, shuffle_method=None):
        return self._new(self._aggregate("size", split_every, split_out,
                                         plan_meta=self._plan_meta("size")))

    def min(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("min", split_every, split_out)

    def max(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("max", split_every, split_out)

    def prod(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("prod", split_every, split_out)

    def first(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("first", split_every, split_out)

    def last(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("last", split_every, split_out)

    def mean(self, split_every=None, split_out=1, shuffle_method=None, numeric_only=False):
        return self._numeric(numeric_only)._simple("mean", split_every, split_out)

    def any(self, split_every=None, split_out=1, shuffle_method=None):
        return self._simple("any", split_every, split_out)

    def all(self, split_every=None, split_out=1, shuffle_method=None):
        return self._simple("all", split_every, split_out)

    def var(self, ddof=1, split_every=None, split_out=1, shuffle_method=None,
            numeric_only=False):
        gb = self._numeric(numeric_only)
        return gb._new(gb._aggregate("var", split_every, split_out, ddof=ddof))

    def std(self, ddof=1, split_every=None, split_out=1, shuffle_method=None,
            numeric_only=False):
        gb = self._numeric(numeric_only)
        return gb._new(gb._aggregate("std", split_every, split_out, ddof=ddof))

    def sem(self, ddof=1, split_every=None, split_out=1, shuffle_method=None):
        return self._new(self._aggregate("sem", split_every, split_out, ddof=ddof))

    def median(self, split_every=None, split_out=1, shuffle_method=None):
        return self._new(self._aggregate("median", split_every, split_out))

    def nunique(self, split_every=None, split_out=1, shuffle_method=None):
        fake, by_parts = self._fake()
        meta = make_meta(self._pandas_groupby(fake, by_parts).nunique())
        return self._new(self._apply_expr(_nunique_group, {}, meta))

    def quantile(self, q=0.5, interpolation="linear", numeric_only=False):
        """Exact quantiles within each group (rows are shuffled so each group is whole)."""
        gb = self._numeric(numeric_only)
        kwargs = {"q": q, "interpolation": interpolation}
        fake, by_parts = gb._fake()
        meta = make_meta(gb._pandas_groupby(fake, by_parts).quantile(**kwargs))
        return gb._new(gb._apply_expr(_quantile_group, kwargs, meta))

    def value_counts(self, **kwargs):
        fake, by_parts = self._fake()
        meta = make_meta(self._pandas_groupby(fake, by_parts).value_counts(**kwargs))
        return self._new(self._apply_expr(_value_counts_group, kwargs, meta))

    # shuffle-based ---------------------------------------------------------------------------
    def _shuffled(self):
        """Rows shuffled so every group lives in one partition, plus the by-spec to regroup."""
        from ._shuffle import shuffle_expr

        if self.level is not None:
            return shuffle_expr(self.frame.expr, None), []
        expr, tmp_cols = self._keyed()
        keys = self._by_columns() + [t for t, _ in tmp_cols]
        return shuffle_expr(expr, keys), tmp_cols

    def _keyed(self):
        """The frame with Series keys added as temporary columns, and (temporary, name) pairs."""
        expr = self.frame.expr
        tmp_cols = []
        if self._by_exprs:
            from ._collection import new_collection

            frame = new_collection(expr)
            if isinstance(frame._meta, pd.Series):
                frame = frame.to_frame()
            for k, e in enumerate(self._by_exprs):
                tmp = f"__groupby_key_{k}__"
                frame = frame.assign(**{tmp: e})
                tmp_cols.append((tmp, e.name))
            expr = frame.expr
        return expr, tmp_cols

    def _apply_expr(self, func, kwargs, meta, ordered=False, renumber_rows=False):
        """``func(pandas_groupby, **kwargs)`` on every partition once each group is whole in one;
        ``ordered``: partitions in key order where the keys allow it (range-partitioned);
        ``renumber_rows``: rows indexed 0..n-1 in each partition (for results that drop the index:
        pandas' groupby-resample with ``on=`` fails on other indexes)."""
        from ._groupby_resample import ordered_shuffle

        shuffled, tmp_cols = ordered_shuffle(self) if ordered else (None, None)
        if shuffled is None:
            shuffled, tmp_cols = self._shuffled()
        if renumber_rows:
            shuffled = MapPartitions(_renumber_rows, shuffled._meta.reset_index(drop=True), "clear",
                                     {}, False, [shuffled])
        series_frame = isinstance(self.frame._meta, pd.Series)
        kw = {"func": func, "kwargs": kwargs, "by_spec": self._by_spec, "tmp_cols": tmp_cols,
              "level": self.level, "sort": self.sort, "dropna": self.dropna,
              "observed": self.observed, "selection": self._selection, "as_index": self.as_index,
              "series_name": self.frame._meta.name if series_frame else None,
              "group_keys": self.group_keys}
        return MapPartitions(_grouped_call, meta, "clear", kw, False, [shuffled])

    def apply(self, func, *args, meta=None, shuffle_method=None, **kwargs):
        from ._meta import infer_meta_from_sample

        if meta is None:
            fake, by_parts = self._fake()
            meta = infer_meta_from_sample(
                lambda o: self._pandas_groupby(o, by_parts).apply(func, *args, **kwargs), [fake], {},
                "groupby.apply")
        else:
            meta = make_meta(meta)
        return self._new(self._apply_expr(_apply_group, {"func": func, "args": args,
                                                         "kwargs": kwargs}, meta))

    def transform(self, func, *args, meta=None, shuffle_method=None, **kwargs):
        fake, by_parts = self._fake()
        if meta is None:
            meta = make_meta(self._pandas_groupby(fake, by_parts).transform(func, *args, **kwargs))
        else:
            meta = make_meta(meta)
        return self._new(self._apply_expr(_transform_group, {"func": func, "args": args,
                                                             "kwargs": kwargs}, meta))

    def get_group(self, key):
        """The rows of one group (a filter on the group key; no shuffle needed)."""
        if self.level is not None or len(self._by_spec) != 1 or self._by_spec[0][0] != "column":
            raise NotImplementedError("get_group needs a single column key")
        frame = self.frame
        out = frame[frame[self._by_spec[0][1]] == key]
        return out[self._selection] if self._selection is not None else out

    def _per_group(self, name, **kwargs):
        """A pandas groupby method that needs whole groups (shift, diff, rank, head, ...)."""
        fake, by_parts = self._fake()
        meta = make_meta(getattr(self._pandas_groupby(fake, by_parts), name)(**kwargs))
        return self._new(self._apply_expr(_group_method, {"name": name, "kwargs": kwargs}, meta))

    def shift(self, periods=1):
        return self._per_group("shift", periods=periods)

    def diff(self, periods=1):
        return self._per_group("diff", periods=periods)

    def rank(self, method="average", ascending=True):
        return self._per_group("rank", method=method, ascending=ascending)

    def skew(self, skipna=True, numeric_only=False):
        return self._per_group("skew", skipna=skipna, numeric_only=numeric_only)

    def kurt(self, skipna=True, numeric_only=False):
        return self._per_group("kurt", skipna=skipna, numeric_only=numeric_only)

    def ffill(self, limit=None):
        return self._per_group("ffill", limit=limit)

    def bfill(self, limit=None):
        return self._per_group("bfill", limit=limit)

    def cov(self, min_periods=None, ddof=1, numeric_only=False):
        return self._per_group("cov", min_periods=min_periods, ddof=ddof, numeric_only=numeric_only)

    def corr(self, method="pearson", min_periods=1, numeric_only=False):
        return self._per_group("corr", method=method, min_periods=min_periods,
                               numeric_only=numeric_only)

    def head(self, n=5):
        return self._per_group("head", n=n)

    def tail(self, n=5):
        return self._per_group("tail", n=n)

    def idxmin(self):
        return self._per_group("idxmin")

    def idxmax(self):
        return self._per_group("idxmax")

    def nlargest(self, n=5):
        return self._per_group("nlargest", n=n)

    def nsmallest(self, n=5):
        return self._per_group("nsmallest", n=n)

    def describe(self, percentiles=None):
        """Exact per-group summaries (each group is whole in one partition after a shuffle)."""
        return self._per_group("describe", percentiles=percentiles)

    def ngroup(self, ascending=True):
        """The number of each row's group (0 ... ngroups-1, in sorted key order if sort=True)."""
        from ._collection import new_collection

        if self.level is not None:
            raise NotImplementedError("groupby(level=...).ngroup() is not supported")
        sizes = self.size()
        fake, by_parts = self._fake()
        meta = make_meta(self._pandas_groupby(fake, by_parts).ngroup(ascending=ascending))
        args = [self.frame.expr, *[e.expr for e in self._by_exprs]]
        if self._by_exprs:
            from ._collection import _align

            args = list(_align(*args))
        kw = {"by_spec": self._by_spec, "ascending": ascending, "nseries": len(self._by_exprs)}
        return new_collection(MapPartitions(_ngroup_partition, meta, "keep", kw, False,
                                            [*args, sizes.expr]))

    def resample(self, rule, on=None, closed=None, label=None, **kwargs):
        """Time bins within each group (``.sum()``, ``.agg(...)``, ...), indexed (key, time)."""
        from ._groupby_resample import GroupbyResampler

        params = {k: v for k, v in {"on": on, "closed": closed, "label": label, **kwargs}.items()
                  if v is not None}
        return GroupbyResampler(self, rule, params)

    def rolling(self, window, min_periods=None, center=False):
        return _GroupbyRolling(self, window, min_periods, center)

    def ewm(self, com=None, span=None, halflife=None, alpha=None, min_periods=0, adjust=True,
            ignore_na=False):
        params = {"com": com, "span": span, "halflife": halflife, "alpha": alpha,
                  "min_periods": min_periods, "adjust": adjust, "ignore_na": ignore_na}
        return _GroupbyWindow(self, "ewm", params)

    def expanding(self, min_periods=1):
        return _GroupbyWindow(self, "expanding", {"min_periods": min_periods})

    def cumsum(self, axis=0):
        return self._cumulative("cumsum")

    def cumprod(self, axis=0):
        return self._cumulative("cumprod")

    def cumcount(self, axis=None):
        return self._cumulative("cumcount")

    def cummax(self, axis=0, numeric_only=False):
        return self._cumulative("cummax")

    def cummin(self, axis=0, numeric_only=False):
        return self._cumulative("cummin")

    def _cumulative(self, how):
        from ._collection import new_collection

        fake, by_parts = self._fake()
        meta = make_meta(getattr(self._pandas_groupby(fake, by_parts), how)())
        obj = self._projected()
        args = [obj, *[e.expr for e in self._by_exprs]]
        if self._by_exprs:
            from ._collection import _align

            args = list(_align(*args))
        return new_collection(GroupbyCumulative(args, how, self._by_spec, self.level,
                                                self.dropna, self._selection, meta))


class DataFrameGroupBy(_GroupBy):
    pass


class SeriesGroupBy(_GroupBy):
    def __init__(self, frame, by=None, **kwargs):
        super().__init__(frame, by, **kwargs)

    def unique(self):
        """The distinct values of each group, in order of appearance (an array per group)."""
        fake, by_parts = self._fake()
        meta = make_meta(self._pandas_groupby(fake, by_parts).unique())
        return self._new(self._apply_expr(_unique_group, {}, meta))


def _gb_kwargs(gb, by_parts):
    keys = [by_parts[x[1]] if x[0] == "series" else x[1] for x in gb._by_spec]
    if gb.level is not None:
        return {"level": gb.level, "sort": gb.sort, "dropna": gb.dropna, "observed": gb.observed}
    return {"by": keys if len(keys) != 1 else keys[0], "sort": gb.sort, "dropna": gb.dropna,
            "observed": gb.observed}


def _set_columns(df, names):
    df = df.copy(deep=False)
    df.columns = pd.Index(names)
    return df


def _rename_named(df, labels, order):
    df = df.copy(deep=False)
    cols = [labels.get(c, c) if isinstance(c, tuple) else c for c in df.columns]
    df.columns = pd.Index(cols)
    return df[order]


def _grouped_call(part, func, kwargs, by_spec, tmp_cols, level, sort, dropna, observed, selection,
                  as_index, series_name, group_keys):
    by_parts = []
    spec = list(by_spec)
    if tmp_cols:
        for tmp, name in tmp_cols:
            by_parts.append(part[tmp].rename(name))
        part = part.drop(columns=[t for t, _ in tmp_cols])
        if series_name is not None or (part.shape[1] == 1 and selection is None and
                                        list(part.columns) == [series_name]):
            part = part[part.columns[0]]
    if level is not None:
        g = part.groupby(level=level, sort=sort, dropna=dropna, observed=observed,
                         group_keys=group_keys)
    else:
        keys = [by_parts[x[1]] if x[0] == "series" else x[1] for x in spec]
        g = part.groupby(keys if len(keys) != 1 else keys[0], sort=sort, dropna=dropna,
                         observed=observed, as_index=as_index, group_keys=group_keys)
    if selection is not None:
        g = g[selection]
    return func(g, **kwargs)


def _renumber_rows(part):
    return part.reset_index(drop=True)


def _group_method(g, name, kwargs):
    return getattr(g, name)(**kwargs)


def _agg_group(g, spec):
    return g.agg(spec)


def _nunique_group(g):
    return g.nunique()


def _quantile_group(g, **kwargs):
    return g.quantile(**kwargs)


def _unique_group(g):
    return g.unique()


def _value_counts_group(g, **kwargs):
    return g.value_counts(**kwargs)


def _apply_group(g, func, args, kwargs):
    return g.apply(func, *args, **kwargs)


def _transform_group(g, func, args, kwargs):
    return g.transform(func, *args, **kwargs)


class _GroupbyRolling:
    def __init__(self, gb, window, min_periods, center):
        self.gb, self.window, self.min_periods, self.center = gb, window, min_periods, center

    def _method(self, how, **kwargs):
        fake, by_parts = self.gb._fake()
        rolling = {"window": self.window, "min_periods": self.min_periods, "center": self.center}
        g = self.gb._pandas_groupby(fake, by_parts)
        meta = make_meta(getattr(g.rolling(**rolling), how)(**kwargs))
        return self.gb._new(self.gb._apply_expr(_rolling_group, {"rolling": rolling, "how": how,
                                                                 "kwargs": kwargs}, meta))

    def __getattr__(self, how):
        if how.startswith("_"):
            raise AttributeError(how)
        return functools.partial(self._method, how)


class _GroupbyWindow:
    """``groupby(...).ewm(...)`` / ``.expanding()``: each group is whole after a shuffle."""

    def __init__(self, gb, kind, params):
        self.gb, self.kind, self.params = gb, kind, params

    def _method(self, how, **kwargs):
        fake, by_parts = self.gb._fake()
        g = self.gb._pandas_groupby(fake, by_parts)
        meta = make_meta(getattr(getattr(g, self.kind)(**self.params), how)(**kwargs))
        spec = {"kind": self.kind, "params": self.params, "how": how, "kwargs": kwargs}
        return self.gb._new(self.gb._apply_expr(_window_group, spec, meta))

    def __getattr__(self, how):
        if how.startswith("_"):
            raise AttributeError(how)
        return functools.partial(self._method, how)


def _window_group(g, kind, params, how, kwargs):
    return getattr(getattr(g, kind)(**params), how)(**kwargs)


def _ngroup_partition(part, *rest, by_spec, ascending, nseries):
    by_parts, sizes = list(rest[:nseries]), rest[-1]
    keys = [by_parts[x[1]] if x[0] == "series" else part[x[1]] for x in by_spec]
    rows = keys[0] if len(keys) == 1 else pd.MultiIndex.from_arrays(keys)
    codes = sizes.index.get_indexer(rows)
    if not ascending:
        codes = np.where(codes >= 0, len(sizes) - 1 - codes, -1)
    out = pd.Series(codes, index=part.index, dtype="int64")
    # rows whose key is dropped (NaN with dropna=True) have no group, as in pandas
    return out.where(codes >= 0) if (codes < 0).any() else out


def _rolling_group(g, rolling, how, kwargs):
    return getattr(g.rolling(**rolling), how)(**kwargs)


# ------------------------------------------------------------------------------------------
# cumulative operations within groups


_CUM_TOTAL = {"cumsum": "sum", "cumprod": "prod", "cumcount": "size", "cummax": "max",
              "cummin": "min"}
_CUM_FILL = {"cumsum": 0, "cumprod": 1, "cumcount": 0, "cummax": np.nan, "cummin": np.nan}


class GroupbyCumulative(Expr):
    """``groupby(...).cumsum()`` and friends: per-partition results plus per-group carries."""

    _parameters = ("args", "how", "by_spec", "level", "dropna", "selection", "meta")

    @functools.cached_property
    def _meta(self):
        return self.meta

    def _divisions(self):
        return self.args[0].divisions

    def _layer(self):
        name, n = self._name, self.args[0].npartitions
        kw = {"by_spec": self.by_spec, "level": self.level, "dropna": self.dropna,
              "selection": self.selection, "how": self.how}
        layer = {}
        for i in range(n):
            inputs = [(a._name, i if a.npartitions > 1 else 0) for a in self.args]
            layer[(f"{name}-total", i)] = (_apply_kw, _cum_total, kw, *inputs)
            prev = (f"{name}-carry", i - 1) if i > 0 else None
            prev_total = (f"{name}-total", i - 1) if i > 0 else None
            layer[(f"{name}-carry", i)] = (_add_carry, prev, prev_total, self.how)
            layer[(name, i)] = (_apply_kw, _cum_apply, kw, (f"{name}-carry", i), *inputs)
        return layer


def _apply_kw(func, kw, *args):
    return func(*args, **kw)


def _cum_group(part, by_parts, by_spec, level, dropna, selection):
    g = _grouper(part, by_spec, by_parts, level, False, dropna, True)
    if selection is not None:
        g = g[selection]
    return g


def _group_keys(part, by_parts, by_spec, level):
    if level is not None:
        levels = level if isinstance(level, list) else [level]
        arrays = [part.index.get_level_values(lv) for lv in levels]
    else:
        arrays = [by_parts[x[1]] if x[0] == "series" else part[x[1]] for x in by_spec]
    if len(arrays) == 1:
        return pd.Index(arrays[0])
    return pd.MultiIndex.from_arrays([np.asarray(a) for a in arrays])


def _cum_total(part, *by_parts, by_spec, level, dropna, selection, how):
    g = _cum_group(part, list(by_parts), by_spec, level, dropna, selection)
    return getattr(g, _CUM_TOTAL[how])()


def _add_carry(prev_carry, prev_total, how):
    if prev_total is None:
        return None
    if prev_carry is None:
        return prev_total
    both = pd.concat([prev_carry, prev_total])
    g = both.groupby(level=list(range(both.index.nlevels)))
    return getattr(g, _CUM_TOTAL[how] if how in ("cummax", "cummin", "cumprod") else "sum")()


def _cum_apply(carry, part, *by_parts, by_spec, level, dropna, selection, how):
    g = _cum_group(part, list(by_parts), by_spec, level, dropna, selection)
    out = getattr(g, how)()
    if carry is None or len(part) == 0:
        return out
    keys = _group_keys(part, list(by_parts), by_spec, level)
    fill = _CUM_FILL[how]
    if isinstance(carry, pd.DataFrame):
        offsets = carry.reindex(keys)
        offsets = offsets[out.columns].fillna(fill)
        offsets.index = out.index
    else:
        offsets = pd.Series(carry.reindex(keys).fillna(fill).to_numpy(), index=out.index)
    if how in ("cummax", "cummin"):
        # earlier partitions' extreme wins where it beats the running one; missing values stay
        beaten = out < offsets if how == "cummax" else out > offsets
        result = out.mask(beaten, offsets)
    else:
        result = out * offsets if how == "cumprod" else out + offsets
    if isinstance(out, pd.DataFrame):
        result = result.astype(out.dtypes)
    if isinstance(out, pd.Series):
        result = result.astype(out.dtype) if how == "cumcount" else result
        result.name = out.name
    return result
