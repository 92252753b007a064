"""Exponentially weighted (ewm) and expanding windows that run across partition boundaries.

Both are weighted running sums: with a decay ``d`` per row (``1 - alpha`` for ewm, 1 for
expanding) the sums ``S1 = sum d^k``, ``S2 = sum d^2k``, ``X1 = sum d^k x``, ``X2 = sum d^k x^2``
over the values seen so far give the mean, sum, variance and count.  Each partition computes its
own sums (with pandas); the state at the end of all earlier partitions, decayed by the distance,
is added on (a chain of small carry tasks, as for cumsum).  min/max (expanding) carry the running
extreme instead.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from ._expr import Expr
from ._meta import make_meta, meta_nonempty


def _values(part):
    arr = part.to_numpy(dtype="float64", na_value=np.nan)
    return arr.reshape(len(part), 1 if isinstance(part, pd.Series) else part.shape[1])


def _weighted_sums(v, decay, ignore_na=False):
    """Sum over rows i <= t of decay^(t-i) * v_i, per column (v has no NaN).

    With ``ignore_na`` v is NaN on the rows without a value, and only rows with a value decay
    (the exponent counts values, not rows), as pandas' ``ewm(ignore_na=True)``."""
    frame = pd.DataFrame(v)
    if decay == 1.0:
        return frame.cumsum().to_numpy()
    sums = frame.ewm(alpha=1.0 - decay, adjust=True, ignore_na=ignore_na).sum()
    return sums.fillna(0.0).to_numpy() if ignore_na else sums.to_numpy()


def _chunk(part, decay, how, ignore_na=False):
    x = _values(part)
    seen = ~np.isnan(x)
    if how in ("min", "max"):
        extreme = getattr(pd.DataFrame(x).expanding(), how)().to_numpy()
        return {"E": extreme, "N": np.cumsum(seen, axis=0), "R": _row_numbers(x), "rows": len(x)}
    x0 = np.where(seen, x, np.nan if ignore_na else 0.0)
    obs = np.where(seen, 1.0, np.nan if ignore_na else 0.0)
    return {"S1": _weighted_sums(obs, decay, ignore_na),
            "S2": _weighted_sums(obs, decay * decay, ignore_na),
            "X1": _weighted_sums(x0, decay, ignore_na),
            "X2": _weighted_sums(x0 * x0, decay, ignore_na),
            "N": np.cumsum(seen, axis=0), "R": _row_numbers(x), "rows": len(x)}


def _row_numbers(x):
    return np.broadcast_to(np.arange(1, len(x) + 1)[:, None], x.shape)


def _end_state(chunk):
    if chunk["rows"] == 0:
        return None
    return {k: v[-1] for k, v in chunk.items() if k != "rows"}


def _carry(prev_carry, prev_chunk, decay, how, ignore_na=False):
    """The state after every row of all partitions before this one."""
    if prev_chunk is None:
        return None
    end = _end_state(prev_chunk)
    if prev_carry is None or end is None:
        return end if end is not None else prev_carry
    steps = end["N"] if ignore_na else prev_chunk["rows"]
    return _add_state(end, prev_carry, steps, decay, how)


def _add_state(local, carry, steps, decay, how):
    if how in ("min", "max"):
        pick = np.fmax if how == "max" else np.fmin
        return {"E": pick(local["E"], carry["E"]), "N": local["N"] + carry["N"],
                "R": local["R"] + carry["R"]}
    factor = decay ** steps
    return {"S1": local["S1"] + factor * carry["S1"], "S2": local["S2"] + factor ** 2 * carry["S2"],
            "X1": local["X1"] + factor * carry["X1"], "X2": local["X2"] + factor * carry["X2"],
            "N": local["N"] + carry["N"], "R": local["R"] + carry["R"]}


def _finish(part, chunk, carry, decay, how, min_periods, ddof, ignore_na=False):
    sums = {k: v for k, v in chunk.items() if k != "rows"}
    if carry is not None and chunk["rows"]:
        # the carried state decays once per row (or, with ignore_na, once per value) since
        steps = chunk["N"] if ignore_na else np.arange(1, chunk["rows"] + 1)[:, None]
        sums = _add_state(sums, carry, steps, decay, how)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = _statistic(sums, how, decay, ddof)
    enough = max(min_periods, 2 if how in ("var", "std") else 1)
    # count needs min_periods rows; the others min_periods values that are not NaN
    out = np.where((sums["R"] if how == "count" else sums["N"]) >= enough, out, np.nan)
    if isinstance(part, pd.Series):
        return pd.Series(out[:, 0] if len(out) else [], index=part.index, name=part.name,
                         dtype="float64")
    return pd.DataFrame(out, index=part.index, columns=part.columns, dtype="float64")


