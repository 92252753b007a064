"""The collection protocol and the behaviour shared by every collection.

``FrameBase`` (the base of DataFrame, Series and Index, in _frame.py and _series.py) and ``Scalar``
wrap an immutable expression (``self.expr``) and implement the shoal collection protocol over
the optimized, lowered graph.  Methods build new expressions; nothing runs until compute().
"""
from __future__ import annotations

import functools
import operator
import warnings

import numpy as np
import pandas as pd

from shoal.base import ShoalMethodsMixin

from . import _reductions as red
from ._expr import (
    BinOp,
    Expr,
    FromGraph,
    MapPartitions,
    MethodCall,
    Partitions,
    UnaryOp,
)
from ._meta import (
    concat,
    emulate,
    infer_meta_from_sample,
    is_pandas,
    make_meta,
    meta_nonempty,
)
from ._optimizer import explain, lower, optimize


def new_collection(expr: Expr):
    """The right collection class for an expression, chosen by its meta."""
    from ._frame import DataFrame
    from ._series import Index, Series

    meta = expr._meta
    if isinstance(meta, pd.DataFrame):
        return DataFrame(expr)
    if isinstance(meta, pd.Series):
        return Series(expr)
    if isinstance(meta, pd.Index):
        return Index(expr)
    return Scalar(expr)


def _expr_of(x):
    if isinstance(x, (FrameBase, Scalar)):
        return x.expr
    return x


def _threaded_get(dsk, keys, **kwargs):
    """The default scheduler for dataframes: threads (pandas releases the GIL in most kernels)."""
    import shoal.threaded

    return shoal.threaded.get(dsk, keys, **kwargs)


def _graph_as_is(dsk, keys, **kwargs):
    """Graphs are already optimized and culled when built (see _optimizer.lower)."""
    return dict(dsk)


def _finalize_frame(results, meta):
    out = concat(list(results))
    return meta if out is None else out


def _finalize_scalar(results):
    return results[0]


def _rebuild(graph, name, meta, divisions):
    layer = {k: v for k, v in graph.items() if isinstance(k, tuple) and k[0] == name}
    return new_collection(FromGraph(layer, name, meta, divisions))


_NO_VALUE = object()


class _Lowered:
    __slots__ = ("expr", "graph")

    def __init__(self, expr):
        self.expr = optimize(expr)
        self.graph = lower(self.expr)


class _Protocol(ShoalMethodsMixin):
    """The collection protocol shared by frames and scalars."""

    def __init__(self, expr: Expr):
        self._expr = expr
        self._lowered_cache = None

    @property
    def expr(self) -> Expr:
        return self._expr

    def _lowered(self) -> _Lowered:
        if self._lowered_cache is None or self._lowered_cache[0] != self._expr._name:
            self._lowered_cache = (self._expr._name, _Lowered(self._expr))
        return self._lowered_cache[1]

    def __shoal_graph__(self):
        return self._lowered().graph

    def __shoal_keys__(self):
        expr = self._lowered().expr
        return [(expr._name, i) for i in range(expr.npartitions)]

    def __shoal_tokenize__(self):
        return self._expr._name

    __shoal_scheduler__ = staticmethod(_threaded_get)
    __shoal_optimize__ = staticmethod(_graph_as_is)

    def __shoal_postpersist__(self):
        expr = self._lowered().expr
        return _rebuild, (expr._name, expr._meta, expr.divisions)

    @property
    def dask(self):
        return self.__shoal_graph__()

    @property
    def _name(self):
        return self._expr._name

    @property
    def _meta(self):
        return self._expr._meta

    def optimize(self):
        """A collection over the optimized expression (what compute() runs)."""
        return new_collection(optimize(self._expr))

    def explain(self, file=None):
        """Print the optimized plan."""
        print(explain(self._expr), file=file)

    def __dask_tokenize__(self):
        return self._expr._name


class Scalar(_Protocol):
    """A lazy single value (the result of a full reduction)."""

    def __shoal_postcompute__(self):
        return _finalize_scalar, ()

    @property
    def dtype(self):
        meta = self._meta
        return getattr(meta, "dtype", np.dtype(type(meta)) if isinstance(meta, (int, float, bool)) else
                       np.dtype(object))

    def __repr__(self):
        return f"shoal.dataframe.Scalar<{self._name}, dtype={self.dtype}>"

    def __bool__(self):
        raise TypeError(f"Trying to convert {self!r} to a boolean value: call .compute() first.")

    def _binop(self, other, op, reverse=False):
        other = _expr_of(other)
        if isinstance(other, Expr) and not other.is_scalar:
            return NotImplemented
        left, right = (other, self._expr) if reverse else (self._expr, other)
        return new_collection(BinOp(op, left, right))

    def to_delayed(self):
        from shoal.delayed import Delayed

        key = self.__shoal_keys__()[0]
        return Delayed(key, self.__shoal_graph__())


