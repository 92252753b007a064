"""``.str`` and ``.dt`` accessors: every method runs partition by partition, meta by emulation."""
from __future__ import annotations

import functools

import pandas as pd

from . import _reductions as red
from ._expr import MapPartitions
from ._meta import emulate


def _call_accessor(part, accessor, attr, args, kwargs):
    obj = getattr(getattr(part, accessor), attr)
    return obj(*args, **kwargs) if callable(obj) else obj


class _Accessor:
    _accessor = ""

    def __init__(self, series):
        self._series = series
        getattr(series._meta, self._accessor)  # raises AttributeError naming the dtype

    def _run(self, attr, *args, **kwargs):
        from ._collection import new_collection

        kw = {"accessor": self._accessor, "attr": attr, "args": args, "kwargs": kwargs}
        meta = emulate(functools.partial(_call_accessor, **kw), self._series._meta)
        return new_collection(MapPartitions(_call_accessor, meta, "keep", kw, False,
                                            [self._series.expr]))

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        value = getattr(getattr(self._series._meta, self._accessor), attr)
        if callable(value):
            return functools.partial(self._run, attr)
        return self._run(attr)

    def __dir__(self):
        return dir(getattr(self._series._meta, self._accessor))


class StringAccessor(_Accessor):
    _accessor = "str"

    def __getitem__(self, index):
        """``s.str[0]``, ``s.str[:3]``: characters (or list items) by position."""
        return self._run("__getitem__", index)

    def split(self, pat=None, n=-1, expand=False, regex=None):
        return self._split("split", pat, n, expand, regex=regex)

    def rsplit(self, pat=None, n=-1, expand=False):
        return self._split("rsplit", pat, n, expand)

    def _split(self, method, pat, n, expand, **kwargs):
        if expand and n == -1:
            raise NotImplementedError(f"str.{method}(expand=True) needs n= (the number of columns "
                                      "is part of the metadata)")
        if expand:
            from ._collection import new_collection

            kw = {"accessor": "str", "attr": method, "args": (),
                  "kwargs": {"pat": pat, "n": n, "expand": True, **kwargs}}
            meta = pd.DataFrame({i: pd.Series([], dtype=self._series.dtype) for i in range(n + 1)})
            return new_collection(MapPartitions(_split_expand, meta, "keep", {"kw": kw, "n": n},
                                                False, [self._series.expr]))
        return self._run(method, pat=pat, n=n, expand=False, **kwargs)

    def extractall(self, pat, flags=0):
        # each row becomes (row, match): the divisions no longer bound a plain index
        return self._run("extractall", pat, flags=flags).clear_divisions()

    def cat(self, others=None, sep=None, na_rep=None, join="left"):
        """Join strings element by element with ``others`` (shoal or pandas Series, or a list of
        them), or, without ``others``, every string of the Series into one."""
        from ._collection import FrameBase, _align, new_collection
        from ._creation import from_pandas

        if others is None:
            expr = red.reduction(self._series.expr, _cat_strings, _join_strings, "",
                                 chunk_kwargs={"sep": sep, "na_rep": na_rep}, aggregate_kwargs={"sep": sep})
            return new_collection(expr)
        others = list(others) if isinstance(others, (list, tuple)) else [others]
        if not all(isinstance(o, (FrameBase, pd.Series)) for o in others):
            raise TypeError("str.cat: others must be shoal or pandas Series (or a list of them), which "
                            "line up with this Series by index; a plain sequence has no index to align")
        others = [o if isinstance(o, FrameBase) else from_pandas(o, npartitions=1) for o in others]
        exprs = _align(self._series.expr, *(o.expr for o in others))
        kw = {"sep": sep, "na_rep": na_rep, "join": join}
        meta = _cat_partitions(self._series._meta, *(o._meta for o in others), **kw)
        return new_collection(MapPartitions(_cat_partitions, meta, "keep", kw, False, list(exprs)))


def _cat_partitions(part, *others, **kwargs):
    return part.str.cat(list(others), **kwargs)


def _cat_strings(part, sep, na_rep):
    """One partition's strings joined (None when it has none, as pandas skips missing values)."""
    values = part if na_rep is not None else part.dropna()
    return values.str.cat(sep=sep, na_rep=na_rep) if len(values) else None


def _join_strings(parts, sep):
    return (sep or "").join(red._flatten_chunks(parts))


def _split_expand(part, kw, n):
    out = _call_accessor(part, **kw)
    return out.reindex(columns=range(n + 1)).astype(part.dtype)


class DatetimeAccessor(_Accessor):
    _accessor = "dt"