def _statistic(s, how, decay, ddof):
    if how in ("min", "max"):
        return s["E"]
    if how == "count":
        return s["N"].astype("float64")
    if how == "sum":
        return s["X1"]
    mean = s["X1"] / s["S1"]
    if how == "mean":
        return mean
    biased = np.maximum(s["X2"] / s["S1"] - mean * mean, 0.0)
    if decay == 1.0:
        var = biased * s["N"] / (s["N"] - ddof)
    else:
        var = biased * s["S1"] ** 2 / (s["S1"] ** 2 - s["S2"])
    return np.sqrt(var) if how == "std" else var


class CarriedWindow(Expr):
    """A window statistic whose state is carried across partitions: per partition a summary of its
    rows (``-chunk``), the state entering it from all earlier partitions (``-carry``, a chain of small
    tasks), and its output from both. Subclasses name the three functions and their arguments."""

    steps: tuple  # (chunk, carry, finish) functions

    @functools.cached_property
    def _meta(self):
        return self.meta_

    def _divisions(self):
        return self.frame.divisions

    def _column_needs(self, needed):
        yield self.frame, needed

    def _inputs(self, i) -> tuple:
        return ((self.frame._name, i),)

    def _layer(self):
        name, (chunk, carry, finish) = self._name, self.steps
        state_args, finish_args = self._state_args(), self._finish_args()
        layer = {}
        for i in range(self.frame.npartitions):
            inputs = self._inputs(i)
            layer[(f"{name}-chunk", i)] = (chunk, *inputs, *state_args)
            layer[(f"{name}-carry", i)] = (
                carry, (f"{name}-carry", i - 1) if i > 0 else None,
                (f"{name}-chunk", i - 1) if i > 0 else None, *state_args)
            layer[(name, i)] = (finish, *inputs, (f"{name}-chunk", i), (f"{name}-carry", i), *finish_args)
        return layer


class RunningWindow(CarriedWindow):
    """ewm/expanding statistic ``how`` of every column, correct across partitions."""

    _parameters = ("frame", "decay", "how", "min_periods", "ddof", "meta_", "ignore_na")
    _defaults = {"ignore_na": False}
    steps = (_chunk, _carry, _finish)

    def _state_args(self):
        return (self.decay, self.how, self.ignore_na)

    def _finish_args(self):
        return (self.decay, self.how, self.min_periods, self.ddof, self.ignore_na)

    def _label(self):
        return f"RunningWindow({self.how}, decay={self.decay:.4g})"


def _running(frame, decay, how, min_periods, ddof, pandas_call, ignore_na=False):
    from ._collection import new_collection

    meta = make_meta(pandas_call(meta_nonempty(frame._meta)))
    return new_collection(RunningWindow(frame.expr, decay, how, min_periods, ddof, meta,
                                        ignore_na))


def ewm_alpha(com=None, span=None, halflife=None, alpha=None) -> float:
    given = [k for k, v in {"com": com, "span": span, "halflife": halflife, "alpha": alpha}.items()
             if v is not None]
    if len(given) != 1:
        raise ValueError(f"ewm needs exactly one of com, span, halflife or alpha; got {given}")
    if com is not None:
        if com < 0:
            raise ValueError(f"ewm: com must be >= 0, got {com}")
        return 1.0 / (1.0 + com)
    if span is not None:
        if span < 1:
            raise ValueError(f"ewm: span must be >= 1, got {span}")
        return 2.0 / (span + 1.0)
    if halflife is not None:
        if isinstance(halflife, (str, pd.Timedelta)):
            raise NotImplementedError(
                f"ewm(halflife={halflife!r}) with a time halflife (times=) is not supported")
        if halflife <= 0:
            raise ValueError(f"ewm: halflife must be > 0, got {halflife}")
        return 1.0 - math.exp(-math.log(2.0) / halflife)
    if not 0 < alpha <= 1:
        raise ValueError(f"ewm: alpha must satisfy 0 < alpha <= 1, got {alpha}")
    return float(alpha)


