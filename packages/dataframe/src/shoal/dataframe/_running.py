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


def _weighted_sums(v, decay):
    """Sum over rows i <= t of decay^(t-i) * v_i, per column (v has no NaN)."""
    frame = pd.DataFrame(v)
    if decay == 1.0:
        return frame.cumsum().to_numpy()
    return frame.ewm(alpha=1.0 - decay, adjust=True).sum().to_numpy()


def _chunk(part, decay, how):
    x = _values(part)
    seen = ~np.isnan(x)
    if how in ("min", "max"):
        extreme = getattr(pd.DataFrame(x).expanding(), how)().to_numpy()
        return {"E": extreme, "N": np.cumsum(seen, axis=0), "R": _row_numbers(x), "rows": len(x)}
    x0 = np.where(seen, x, 0.0)
    obs = seen.astype("float64")
    return {"S1": _weighted_sums(obs, decay), "S2": _weighted_sums(obs, decay * decay),
            "X1": _weighted_sums(x0, decay), "X2": _weighted_sums(x0 * x0, decay),
            "N": np.cumsum(seen, axis=0), "R": _row_numbers(x), "rows": len(x)}


def _row_numbers(x):
    return np.broadcast_to(np.arange(1, len(x) + 1)[:, None], x.shape)


def _end_state(chunk):
    if chunk["rows"] == 0:
        return None
    return {k: v[-1] for k, v in chunk.items() if k != "rows"}


def _carry(prev_carry, prev_chunk, decay, how):
    """The state after every row of all partitions before this one."""
    if prev_chunk is None:
        return None
    end = _end_state(prev_chunk)
    if prev_carry is None or end is None:
        return end if end is not None else prev_carry
    return _add_state(end, prev_carry, prev_chunk["rows"], decay, how)


def _add_state(local, carry, steps, decay, how):
    if how in ("min", "max"):
        pick = np.fmax if how == "max" else np.fmin
        return {"E": pick(local["E"], carry["E"]), "N": local["N"] + carry["N"],
                "R": local["R"] + carry["R"]}
    factor = decay ** steps
    return {"S1": local["S1"] + factor * carry["S1"], "S2": local["S2"] + factor ** 2 * carry["S2"],
            "X1": local["X1"] + factor * carry["X1"], "X2": local["X2"] + factor * carry["X2"],
            "N": local["N"] + carry["N"], "R": local["R"] + carry["R"]}


def _finish(part, chunk, carry, decay, how, min_periods, ddof):
    sums = {k: v for k, v in chunk.items() if k != "rows"}
    if carry is not None and chunk["rows"]:
        steps = np.arange(1, chunk["rows"] + 1)[:, None]
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


class RunningWindow(Expr):
    """ewm/expanding statistic ``how`` of every column, correct across partitions."""

    _parameters = ("frame", "decay", "how", "min_periods", "ddof", "meta_")

    @functools.cached_property
    def _meta(self):
        return self.meta_

    def _divisions(self):
        return self.frame.divisions

    def _column_needs(self, needed):
        yield self.frame, needed

    def _layer(self):
        name, dep, n = self._name, self.frame._name, self.frame.npartitions
        decay, how = self.decay, self.how
        layer = {}
        for i in range(n):
            layer[(f"{name}-chunk", i)] = (_chunk, (dep, i), decay, how)
            layer[(f"{name}-carry", i)] = (
                _carry, (f"{name}-carry", i - 1) if i > 0 else None,
                (f"{name}-chunk", i - 1) if i > 0 else None, decay, how)
            layer[(name, i)] = (_finish, (dep, i), (f"{name}-chunk", i), (f"{name}-carry", i),
                                decay, how, self.min_periods, self.ddof)
        return layer

    def _label(self):
        return f"RunningWindow({self.how}, decay={self.decay:.4g})"


def _running(frame, decay, how, min_periods, ddof, pandas_call):
    from ._collection import new_collection

    meta = make_meta(pandas_call(meta_nonempty(frame._meta)))
    return new_collection(RunningWindow(frame.expr, decay, how, min_periods, ddof, meta))


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
            raise NotImplementedError("ewm with a time halflife (times=) is not supported")
        if halflife <= 0:
            raise ValueError(f"ewm: halflife must be > 0, got {halflife}")
        return 1.0 - math.exp(-math.log(2.0) / halflife)
    if not 0 < alpha <= 1:
        raise ValueError(f"ewm: alpha must satisfy 0 < alpha <= 1, got {alpha}")
    return float(alpha)


class EWM:
    """``df.ewm(...)``: mean, sum, var and std (adjust=True, ignore_na=False, as pandas' default)."""

    def __init__(self, frame, com=None, span=None, halflife=None, alpha=None, min_periods=0,
                 adjust=True, ignore_na=False, times=None):
        if not adjust:
            raise NotImplementedError("ewm(adjust=False) is not supported; use adjust=True")
        if ignore_na:
            raise NotImplementedError("ewm(ignore_na=True) is not supported")
        if times is not None:
            raise NotImplementedError("ewm(times=...) is not supported")
        self.frame = frame
        self.params = {"com": com, "span": span, "halflife": halflife, "alpha": alpha}
        self.alpha = ewm_alpha(**self.params)
        self.min_periods = min_periods or 0

    def _run(self, how, ddof=1, **kwargs):
        def pandas_call(x):
            return getattr(x.ewm(**self.params, min_periods=self.min_periods), how)(**kwargs)

        return _running(self.frame, 1.0 - self.alpha, how, self.min_periods, ddof, pandas_call)

    def mean(self):
        return self._run("mean")

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
