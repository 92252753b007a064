"""Series and Index: partitioned pandas Series and Index objects."""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from . import _reductions as red
from ._collection import FrameBase, _align, _expr_of, _nlargest, _nsmallest, new_collection
from ._expr import Expr, Filter, MapPartitions
from ._meta import emulate, infer_meta_from_sample, is_pandas, make_meta, meta_nonempty


class Series(FrameBase):
    """A partitioned pandas Series."""

    @property
    def name(self):
        return self._meta.name

    @property
    def dtype(self):
        return self._meta.dtype

    @property
    def ndim(self):
        return 1

    def __getitem__(self, key):
        if callable(key) and not isinstance(key, FrameBase):
            return self[key(self)]  # pandas: s[lambda s: s > 0]
        key = _expr_of(key)
        if isinstance(key, Expr):
            a, b = _align(self._expr, key)
            return new_collection(Filter(a, b))
        return self.loc[key]

    def rename(self, index=None, sorted_index=False):
        """A new name (scalar), or new index labels (function/dict/Series): divisions are then
        unknown unless ``sorted_index=True`` says the new labels still ascend across partitions."""
        if index is None or pd.api.types.is_scalar(index) or isinstance(index, tuple):
            return self._method("rename", index)
        return self._relabel("rename", index, keep_divisions=sorted_index)

    def add_prefix(self, prefix):
        return self._relabel("add_prefix", prefix)

    def add_suffix(self, suffix):
        return self._relabel("add_suffix", suffix)

    def _relabel(self, method, arg, keep_divisions=False):
        # the index labels change, so the old divisions no longer describe the partitions
        meta = getattr(self._meta, method)(arg)
        divisions = "clear"
        if keep_divisions and self.known_divisions:
            labels = pd.Series(range(self.npartitions + 1), index=self.divisions)
            new = getattr(labels, method)(arg).index
            if not new.is_monotonic_increasing:
                raise ValueError(f"{method}(sorted_index=True): the new labels of the divisions "
                                 f"{list(new)} do not ascend")
            divisions = tuple(new)
        return new_collection(MapPartitions(_call_method, meta, divisions,
                                            {"method": method, "arg": arg}, False, [self._expr]))

    def to_frame(self, name=None):
        if name is None:
            return self._method("to_frame")
        return self._method("to_frame", name)

    def agg(self, func):
        """One reduction by name (a scalar), or a list/dict of them (a Series named as pandas)."""
        from ._agg import series_agg

        return series_agg(self, func)

    aggregate = agg

    @property
    def shape(self):
        return (new_collection(red.length(self._expr)),)

    def map(self, arg, na_action=None, meta=None):
        if meta is None and not isinstance(arg, (dict, pd.Series)):
            meta = infer_meta_from_sample(lambda s: s.map(arg, na_action=na_action), [self._meta],
                                          {}, "Series.map")
        elif meta is None:
            meta = make_meta(meta_nonempty(self._meta).map(arg, na_action=na_action))
        else:
            meta = _series_meta(meta, self.name)
        return new_collection(MapPartitions(_series_map, meta, "keep",
                                            {"arg": arg, "na_action": na_action}, False, [self._expr]))

    def apply(self, func, convert_dtype=None, meta=None, args=(), **kwds):
        if meta is None:
            meta = infer_meta_from_sample(lambda s: s.apply(func, args=args, **kwds), [self._meta], {},
                                          "Series.apply")
        else:
            meta = _series_meta(meta, self.name)
        return new_collection(MapPartitions(_series_apply, meta, "keep",
                                            {"func": func, "args": args, "kwds": kwds}, False,
                                            [self._expr]))

    def nlargest(self, n=5, split_every=None):
        return self.reduction(_nlargest, meta=self._meta, chunk_kwargs={"n": n, "columns": None},
                              aggregate_kwargs={"n": n, "columns": None}, split_every=split_every)

    def nsmallest(self, n=5, split_every=None):
        return self.reduction(_nsmallest, meta=self._meta, chunk_kwargs={"n": n, "columns": None},
                              aggregate_kwargs={"n": n, "columns": None}, split_every=split_every)

    def between(self, left, right, inclusive="both"):
        return self._method("between", left, right, inclusive=inclusive)

    def nunique(self, dropna=True, split_every=None):
        return new_collection(red.nunique(self._expr, dropna, split_every))

    def unique(self, split_every=None):
        return new_collection(red.unique(self._expr, split_every))

    def value_counts(self, sort=True, ascending=False, dropna=True, normalize=False, split_every=None):
        return new_collection(red.value_counts(self._expr, sort, ascending, dropna, normalize,
                                               split_every))

    def mode(self, dropna=True, split_every=None):
        return new_collection(red.mode(self._expr, dropna, split_every))

    def groupby(self, by=None, **kwargs):
        from ._groupby import SeriesGroupBy

        return SeriesGroupBy(self, by, **kwargs)

    def reset_index(self, drop=False, name=None):
        from ._shuffle import reset_index

        if name is not None and not drop:
            return reset_index(self.rename(name), drop)
        return reset_index(self, drop)

    def dot(self, other):
        return (self * other).sum()

    @property
    def str(self):
        from ._accessors import StringAccessor

        return StringAccessor(self)

    @property
    def dt(self):
        from ._accessors import DatetimeAccessor

        return DatetimeAccessor(self)

    @property
    def cat(self):
        from ._categorical import CategoricalAccessor

        return CategoricalAccessor(self)

    def sort_values(self, ascending=True, na_position="last", npartitions=None, **kwargs):
        """The values in order (a range shuffle, as DataFrame.sort_values)."""
        tmp = "__shoal_values__"
        frame = self.rename(tmp).to_frame()
        out = frame.sort_values(tmp, ascending=ascending, na_position=na_position,
                                npartitions=npartitions)[tmp]
        return out.rename(self.name)

    def explode(self, ignore_index=False):
        return self._method("explode", ignore_index=ignore_index)

    @property
    def is_monotonic_increasing(self):
        from ._monotonic import is_monotonic

        return is_monotonic(self, True)

    @property
    def is_monotonic_decreasing(self):
        from ._monotonic import is_monotonic

        return is_monotonic(self, False)

    def cov(self, other, min_periods=None, ddof=1, split_every=None):
        return self._pair_statistic(other, "cov", min_periods=min_periods, ddof=ddof)

    def corr(self, other, method="pearson", min_periods=None, split_every=None):
        if method != "pearson":
            raise NotImplementedError(f"corr(method={method!r}): only 'pearson' is supported")
        return self._pair_statistic(other, "corr", min_periods=min_periods)

    def _pair_statistic(self, other, how, **kwargs):
        from ._covariance import cov_corr
        from .multi import concat

        both = concat([self.rename("__a__"), other.rename("__b__")], axis=1,
                      ignore_unknown_divisions=True)
        table = cov_corr(both, how, **kwargs)
        return new_collection(MapPartitions(_off_diagonal, np.float64(0.0), "clear", {}, False,
                                            [table.expr]))

    def to_timestamp(self, *args, **kwargs):
        return self._method("to_timestamp", *args, **kwargs)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.compute(), dtype=dtype)


