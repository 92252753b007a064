"""Rolling windows (by row count or by time offset) that see rows across partition boundaries."""
from __future__ import annotations

import functools

import pandas as pd

from ._expr import MapPartitions
from ._overlap import Overlap, _apply_trimmed


def _rolling_call(part, window, min_periods, center, win_type, how, args, kwargs):
    r = part.rolling(window, min_periods=min_periods, center=center, win_type=win_type)
    return getattr(r, how)(*args, **kwargs)


class Rolling:
    def __init__(self, frame, window, min_periods=None, center=False, win_type=None):
        self.frame = frame
        self.window = window
        self.min_periods = min_periods
        self.center = center
        self.win_type = win_type
        self._time = not isinstance(window, int)
        if self._time:
            if not isinstance(frame._meta.index, pd.DatetimeIndex):
                raise ValueError(f"rolling(window={window!r}) by time needs a DatetimeIndex; the "
                                 f"index is {type(frame._meta.index).__name__}")
            if not frame.known_divisions:
                raise ValueError(f"rolling(window={window!r}) needs known divisions (sorted "
                                 "partitions); use set_index(..., sorted=True) or from_pandas(sort=True)")

    def __getitem__(self, key):
        """``df.rolling(3)["b"]`` / ``[["a", "b"]]``: the same window over some columns."""
        return Rolling(self.frame[key], self.window, self.min_periods, self.center, self.win_type)

    def __getattr__(self, key):
        frame = self.__dict__.get("frame")
        if frame is not None and isinstance(frame._meta, pd.DataFrame) and key in frame._meta.columns:
            return self[key]
        raise AttributeError(f"Rolling has no attribute or column {key!r}")

    def _overlap(self):
        if self._time:
            span = pd.Timedelta(pd.tseries.frequencies.to_offset(self.window))
            # a centred window reaches half its span each way; borrowing the whole span is safe
            return span, span if self.center else 0
        if self.center:
            return self.window // 2 + 1, self.window // 2 + 1
        return self.window - 1, 0

    def _run(self, how, *args, **kwargs):
        from ._collection import new_collection

        kw = {"window": self.window, "min_periods": self.min_periods, "center": self.center,
              "win_type": self.win_type, "how": how, "args": args, "kwargs": kwargs}
        meta = _rolling_call(self.frame._meta, **kw)
        before, after = self._overlap()
        if not before and not after:
            return new_collection(MapPartitions(_rolling_call, meta, "keep", kw, False,
                                                [self.frame.expr]))
        func = functools.partial(_rolling_call, **kw)
        expr = MapPartitions(_apply_trimmed, meta, "keep", {"func": func, "args": (), "kwargs": {}},
                             False, [Overlap(self.frame.expr, before, after)])
        return new_collection(expr)

    def sum(self):
        return self._run("sum")

    def mean(self):
        return self._run("mean")

    def min(self):
        return self._run("min")

    def max(self):
        return self._run("max")

    def count(self):
        return self._run("count")

    def median(self):
        return self._run("median")

    def std(self, ddof=1):
        return self._run("std", ddof=ddof)

    def var(self, ddof=1):
        return self._run("var", ddof=ddof)

    def quantile(self, q):
        return self._run("quantile", q)

    def skew(self):
        return self._run("skew")

    def kurt(self):
        return self._run("kurt")

    def apply(self, func, raw=False, args=(), kwargs=None):
        return self._run("apply", func, raw=raw, args=args, kwargs=kwargs or {})

    def agg(self, func):
        return self._run("agg", func)

    aggregate = agg