class FrameBase(_Protocol):
    """Behaviour shared by DataFrame, Series and Index."""

    # pandas and numpy operators defer to us (``pdf.a * df.a`` stays lazy, not computed at once)
    __pandas_priority__ = 5000
    __array_priority__ = 5000

    def __shoal_postcompute__(self):
        return _finalize_frame, (self._meta,)

    def compute(self, **kwargs):
        """The pandas object (all partitions concatenated), or a scalar for reductions."""
        from shoal.base import get_scheduler

        from .io._assemble import assembled

        schedule = get_scheduler(kwargs.get("scheduler"), [self], kwargs.get("get"))
        fast = assembled(self, schedule)
        return super(FrameBase, self if fast is None else fast).compute(**kwargs)

    # metadata ----------------------------------------------------------------------------
    @property
    def divisions(self) -> tuple:
        return self._expr.divisions

    @property
    def npartitions(self) -> int:
        return self._expr.npartitions

    @property
    def known_divisions(self) -> bool:
        return self._expr.known_divisions

    def compute_current_divisions(self, col=None):
        """The divisions the partitions have now (computed from their index, or column ``col``);
        raises if the values are not sorted across partitions."""
        from ._shuffle import _sorted_divisions

        if col is not None:
            return self.set_index(col, sorted=True).divisions
        return _sorted_divisions(self, "index")

    def clear_divisions(self):
        return new_collection(MapPartitions(_identity, self._meta, "clear", {}, False, [self._expr]))

    @property
    def index(self):
        return new_collection(MapPartitions(_get_index, self._meta.index, "keep", {}, False, [self._expr]))

    def __len__(self):
        return new_collection(red.length(self._expr)).compute()

    def __bool__(self):
        raise ValueError(f"The truth value of a {type(self).__name__} is ambiguous: "
                         "use a.any() or a.all(), or compute first.")

    @property
    def size(self):
        return new_collection(red.reduction(self._expr, _size_chunk, _sum_list, 1,
                                            combine=_sum_list_wrapped, skip_empty=False))

    @property
    def partitions(self):
        return _PartitionIndexer(self)

    def get_partition(self, n: int):
        if not 0 <= n < self.npartitions:
            raise ValueError(f"partition {n} is out of range: this collection has "
                             f"{self.npartitions} partitions")
        return self.partitions[n]

    def __repr__(self):
        from ._repr import frame_repr

        return frame_repr(self)

    def _repr_html_(self):
        from ._repr import frame_repr_html

        return frame_repr_html(self)

    # partition-wise -------------------------------------------------------------------------
    def map_partitions(self, func, *args, meta=None, enforce_metadata=True, transform_divisions=True,
                       clear_divisions=False, align_dataframes=True, **kwargs):
        return map_partitions(func, self, *args, meta=meta, enforce_metadata=enforce_metadata,
                              clear_divisions=clear_divisions, align_dataframes=align_dataframes,
                              **kwargs)

    def map_overlap(self, func, before, after, *args, meta=None, **kwargs):
        from ._overlap import map_overlap

        return map_overlap(func, self, before, after, *args, meta=meta, **kwargs)

    def reduction(self, chunk, aggregate=None, combine=None, meta=None, split_every=None,
                  chunk_kwargs=None, aggregate_kwargs=None, combine_kwargs=None):
        aggregate = aggregate or chunk
        combine = combine or aggregate
        if meta is None:
            sample = meta_nonempty(self._meta)
            meta = aggregate(_concat_results([chunk(sample, **(chunk_kwargs or {}))] * 2),
                             **(aggregate_kwargs or {}))
        expr = red.reduction(self._expr, chunk, _user_aggregate, meta, combine=_user_combine,
                             split_every=split_every, chunk_kwargs=chunk_kwargs,
                             aggregate_kwargs={"aggregate": aggregate,
                                               "kwargs": aggregate_kwargs or {}},
                             combine_kwargs={"combine": combine, "kwargs": combine_kwargs or {}})
        return new_collection(expr)

    def head(self, n: int = 5, npartitions: int = 1, compute: bool = True):
        if npartitions == -1:
            npartitions = self.npartitions
        if npartitions > self.npartitions:
            raise ValueError(f"only {self.npartitions} partitions, head received {npartitions}")
        first = Partitions(self._expr, list(range(npartitions)))
        if npartitions > 1:
            from ._repartition import RepartitionNPartitions

            first = RepartitionNPartitions(first, 1)
        out = new_collection(MethodCall(first, "head", (n,)))
        if not compute:
            return out
        result = out.compute()
        if len(result) < n and npartitions < self.npartitions:
            warnings.warn(f"Insufficient elements for `head`. {n} elements requested, only "
                          f"{len(result)} elements available. Try passing larger `npartitions` "
                          f"to `head`.", UserWarning, stacklevel=2)
        return result

    def tail(self, n: int = 5, compute: bool = True):
        last = Partitions(self._expr, [self.npartitions - 1])
        out = new_collection(MethodCall(last, "tail", (n,)))
        return out.compute() if compute else out

    def to_delayed(self, optimize_graph: bool = True):
        from shoal.delayed import Delayed

        graph = self.__shoal_graph__()
        return [Delayed(k, graph) for k in self.__shoal_keys__()]

    def pipe(self, func, *args, **kwargs):
        return func(self, *args, **kwargs)

    def sample(self, frac=None, replace=False, random_state=None):
        """A random fraction of rows from every partition (each partition gets its own seed)."""
        if frac is None:
            raise ValueError("sample needs frac=: the number of rows per partition is unknown")
        seed = random_state if isinstance(random_state, int) else np.random.randint(2**31)
        return new_collection(MapPartitions(_sample, self._meta, "keep",
                                            {"frac": frac, "replace": replace, "seed": seed}, False,
                                            [self._expr], True))

    def random_split(self, frac, random_state=None, shuffle=False):
        """Rows dealt at random into ``len(frac)`` collections of about those fractions."""
        from ._random_split import random_split

        return random_split(self, frac, random_state=random_state, shuffle=shuffle)

    def align(self, other, join="outer", axis=None, fill_value=None):
        """Both collections with the same index (and columns), as pandas' align."""
        a, b = _align(self._expr, other._expr)
        kw = {"join": join, "axis": axis, "fill_value": fill_value}
        metas = self._meta.align(other._meta, **kw)
        # a side that can gain rows missing from it holds NaN there: ints become floats
        gains_rows = {"outer": (True, True), "left": (False, True), "right": (True, False)}
        out = []
        for side, (meta, gains) in enumerate(zip(metas, gains_rows.get(join, (False, False)))):
            promoted = _missing_value_dtypes(meta) if gains else {}
            meta = meta.astype(promoted) if promoted else meta
            out.append(new_collection(MapPartitions(_aligned_side, meta, "keep",
                                                    {**kw, "side": side, "promoted": promoted},
                                                    False, [a, b])))
        return tuple(out)

    def combine_first(self, other):
        """Values of self, with holes filled from ``other`` (aligned on the index)."""
        return self._method("combine_first", other)

    def to_bag(self, index=False, format="tuple"):
        """A shoal.bag of rows (tuples, or dicts with format='dict'), one bag partition per
        partition."""
        from ._to_bag import to_bag

        return to_bag(self, index=index, format=format)

    def persist(self, **kwargs):
        import shoal.base

        return shoal.base.persist(self, **kwargs)[0]

    def repartition(self, divisions=None, npartitions=None, partition_size=None, freq=None,
                    force=False):
        from ._repartition import repartition

        return repartition(self, divisions=divisions, npartitions=npartitions,
                           partition_size=partition_size, freq=freq, force=force)

    def shuffle(self, on=None, npartitions=None, ignore_index=False, shuffle_method=None, **kwargs):
        from ._shuffle import shuffle

        return shuffle(self, on, npartitions=npartitions, ignore_index=ignore_index,
                       method=shuffle_method or kwargs.get("method"))

    # elementwise ------------------------------------------------------------------------------
    def _binop(self, other, op, reverse=False):
        # a 1-d array one value per column broadcasts over rows, partition by partition as whole
        per_column = isinstance(self._meta, pd.DataFrame) and np.ndim(other) == 1 and \
            len(other) == len(self._meta.columns)
        if isinstance(other, np.ndarray) and other.ndim > 0 and not per_column:
            raise TypeError(f"{getattr(op, '__name__', op)}: a NumPy array of shape {other.shape} "
                            "has no index to line up with the partitions; wrap it in a pandas "
                            "Series with the right index (or use shoal.dataframe.from_array)")
        other = _expr_of(self._index_aligned(other))
        broadcast = _column_broadcast(self._expr, other)
        if broadcast is not None:
            left, right = broadcast
        elif isinstance(other, Expr) and not other.is_scalar:
            left, right = _align(self._expr, other)
        else:
            left, right = self._expr, other
        if reverse:
            left, right = right, left
        return new_collection(BinOp(op, left, right))

    def _index_aligned(self, other):
        """A pandas operand that pandas aligns on the index (a DataFrame; a Series against a
        Series) as a one-partition collection, so it is aligned, not repeated in every partition.
        A Series against a DataFrame lines up with the columns and stays as it is."""
        from ._creation import from_pandas

        if isinstance(other, pd.DataFrame) or (
                isinstance(other, pd.Series) and not isinstance(self._meta, pd.DataFrame)):
            return from_pandas(other, npartitions=1)
        return other

    def _method(self, method, *args, keeps_columns=False, **kwargs):
        args = tuple(_expr_of(a) for a in args)
        frames = [a for a in args if isinstance(a, Expr) and not a.is_scalar]
        expr = self._expr
        if frames:
            aligned = _align(expr, *frames)
            expr = aligned[0]
            it = iter(aligned[1:])
            args = tuple(next(it) if isinstance(a, Expr) and not a.is_scalar else a for a in args)
        kwargs = {k: _expr_of(v) for k, v in kwargs.items()}
        if any(isinstance(v, Expr) for v in kwargs.values()):
            raise TypeError(f"{method}: pass shoal collections positionally, not as keywords")
        return new_collection(MethodCall(expr, method, args, kwargs, keeps_columns))

    def __neg__(self):
        return new_collection(UnaryOp(operator.neg, self._expr))

    def __invert__(self):
        return new_collection(UnaryOp(operator.invert, self._expr))

    def __abs__(self):
        return self.abs()

    def abs(self):
        return self._method("abs", keeps_columns=True)

    def isna(self):
        return self._method("isna", keeps_columns=True)

    def isnull(self):
        return self.isna()

    def notna(self):
        return self._method("notna", keeps_columns=True)

    def notnull(self):
        return self.notna()

    def fillna(self, value=None, axis=None, limit=None):
        broadcast = _column_broadcast(self._expr, _expr_of(value))
        if broadcast is not None and isinstance(self._meta, pd.DataFrame):
            # df.fillna(df.mean()): one value per column
            return new_collection(MethodCall(broadcast[0], "fillna", (broadcast[1],), {}, True))
        if isinstance(value, (FrameBase, Scalar)):
            return self._method("fillna", value)
        return self._method("fillna", value, keeps_columns=True)

    def ffill(self):
        from ._overlap import fill_across

        return fill_across(self, "ffill")

    def bfill(self):
        from ._overlap import fill_across

        return fill_across(self, "bfill")

    def astype(self, dtype):
        from ._categorical import astype

        return astype(self, dtype)

    def round(self, decimals=0):
        return self._method("round", decimals, keeps_columns=True)

    def clip(self, lower=None, upper=None):
        return self._method("clip", lower, upper, keeps_columns=True)

    def where(self, cond, other=np.nan):
        return self._method("where", cond, other)

    def mask(self, cond, other=np.nan):
        return self._method("mask", cond, other)

    def isin(self, values):
        if isinstance(values, (FrameBase, Scalar)):
            raise NotImplementedError("isin with a shoal collection: compute the values first")
        return self._method("isin", list(values) if not isinstance(values, dict) else values)

    def replace(self, to_replace=None, value=_NO_VALUE, regex=False):
        if value is _NO_VALUE:  # pandas treats an explicit value=None differently from none given
            return self._method("replace", to_replace, regex=regex, keeps_columns=True)
        return self._method("replace", to_replace, value, regex=regex, keeps_columns=True)

    def copy(self, deep=False):
        return new_collection(self._expr)

    def dropna(self, **kwargs):
        return self._method("dropna", **kwargs)

    def drop_duplicates(self, subset=None, keep="first", split_every=None, split_out=True,
                        ignore_index=False, **kwargs):
        """Rows with duplicates removed (a shuffle on the subset); ``split_out=n`` gives n output
        partitions (True: as many as the input)."""
        # the shuffle keeps rows in their original order, so 'last' is right too
        if keep not in ("first", "last", False):
            raise ValueError(f"drop_duplicates: keep must be 'first', 'last' or False, got {keep!r}")
        from ._shuffle import drop_duplicates

        npartitions = None if split_out is True or split_out is None else int(split_out)
        out = drop_duplicates(self, subset=subset, keep=keep, npartitions=npartitions)
        return out.reset_index(drop=True) if ignore_index else out

    # reductions ---------------------------------------------------------------------------------
    def _reduce(self, method, split_every=None, **kwargs):
        return new_collection(red.method_reduction(self._expr, method, split_every=split_every,
                                                   **kwargs))

    def _row_wise(self, axis, method, **kwargs):
        """``df.<method>(axis=1)``: a reduction along each row, partition by partition."""
        if axis not in (1, "columns"):
            return None
        if not isinstance(self._meta, pd.DataFrame):
            raise ValueError(f"{method}: a Series has no axis {axis!r}")
        return self._method(method, axis=1, **kwargs)

    def sum(self, axis=None, skipna=True, numeric_only=False, min_count=0, split_every=None):
        return self._summed("sum", axis, skipna, numeric_only, min_count, split_every)

    def prod(self, axis=None, skipna=True, numeric_only=False, min_count=0, split_every=None):
        return self._summed("prod", axis, skipna, numeric_only, min_count, split_every)

    def _summed(self, method, axis, skipna, numeric_only, min_count, split_every):
        kw = {"skipna": skipna, **self._numeric_kw(numeric_only)}
        row_wise = self._row_wise(axis, method, min_count=min_count, **kw)
        if row_wise is not None:
            return row_wise
        if min_count:
            return new_collection(red.min_count_reduction(self._expr, method, min_count,
                                                          split_every, **kw))
        return self._reduce(method, split_every, **kw)

    product = prod

    def min(self, axis=None, skipna=True, numeric_only=False, split_every=None):
        if axis in (1, "columns"):
            return self._method("min", axis=1, skipna=skipna, numeric_only=numeric_only)
        return self._reduce("min", split_every, skipna=skipna, **self._numeric_kw(numeric_only))

    def max(self, axis=None, skipna=True, numeric_only=False, split_every=None):
        if axis in (1, "columns"):
            return self._method("max", axis=1, skipna=skipna, numeric_only=numeric_only)
        return self._reduce("max", split_every, skipna=skipna, **self._numeric_kw(numeric_only))

    def count(self, axis=None, numeric_only=False, split_every=None):
        row_wise = self._row_wise(axis, "count", **self._numeric_kw(numeric_only))
        if row_wise is not None:
            return row_wise
        return self._reduce("count", split_every, **self._numeric_kw(numeric_only))

    def any(self, axis=None, skipna=True, split_every=None):
        row_wise = self._row_wise(axis, "any", skipna=skipna)
        return row_wise if row_wise is not None else \
            self._reduce("any", split_every, skipna=skipna)

    def all(self, axis=None, skipna=True, split_every=None):
        row_wise = self._row_wise(axis, "all", skipna=skipna)
        return row_wise if row_wise is not None else \
            self._reduce("all", split_every, skipna=skipna)

    def _numeric_kw(self, numeric_only):
        return {"numeric_only": numeric_only} if isinstance(self._meta, pd.DataFrame) else {}

    def mean(self, axis=None, skipna=True, numeric_only=False, split_every=None):
        if axis in (1, "columns"):
            return self._method("mean", axis=1, skipna=skipna, numeric_only=numeric_only)
        return new_collection(red.moment_reduction(self._expr, "mean", skipna=skipna,
                                                   numeric_only=numeric_only, split_every=split_every))

    def var(self, axis=None, skipna=True, ddof=1, numeric_only=False, split_every=None):
        row_wise = self._row_wise(axis, "var", skipna=skipna, ddof=ddof, numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        return new_collection(red.moment_reduction(self._expr, "var", ddof=ddof, skipna=skipna,
                                                   numeric_only=numeric_only, split_every=split_every))

    def std(self, axis=None, skipna=True, ddof=1, numeric_only=False, split_every=None):
        row_wise = self._row_wise(axis, "std", skipna=skipna, ddof=ddof, numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        return new_collection(red.moment_reduction(self._expr, "std", ddof=ddof, skipna=skipna,
                                                   numeric_only=numeric_only, split_every=split_every))

    def sem(self, axis=None, skipna=True, ddof=1, numeric_only=False, split_every=None):
        row_wise = self._row_wise(axis, "sem", skipna=skipna, ddof=ddof, numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        return new_collection(red.moment_reduction(self._expr, "sem", ddof=ddof, skipna=skipna,
                                                   numeric_only=numeric_only, split_every=split_every))

    def skew(self, axis=None, skipna=True, numeric_only=False, split_every=None):
        from ._higher_moments import higher_moment_reduction

        row_wise = self._row_wise(axis, "skew", skipna=skipna, numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        return new_collection(higher_moment_reduction(self._expr, "skew", skipna, numeric_only,
                                                      split_every))

    def kurt(self, axis=None, skipna=True, numeric_only=False, split_every=None):
        from ._higher_moments import higher_moment_reduction

        row_wise = self._row_wise(axis, "kurt", skipna=skipna, numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        return new_collection(higher_moment_reduction(self._expr, "kurt", skipna, numeric_only,
                                                      split_every))

    kurtosis = kurt

    def idxmin(self, axis=None, skipna=True, split_every=None):
        return new_collection(red.idx_reduction(self._expr, "min", skipna, split_every))

    def idxmax(self, axis=None, skipna=True, split_every=None):
        return new_collection(red.idx_reduction(self._expr, "max", skipna, split_every))

    def quantile(self, q=0.5, axis=0, numeric_only=False, method="default"):
        from ._quantile import quantile

        return quantile(self, q, numeric_only=numeric_only)

    def median_approximate(self, axis=None, numeric_only=False, method="default"):
        """The median from the approximate quantile (exact for small partitions)."""
        row_wise = self._row_wise(axis, "median", numeric_only=numeric_only)
        if row_wise is not None:
            return row_wise
        out = self.quantile(0.5, numeric_only=numeric_only)
        return out.rename(None) if isinstance(self._meta, pd.DataFrame) else out

    def median(self, axis=None, numeric_only=False, split_every=None):
        return self.median_approximate(axis=axis, numeric_only=numeric_only)

    def describe(self, percentiles=None, include=None, exclude=None):
        from ._quantile import describe

        return describe(self, percentiles, include, exclude)

    def cumsum(self, axis=None, skipna=True):
        from ._cumulative import cumulative

        return cumulative(self, "cumsum", skipna)

    def cumprod(self, axis=None, skipna=True):
        from ._cumulative import cumulative

        return cumulative(self, "cumprod", skipna)

    def cummin(self, axis=None, skipna=True):
        from ._cumulative import cumulative

        return cumulative(self, "cummin", skipna)

    def cummax(self, axis=None, skipna=True):
        from ._cumulative import cumulative

        return cumulative(self, "cummax", skipna)

    # time series -------------------------------------------------------------------------------
    def shift(self, periods=1, freq=None, axis=0):
        from ._overlap import shift

        return shift(self, periods, freq)

    def diff(self, periods=1, axis=0):
        from ._overlap import diff

        return diff(self, periods)

    def pct_change(self, periods=1, fill_method=None, freq=None):
        """Change from ``periods`` rows before, as a fraction (pandas 3: no filling)."""
        if fill_method is not None:
            raise NotImplementedError(
                f"pct_change(fill_method={fill_method!r}) is not supported (pandas 3 deprecated "
                f"it); call .ffill() first")
        if freq is not None:
            raise NotImplementedError(f"pct_change(freq={freq!r}) is not supported; use periods=")
        return self / self.shift(periods) - 1

    def between_time(self, start_time, end_time, inclusive="both"):
        """Rows whose time of day is between ``start_time`` and ``end_time``."""
        return self._method("between_time", start_time, end_time, inclusive=inclusive)

    def at_time(self, time):
        """Rows at the time of day ``time``."""
        return self._method("at_time", time)

    def rolling(self, window, min_periods=None, center=False, win_type=None, axis=0):
        from ._rolling import Rolling

        return Rolling(self, window, min_periods=min_periods, center=center, win_type=win_type)

    def ewm(self, com=None, span=None, halflife=None, alpha=None, min_periods=0, adjust=True,
            ignore_na=False, axis=0, times=None):
        """Exponentially weighted windows, continued across partitions."""
        from ._running import EWM

        return EWM(self, com=com, span=span, halflife=halflife, alpha=alpha,
                   min_periods=min_periods, adjust=adjust, ignore_na=ignore_na, times=times)

    def expanding(self, min_periods=1, axis=0):
        """Windows from the first row to each row, continued across partitions."""
        from ._running import Expanding

        return Expanding(self, min_periods=min_periods)

    def resample(self, rule, closed=None, label=None):
        from ._resample import Resampler

        return Resampler(self, rule, closed=closed, label=label)

    def sort_index(self, ascending=True, na_position="last", npartitions=None, **kwargs):
        """Sort rows by the index (partitions end up with known divisions)."""
        from ._sort_index import sort_index

        return sort_index(self, ascending=ascending, na_position=na_position,
                          npartitions=npartitions)

    @property
    def loc(self):
        from ._indexing import LocIndexer

        return LocIndexer(self)

    def to_csv(self, filename, **kwargs):
        from .io.csv import to_csv

        return to_csv(self, filename, **kwargs)

    def to_hdf(self, path, key, **kwargs):
        from .io.hdf import to_hdf

        return to_hdf(self, path, key, **kwargs)

    def to_html(self, max_rows=5):
        """The "Dataframe Structure" table as HTML (no data is computed)."""
        return self._repr_html_()

    def to_string(self, max_rows=5):
        """The "Dataframe Structure" table as text (no data is computed)."""
        from ._repr import _structure

        return _structure(self).to_string(max_rows=max_rows)

    def to_json(self, filename, **kwargs):
        from .io.json import to_json

        return to_json(self, filename, **kwargs)

    def to_dask_array(self, lengths=None):
        return self.to_array(lengths)

    def to_array(self, lengths=None):
        from ._array import to_array

        return to_array(self, lengths)

    @property
    def values(self):
        return self.to_array()

    def memory_usage(self, index=True, deep=False):
        """Bytes used per column (summed over partitions), as pandas reports them."""
        meta = self._meta.memory_usage(index=index, deep=deep)
        if not isinstance(meta, pd.Series):
            return new_collection(red.reduction(self._expr, _memory_usage, _sum_list, 1,
                                                chunk_kwargs={"index": index, "deep": deep},
                                                combine=_sum_list_wrapped, skip_empty=False))
        return self.reduction(_memory_usage, aggregate=_sum_by_label, meta=make_meta(meta),
                              chunk_kwargs={"index": index, "deep": deep})

    def memory_usage_per_partition(self, index=True, deep=False):
        return new_collection(MapPartitions(_partition_nbytes, pd.Series([], dtype="int64"), "clear",
                                            {"index": index, "deep": deep}, False, [self._expr]))

    def nunique_approx(self, split_every=None):
        from ._hyperloglog import nunique_approx

        return new_collection(nunique_approx(self._expr, split_every))


def _column_broadcast(expr, other):
    """A DataFrame and a Series meet column by column in pandas (the Series' index holds column
    names): the Series, made one partition, goes whole to every partition of the frame.
    None when the operands are not a frame and a series."""
    if not isinstance(other, Expr) or other.is_scalar:
        return None
    metas_ = (expr._meta, other._meta)
    if isinstance(metas_[0], pd.DataFrame) and isinstance(metas_[1], pd.Series):
        return expr, _one_partition(other)
    if isinstance(metas_[0], pd.Series) and isinstance(metas_[1], pd.DataFrame):
        return _one_partition(expr), other
    return None


def _one_partition(expr):
    if expr.npartitions == 1:
        return expr
    return new_collection(expr).repartition(npartitions=1).expr


def _from_pandas_one(obj):
    from ._creation import from_pandas

    return from_pandas(obj, npartitions=1)


def _named_binop(name, func, reverse=False):
    """``df.add(other, axis=, level=, fill_value=)``: the operator, or pandas' method partition by
    partition (other aligned first) when axis/level/fill_value ask for more than the operator."""
    def method(self, other, axis="columns", level=None, fill_value=None):
        if axis in ("columns", 1) and level is None and fill_value is None:
            return self._binop(other, func, reverse=reverse)
        kwargs = {"level": level} if level is not None else {}
        if fill_value is not None:
            kwargs["fill_value"] = fill_value
        if isinstance(self._meta, pd.DataFrame):
            kwargs["axis"] = axis
            if axis in (0, "index") and isinstance(other, pd.Series):
                other = _from_pandas_one(other)
        return self._method(name, self._index_aligned(other), **kwargs)

    method.__name__ = name
    return method


for _op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor",
            "lt", "le", "gt", "ge", "eq", "ne"):
    _f = getattr(operator, _op + "_" if _op in ("and", "or") else _op)

    def _forward(self, other, _f=_f):
        return self._binop(other, _f)

    def _backward(self, other, _f=_f):
        return self._binop(other, _f, reverse=True)

    for _cls in (FrameBase, Scalar):
        setattr(_cls, f"__{_op}__", _forward)
        if _op not in ("lt", "le", "gt", "ge", "eq", "ne"):
            setattr(_cls, f"__r{_op}__", _backward)
    if _op not in ("and", "or", "xor"):
        setattr(FrameBase, _op, _named_binop(_op, _f))
        if _op not in ("lt", "le", "gt", "ge", "eq", "ne"):
            setattr(FrameBase, "r" + _op, _named_binop("r" + _op, _f, reverse=True))
FrameBase.div = FrameBase.truediv
FrameBase.__hash__ = object.__hash__
Scalar.__hash__ = object.__hash__
for _name in ("neg", "abs"):
    setattr(Scalar, f"__{_name}__", lambda self, _f=getattr(operator, _name): new_collection(
        UnaryOp(_f, self._expr)))


def _identity(x):
    return x


def _aligned_side(a, b, join, axis, fill_value, side, promoted):
    from ._merge import cast_promoted

    out = a.align(b, join=join, axis=axis, fill_value=fill_value)[side]
    if isinstance(out, pd.Series):
        return out.astype(promoted[out.name]) if out.name in promoted else out
    return cast_promoted(out, promoted)


def _missing_value_dtypes(meta):
    """The dtypes ints and bools take when NaN is inserted (float64 and object), by column."""
    columns = meta.dtypes.items() if isinstance(meta, pd.DataFrame) else [(meta.name, meta.dtype)]
    out = {}
    for name, dtype in columns:
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            out[name] = np.dtype("float64")
        elif isinstance(dtype, np.dtype) and dtype.kind == "b":
            out[name] = np.dtype(object)
    return out


def _sample(part, frac, replace, seed, partition_info):
    return part.sample(frac=frac, replace=replace, random_state=seed + partition_info["number"])


def _get_index(part):
    return part.index


def _size_chunk(part):
    return part.size


def _sum_list(parts):
    return int(sum(red._flatten_chunks(parts)))


def _sum_list_wrapped(parts):
    return red._Chunks([_sum_list(parts)])


def _concat_results(parts):
    if all(is_pandas(p) for p in parts):
        return concat(parts)
    return pd.Series(parts)


def _user_combine(parts, combine, kwargs):
    return combine(_concat_results(red._flatten_chunks(parts)), **kwargs)


def _user_aggregate(parts, aggregate, kwargs):
    return aggregate(_concat_results(red._flatten_chunks(parts)), **kwargs)


def _memory_usage(part, index, deep):
    return part.memory_usage(index=index, deep=deep)


def _sum_by_label(stacked):
    return stacked.groupby(level=0, sort=False).sum()


def _partition_nbytes(part, index=True, deep=False):
    usage = part.memory_usage(index=index, deep=deep)
    return pd.Series([int(usage.sum()) if isinstance(usage, pd.Series) else int(usage)])


class _PartitionIndexer:
    def __init__(self, frame):
        self.frame = frame

    def __getitem__(self, key):
        n = self.frame.npartitions
        if isinstance(key, (int, np.integer)):
            key = [key if key >= 0 else n + key]
        elif isinstance(key, slice):
            key = list(range(n))[key]
        else:
            key = [int(k) for k in np.arange(n)[key]]
        return new_collection(Partitions(self.frame._expr, key))


def _origin(expr: Expr) -> Expr:
    """The node that decided how rows are split into partitions (blockwise nodes keep it)."""
    while expr._is_blockwise:
        frames = [d for d in expr.dependencies()
                  if not d.is_scalar and d.npartitions == expr.npartitions]
        if not frames:
            break
        expr = frames[0]
    return expr


def _reorders_rows(expr: Expr) -> bool:
    from ._shuffle import Shuffle

    return isinstance(expr, Shuffle)


def _align(*exprs):
    """Make frame expressions partition-aligned, so partition i of each holds the same index values.

    Equal known divisions are aligned already; known divisions are repartitioned to their union.
    With unknown divisions, frames split the same way (same origin, or same partition count without
    a shuffle in between, as in Dask) are taken as aligned; otherwise every frame is shuffled by its
    index, which lines rows up as pandas' index alignment would.
    """
    frames = [e for e in exprs if isinstance(e, Expr) and not e.is_scalar]
    if len(frames) < 2:
        return exprs
    if all(f.known_divisions for f in frames):
        if len({f.divisions for f in frames}) == 1:
            return exprs
        from ._repartition import repartition_divisions_expr, union_divisions

        divisions = union_divisions([f.divisions for f in frames])
        return tuple(repartition_divisions_expr(e, divisions)
                     if isinstance(e, Expr) and not e.is_scalar and e.divisions != divisions else e
                     for e in exprs)
    origins = {o._name: o for o in map(_origin, frames)}
    if len(origins) == 1:
        return exprs
    same_count = len({f.npartitions for f in frames}) == 1
    if same_count and not any(_reorders_rows(o) for o in origins.values()):
        return exprs
    from ._shuffle import shuffle_expr

    n = max(f.npartitions for f in frames)
    return tuple(shuffle_expr(e, None, n) if isinstance(e, Expr) and not e.is_scalar else e
                 for e in exprs)


def map_partitions(func, *args, meta=None, enforce_metadata=True, clear_divisions=False,
                   align_dataframes=True, token=None, **kwargs):
    """Apply ``func`` to each partition of the collections in ``args``."""
    exprs = [_expr_of(a) for a in args]
    frames = [e for e in exprs if isinstance(e, Expr) and not e.is_scalar]
    if len(frames) > 1 and align_dataframes:
        aligned = iter(_align(*frames))
        exprs = [next(aligned) if isinstance(e, Expr) and not e.is_scalar else e for e in exprs]
    partition_info = _takes_partition_info(func)
    if meta is None:
        sample_kwargs = dict(kwargs)
        if partition_info:
            sample_kwargs["partition_info"] = {"number": 0, "division": None}
        try:
            meta = emulate(func, *[e._meta if isinstance(e, Expr) else e for e in exprs],
                           **sample_kwargs)
            if not is_pandas(meta) and not np.isscalar(meta):
                raise TypeError
        except Exception:
            meta = infer_meta_from_sample(
                func, [e._meta if isinstance(e, Expr) else e for e in exprs], sample_kwargs,
                "map_partitions")
    else:
        meta = make_meta(meta)
    if not is_pandas(meta) and frames:
        # one value per partition: the result is a Series of them, as in Dask
        dtype = np.asarray(meta).dtype if np.isscalar(meta) else meta
        meta = pd.Series([], dtype=dtype)
        func = functools.partial(_value_as_series, func)
        partition_info = False
    divisions = "clear" if clear_divisions else "keep"
    expr = MapPartitions(func, meta, divisions, kwargs, bool(enforce_metadata and is_pandas(meta)),
                         exprs, partition_info)
    return new_collection(expr)


def _value_as_series(func, *args, **kwargs):
    out = func(*args, **kwargs)
    return out if is_pandas(out) else pd.Series([out])


def _takes_partition_info(func) -> bool:
    import inspect

    try:
        return "partition_info" in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------


def _stack_scalars(scalars, index, dtype, name=None):
    exprs = [s._expr for s in scalars]
    meta = pd.Series([], dtype=dtype, name=name)
    return new_collection(MapPartitions(_make_series, meta, "clear",
                                        {"index": index, "dtype": dtype, "name": name}, False, exprs))


def _make_series(*values, index, dtype, name):
    return pd.Series(list(values), index=index, dtype=dtype, name=name)


def _nlargest(df, n, columns):
    return df.nlargest(n) if isinstance(df, pd.Series) else df.nlargest(n, columns)


def _nsmallest(df, n, columns):
    return df.nsmallest(n) if isinstance(df, pd.Series) else df.nsmallest(n, columns)
