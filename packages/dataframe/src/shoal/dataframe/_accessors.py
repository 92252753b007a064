"""``.str`` and ``.dt`` accessors: every method runs partition by partition, meta by emulation."""
from __future__ import annotations

import functools

import pandas as pd

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

    def split(self, pat=None, n=-1, expand=False, regex=None):
        if expand and n == -1:
            raise NotImplementedError("str.split(expand=True) needs n= (the number of columns is "
                                      "part of the metadata)")
        if expand:
            from ._collection import new_collection

            kw = {"accessor": "str", "attr": "split", "args": (),
                  "kwargs": {"pat": pat, "n": n, "expand": True}}
            meta = pd.DataFrame({i: pd.Series([], dtype=self._series.dtype) for i in range(n + 1)})
            return new_collection(MapPartitions(_split_expand, meta, "keep", {"kw": kw, "n": n},
                                                False, [self._series.expr]))
        return self._run("split", pat=pat, n=n, expand=False)


def _split_expand(part, kw, n):
    out = _call_accessor(part, **kw)
    return out.reindex(columns=range(n + 1)).astype(part.dtype)


class DatetimeAccessor(_Accessor):
    _accessor = "dt"
