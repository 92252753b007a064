"""DataFrame: a partitioned pandas DataFrame."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _reductions as red
from ._collection import FrameBase, Scalar, _align, _expr_of, _nlargest, _nsmallest, _stack_scalars, \
    new_collection
from ._expr import Assign, Expr, Filter, MapPartitions, Projection
from ._meta import infer_meta_from_sample, make_meta
from ._series import _series_meta


class DataFrame(FrameBase):
    """A partitioned pandas DataFrame."""

    @property
    def columns(self):
        return self._meta.columns

    @columns.setter
    def columns(self, columns):
        renamed = self._method("set_axis", list(columns), axis=1)
        self._expr = renamed._expr

    @property
    def dtypes(self):
        return self._meta.dtypes

    @property
    def ndim(self):
        return 2

    @property
    def shape(self):
        return (new_collection(red.length(self._expr)), len(self.columns))

    def __dir__(self):
        return sorted(set(dir(type(self)) + [c for c in self.columns if isinstance(c, str)]))

    def __getattr__(self, key):
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            meta = self.__dict__["_expr"]._meta
        except KeyError:
            raise AttributeError(key) from None
        if key in meta.columns:
            return self[key]
        raise AttributeError(f"DataFrame has no attribute or column {key!r}; columns are "
                             f"{list(meta.columns)}")

    def __contains__(self, key):
        return key in self.columns

    def __iter__(self):
        return iter(self.columns)

    def _check_columns(self, cols):
        missing = [c for c in cols if c not in self._meta.columns]
        if missing:
            raise KeyError(f"Column(s) {missing} not found in the DataFrame; available columns: "
                           f"{list(self._meta.columns)}")

    def __getitem__(self, key):
        if callable(key) and not isinstance(key, (FrameBase, Scalar)):
            return self[key(self)]  # pandas: df[lambda d: d.x > 0]
        key = _expr_of(key)
        if isinstance(key, Expr):
            if isinstance(key._meta, pd.Series):
                a, b = _align(self._expr, key)
                return new_collection(Filter(a, b))
            raise TypeError("Boolean indexing needs a Series; got a DataFrame")
        if isinstance(key, slice):
            return self.loc[key]
        if isinstance(key, (list, pd.Index, np.ndarray)):
            key = list(key)
            self._check_columns(key)
            return new_collection(Projection(self._expr, key))
        self._check_columns([key])
        return new_collection(Projection(self._expr, key))

    def __setitem__(self, key, value):
        if isinstance(key, (FrameBase, Scalar)):
            raise TypeError("Setting values through a boolean mask (df[mask] = v) is not supported; "
                            "use df.mask(mask, v) or df.where(~mask, v)")
        if isinstance(key, (list, tuple)) and not isinstance(value, (FrameBase, Scalar)):
            out = self.assign(**{k: value for k in key})
        elif isinstance(key, (list, tuple)):
            out = self.assign(**{k: value[c] for k, c in zip(key, value.columns)})
        else:
            out = self._assign_pairs([key, value])
        self._expr = out._expr

    def __delitem__(self, key):
        self._expr = self.drop(columns=[key])._expr

    def assign(self, **kwargs):
        out, pairs = self, []
        for k, v in kwargs.items():
            if callable(v) and not isinstance(v, (FrameBase, Scalar)):
                # like pandas, a callable sees the columns assigned before it
                out = out._assign_pairs(pairs) if pairs else out
                pairs = []
                v = v(out)
            pairs.extend([k, v])
        return out._assign_pairs(pairs)

    def _assign_pairs(self, pairs):
        expr = self._expr
        values = []
        for k, v in zip(pairs[::2], pairs[1::2]):
            v = _expr_of(v)
            if isinstance(v, Expr) and not v.is_scalar:
                if isinstance(v._meta, pd.DataFrame):
                    raise TypeError(f"Column assignment of {k!r} doesn't support DataFrame values")
                expr, v = _align(expr, v)
            elif isinstance(v, (pd.Series, pd.Index, np.ndarray, list)) and len(v) > 1:
                raise TypeError(f"Column {k!r}: assigning a {type(v).__name__} to a shoal DataFrame "
                                "needs a shoal Series (use from_pandas) or a scalar")
            values.extend([k, v])
        return new_collection(Assign(expr, *values))

    def drop(self, labels=None, axis=0, columns=None, errors="raise"):
        if columns is None and axis in (1, "columns"):
            columns = labels
        if columns is None:
            raise NotImplementedError("Dropping rows by label is not supported; drop columns=")
        columns = [columns] if not isinstance(columns, (list, tuple, pd.Index)) else list(columns)
        if errors == "raise":
            self._check_columns(columns)
        keep = [c for c in self._meta.columns if c not in columns]
        return new_collection(Projection(self._expr, keep))

    def rename(self, index=None, columns=None):
        if index is not None:
            raise NotImplementedError("rename(index=...) is not supported; rename columns=")
        return self._method("rename", columns=columns)

    def agg(self, func=None, axis=0, **kwargs):
        """Whole-column reductions: a name (a Series), a list of names or a dict of column ->
        name(s) (a DataFrame or Series shaped as pandas returns it)."""
        from ._agg import frame_agg

        if axis not in (0, "index"):
            raise NotImplementedError("DataFrame.agg only supports axis=0")
        return frame_agg(self, func)

    aggregate = agg

    def squeeze(self, axis=None):
        """A one-column DataFrame as a Series (otherwise the DataFrame itself)."""
        if axis in (0, "index"):
            raise NotImplementedError("squeeze(axis=0) would need the row count; use axis=1")
        if len(self.columns) == 1:
            return self[self.columns[0]]
        return self

    def pop(self, item):
        """Remove column ``item`` from this DataFrame and return it as a Series."""
        out = self[item]
        self._expr = self.drop(columns=[item])._expr
        return out

    def to_sql(self, name, uri, **kwargs):
        from .io.sql import to_sql

        return to_sql(self, name, uri, **kwargs)

    def keys(self):
        return self.columns

    def add_prefix(self, prefix):
        return self._method("add_prefix", prefix)

    def add_suffix(self, suffix):
        return self._method("add_suffix", suffix)

    def itertuples(self, index=True, name="Pandas"):
        for i in range(self.npartitions):
            yield from self.get_partition(i).compute().itertuples(index=index, name=name)

    def select_dtypes(self, include=None, exclude=None):
        cols = list(self._meta.select_dtypes(include=include, exclude=exclude).columns)
        return self[cols]

    def dropna(self, how=None, subset=None, thresh=None):
        kwargs = {"subset": subset}
        if how is not None:
            kwargs["how"] = how
        if thresh is not None:
            kwargs["thresh"] = thresh
        return self._method("dropna", **kwargs)

    def apply(self, func, axis=0, raw=False, result_type=None, args=(), meta=None, **kwds):
        if axis not in (1, "columns"):
            raise NotImplementedError("DataFrame.apply only supports axis=1 (row-wise); for "
                                      "column-wise use map_partitions or reductions")
        if meta is None:
            meta = infer_meta_from_sample(
                lambda df: df.apply(func, axis=1, raw=raw, result_type=result_type, args=args, **kwds),
                [self._meta], {}, "DataFrame.apply")
        else:
            meta = _series_meta(meta, None)
        kwargs = {"func": func, "axis": 1, "raw": raw, "result_type": result_type, "args": args, **kwds}
        return new_collection(MapPartitions(_call_apply, make_meta(meta), "keep", kwargs, False,
                                            [self._expr]))

    def map(self, func, na_action=None, meta=None):
        if meta is None:
            meta = infer_meta_from_sample(lambda df: df.map(func, na_action=na_action), [self._meta],
                                          {}, "DataFrame.map")
        return new_collection(MapPartitions(_call_map, make_meta(meta), "keep",
                                            {"func": func, "na_action": na_action}, False,
                                            [self._expr]))

    def melt(self, id_vars=None, value_vars=None, var_name=None, value_name="value"):
        return self._method("melt", id_vars=id_vars, value_vars=value_vars, var_name=var_name,
                            value_name=value_name).clear_divisions()

    def query(self, expr, **kwargs):
        return self._method("query", expr, **kwargs)

    def eval(self, expr, **kwargs):
        return self._method("eval", expr, **kwargs)

    def reset_index(self, drop=False):
        from ._shuffle import reset_index

        return reset_index(self, drop)

    def set_index(self, other, drop=True, sorted=False, npartitions=None, divisions=None,
                  shuffle_method=None, **kwargs):
        from ._shuffle import set_index

        return set_index(self, other, drop=drop, sorted=sorted, npartitions=npartitions,
                         divisions=divisions, method=shuffle_method)

    def sort_values(self, by, ascending=True, npartitions=None, na_position="last",
                    sort_function=None, shuffle_method=None, **kwargs):
        from ._shuffle import sort_values

        return sort_values(self, by, ascending=ascending, npartitions=npartitions,
                           na_position=na_position, method=shuffle_method)

    def value_counts(self, subset=None, normalize=False, sort=True, ascending=False, dropna=True,
                     split_every=None):
        frame = self[list(subset)] if subset is not None else self
        return new_collection(red.value_counts(frame._expr, sort, ascending, dropna, normalize,
                                               split_every))

    def pivot_table(self, index=None, columns=None, values=None, aggfunc="mean"):
        from ._pivot import pivot_table

        return pivot_table(self, index=index, columns=columns, values=values, aggfunc=aggfunc)

    def nlargest(self, n=5, columns=None, split_every=None):
        return self.reduction(_nlargest, meta=self._meta, chunk_kwargs={"n": n, "columns": columns},
                              aggregate_kwargs={"n": n, "columns": columns}, split_every=split_every)

    def nsmallest(self, n=5, columns=None, split_every=None):
        return self.reduction(_nsmallest, meta=self._meta, chunk_kwargs={"n": n, "columns": columns},
                              aggregate_kwargs={"n": n, "columns": columns}, split_every=split_every)

    def groupby(self, by=None, **kwargs):
        from ._groupby import DataFrameGroupBy

        return DataFrameGroupBy(self, by, **kwargs)

    def merge(self, right, how="inner", on=None, left_on=None, right_on=None, left_index=False,
              right_index=False, suffixes=("_x", "_y"), indicator=False, npartitions=None,
              shuffle_method=None, broadcast=None):
        from ._merge import merge

        return merge(self, right, how=how, on=on, left_on=left_on, right_on=right_on,
                     left_index=left_index, right_index=right_index, suffixes=suffixes,
                     indicator=indicator, npartitions=npartitions, method=shuffle_method,
                     broadcast=broadcast)

    def join(self, other, on=None, how="left", lsuffix="", rsuffix="", npartitions=None,
             shuffle_method=None):
        from ._merge import merge

        if isinstance(other, (list, tuple)):
            # pandas joins a list of frames on the index, one after another
            if on is not None:
                raise ValueError("join: on= cannot be used with a list of frames")
            out = self
            for frame in other:
                out = out.join(frame, how=how, lsuffix=lsuffix, rsuffix=rsuffix,
                               npartitions=npartitions, shuffle_method=shuffle_method)
            return out
        if on is not None:
            return merge(self, other, how=how, left_on=on, right_index=True,
                         suffixes=(lsuffix, rsuffix), npartitions=npartitions, method=shuffle_method)
        return merge(self, other, how=how, left_index=True, right_index=True,
                     suffixes=(lsuffix, rsuffix), npartitions=npartitions, method=shuffle_method)

    def nunique(self, dropna=True, split_every=None):
        parts = [self[c].nunique(dropna=dropna, split_every=split_every) for c in self.columns]
        return _stack_scalars(parts, list(self.columns), "int64")

    def mode(self, dropna=True, split_every=None):
        from .multi import concat as _concat

        cols = [self[c].mode(dropna=dropna, split_every=split_every) for c in self.columns]
        return _concat(cols, axis=1, ignore_unknown_divisions=True)

    def cov(self, min_periods=None, ddof=1, numeric_only=False, split_every=None):
        from ._covariance import cov_corr

        return cov_corr(self, "cov", ddof=ddof, min_periods=min_periods, numeric_only=numeric_only)

    def corr(self, method="pearson", min_periods=None, numeric_only=False, split_every=None):
        from ._covariance import cov_corr

        if method != "pearson":
            raise NotImplementedError(f"corr(method={method!r}): only 'pearson' is supported")
        return cov_corr(self, "corr", min_periods=min_periods, numeric_only=numeric_only)

    def explode(self, column, ignore_index=False):
        return self._method("explode", column, ignore_index=ignore_index)

    def to_parquet(self, path, **kwargs):
        from .io.parquet import to_parquet

        return to_parquet(self, path, **kwargs)

    def to_orc(self, path, **kwargs):
        from .io.orc import to_orc

        return to_orc(self, path, **kwargs)

    def to_records(self, index=False, lengths=None):
        from ._array import to_records

        return to_records(self, index)

    def info(self, buf=None, verbose=False, memory_usage=False):
        """Print a summary as pandas does (verbose=True computes the non-null counts)."""
        from ._info import info

        info(self, buf=buf, verbose=verbose, memory_usage=memory_usage)

    def categorize(self, columns=None):
        from ._categorical import categorize

        return categorize(self, columns)

    def iterrows(self):
        for i in range(self.npartitions):
            yield from self.get_partition(i).compute().iterrows()

    def items(self):
        for c in self.columns:
            yield c, self[c]

    @property
    def iloc(self):
        from ._indexing import ILocIndexer

        return ILocIndexer(self)


def _call_map(df, func, na_action):
    return df.map(func, na_action=na_action)


def _call_apply(df, **kwargs):
    return df.apply(**kwargs)