def _check_times(frame, times, params, adjust, ignore_na):
    """``times=`` as a shoal Series/Index partitioned like ``frame`` (or a column name)."""
    from ._collection import FrameBase

    if isinstance(times, str):
        times = frame[times]
    if not isinstance(times, FrameBase):
        raise NotImplementedError(
            f"ewm(times=<{type(times).__name__}>): pass times as a shoal Series or Index of the "
            f"same frame (e.g. times=df.index or times=df.timestamp)")
    unit = getattr(times._meta.dtype, "kind", None)
    if unit != "M":
        raise ValueError(f"ewm(times=...) must hold datetimes, got dtype {times._meta.dtype}")
    if not isinstance(params["halflife"], (str, pd.Timedelta, np.timedelta64)):
        raise ValueError(f"ewm(times=...) needs halflife= as a time span such as '1h', got "
                         f"halflife={params['halflife']!r}")
    if not adjust:
        raise NotImplementedError("ewm(times=..., adjust=False) is not supported")
    if ignore_na:
        raise NotImplementedError("ewm(times=..., ignore_na=True) is not supported")
    return times


class EWM:
    """``df.ewm(...)``: mean, sum, var and std, with pandas' ``adjust``, ``ignore_na`` and
    ``min_periods`` (``adjust=False`` supports mean only)."""

    def __init__(self, frame, com=None, span=None, halflife=None, alpha=None, min_periods=0,
                 adjust=True, ignore_na=False, times=None):
        self.frame = frame
        self.params = {"com": com, "span": span, "halflife": halflife, "alpha": alpha}
        self.times = None if times is None else _check_times(frame, times, self.params, adjust,
                                                             ignore_na)
        self.alpha = None if times is not None else ewm_alpha(**self.params)
        self.min_periods = min_periods or 0
        self.adjust = bool(adjust)
        self.ignore_na = bool(ignore_na)

    def _pandas_call(self, how, **kwargs):
        def call(x):
            times = None if self.times is None else pd.date_range("2000", periods=len(x))
            window = x.ewm(**self.params, min_periods=self.min_periods, adjust=self.adjust,
                           ignore_na=self.ignore_na, times=times)
            return getattr(window, how)(**kwargs)

        return call

    def _run(self, how, ddof=1, **kwargs):
        if self.times is not None:
            raise NotImplementedError(f"ewm(times=...).{how}() is not supported; times= "
                                      f"supports mean() (pandas has only mean with times)")
        if not self.adjust:
            raise NotImplementedError(
                f"ewm(adjust=False).{how}() is not supported; adjust=False supports mean()")
        return _running(self.frame, 1.0 - self.alpha, how, self.min_periods, ddof,
                        self._pandas_call(how, **kwargs), self.ignore_na)

    def mean(self):
        if self.adjust and self.times is None:
            return self._run("mean")
        from ._collection import _align, new_collection
        from ._ewm_times import TimedEWMMean
        from ._ewm_unadjusted import UnadjustedEWMMean

        meta = make_meta(self._pandas_call("mean")(meta_nonempty(self.frame._meta)))
        if self.times is None:
            return new_collection(UnadjustedEWMMean(self.frame.expr, self.alpha, self.ignore_na,
                                                    self.min_periods, meta))
        frame, times = _align(self.frame.expr, self.times.expr)
        return new_collection(TimedEWMMean(frame, times, self.params["halflife"],
                                           self.min_periods, meta))

    def sum(self):
        return self._run("sum")

    def var(self, bias=False):
        if bias:
            raise NotImplementedError("ewm().var(bias=True) is not supported")
        return self._run("var")

    def std(self, bias=False):
        if bias:
            raise NotImplementedError("ewm().std(bias=True) is not supported")
        return self._run("std")


class Expanding:
    """``df.expanding(min_periods)``: sum, mean, count, min, max, var and std over all rows so far."""

    def __init__(self, frame, min_periods=1):
        self.frame = frame
        self.min_periods = min_periods

    def _run(self, how, ddof=1):
        def pandas_call(x):
            r = x.expanding(min_periods=self.min_periods)
            return getattr(r, how)(ddof=ddof) if how in ("var", "std") else getattr(r, how)()

        return _running(self.frame, 1.0, how, self.min_periods, ddof, pandas_call)

    def sum(self):
        return self._run("sum")

    def mean(self):
        return self._run("mean")

    def count(self):
        return self._run("count")

    def min(self):
        return self._run("min")

    def max(self):
        return self._run("max")

    def var(self, ddof=1):
        return self._run("var", ddof)

    def std(self, ddof=1):
        return self._run("std", ddof)