def _series_meta(meta, name):
    meta = make_meta(meta)
    if not is_pandas(meta):
        return pd.Series([], dtype=np.asarray(meta).dtype if np.isscalar(meta) else meta, name=name)
    return meta


def _off_diagonal(table):
    return table.iloc[0, 1]


def _series_map(s, arg, na_action):
    return s.map(arg, na_action=na_action)


def _series_apply(s, func, args, kwds):
    return s.apply(func, args=args, **kwds)


class Index(Series):
    """A partitioned pandas Index."""

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        if hasattr(self._meta, key):
            # the results hold other values than the index, so its divisions do not apply
            if callable(getattr(self._meta, key)):
                return functools.partial(_index_method, self, key)
            return new_collection(MapPartitions(_getattr, emulate(_getattr, self._meta, key),
                                                "clear", {"attr": key}, False, [self._expr]))
        raise AttributeError(f"Index has no attribute {key!r}")

    def to_series(self):
        return self._method("to_series")

    def to_frame(self, index=True, name=None):
        kwargs = {"index": index} if name is None else {"index": index, "name": name}
        out = self._method("to_frame", **kwargs)
        return out if index else out.clear_divisions()  # each partition is numbered from 0

    @property
    def index(self):
        raise AttributeError("an Index has no .index")

    def min(self, split_every=None):
        return new_collection(red.method_reduction(self._expr, "min"))

    def max(self, split_every=None):
        return new_collection(red.method_reduction(self._expr, "max"))

    def count(self, split_every=None):
        return new_collection(red.length(self._expr))

    def isin(self, values):
        """A boolean Series on this index (so ``df[df.index.isin(...)]`` lines up with ``df``)."""
        if isinstance(values, FrameBase):
            raise NotImplementedError("isin with a shoal collection: compute the values first")
        values = list(values)
        meta = _index_isin(self._meta, values)
        return new_collection(MapPartitions(_index_isin, meta, "keep", {"values": values}, False, [self._expr]))

    def nunique(self, dropna=True, split_every=None):
        return self.to_series().nunique(dropna=dropna, split_every=split_every)

    def unique(self, split_every=None):
        return _as_index(self.to_series().unique(split_every=split_every))

    def drop_duplicates(self, keep="first", split_every=None, split_out=True):
        return _as_index(self.to_series().drop_duplicates(keep=keep, split_every=split_every,
                                                          split_out=split_out))


def _index_isin(index, values):
    return pd.Series(index.isin(values), index=index, name=index.name)


def _as_index(series):
    """The values of a Series collection as an Index collection (divisions no longer apply)."""
    meta = pd.Index(series._meta.values, name=series._meta.name)
    return new_collection(MapPartitions(_values_as_index, meta, "clear", {}, False, [series.expr]))


def _values_as_index(part):
    return pd.Index(part.values, name=part.name)


def _index_method(index, method, *args, **kwargs):
    return index._method(method, *args, **kwargs).clear_divisions()


def _getattr(obj, attr):
    return getattr(obj, attr)


def _call_method(part, arg, method):
    return getattr(part, method)(arg)
