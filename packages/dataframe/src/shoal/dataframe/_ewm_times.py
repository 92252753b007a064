"""``ewm(halflife=<time>, times=...).mean()`` continued across partition boundaries.

pandas' result is ``sum(w_i x_i) / sum(w_i)`` with ``w_i = 0.5 ** ((t - t_i) / halflife)``.
Split at a partition start into the earlier rows (sum of weights ``S`` and mean ``y`` at the
time ``t0`` of their last value) and this partition's own rows, the result is
``(local + r y) / (1 + r)`` with ``r = S * 0.5 ** ((t - t0) / halflife) / local weight sum``.
That ratio is ``S * 0.5 ** ((t_first - t0) / halflife) * m`` where ``m`` is pandas' own ewm mean
of a column that is 1 at the partition's first value and 0 at its other values, so no weight
sums that could underflow are formed.  A chain of small tasks carries ``(y, S, t0, count)``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._expr import Expr
from ._running import CarriedWindow


def _values(part):
    arr = part.to_numpy(dtype="float64", na_value=np.nan)
    return arr.reshape(len(part), 1 if isinstance(part, pd.Series) else part.shape[1])


def _nanoseconds(times):
    times = pd.DatetimeIndex(times)
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    return times.as_unit("ns").asi8


def _marker(seen, rows_at):
    """1 at the given row of every column that has a value, 0 at its other values, NaN else."""
    out = np.where(seen, 0.0, np.nan)
    cols = np.flatnonzero(seen.any(axis=0))
    out[rows_at[cols], cols] = 1.0
    return out


def _chunk(part, times, halflife):
    x = _values(part)
    rows, ncols = x.shape
    if rows == 0:
        return {"rows": 0}
    seen = ~np.isnan(x)
    has = seen.any(axis=0)
    first = np.where(has, seen.argmax(axis=0), rows)
    last = np.where(has, rows - 1 - seen[::-1].argmax(axis=0), 0)
    ns = _nanoseconds(times)

    def mean(v):
        return pd.DataFrame(v).ewm(halflife=halflife, times=times).mean().to_numpy()

    at_last = mean(_marker(seen, last))[last, np.arange(ncols)]
    return {"local": mean(x), "first_weight": mean(_marker(seen, first)), "N": np.cumsum(seen, 0),
            "first": first, "last": last, "has": has, "t_first": ns[np.minimum(first, rows - 1)],
            "t_last": ns[last], "S_last": np.where(has, 1.0 / at_last, 0.0), "rows": rows}


def _decay(state, until, halflife):
    return 0.5 ** ((until - state["t0"]) / pd.Timedelta(halflife).value)


def _blend(chunk, state, halflife):
    """This partition's result with the earlier rows' state mixed in, per row and column."""
    r = state["S"] * _decay(state, chunk["t_first"], halflife) * chunk["first_weight"]
    mixed = (chunk["local"] + r * state["y"]) / (1.0 + r)
    before_first = np.arange(chunk["rows"])[:, None] < chunk["first"][None, :]
    mixed = np.where(before_first, state["y"], mixed)
    return np.where(np.isnan(state["y"]), chunk["local"], mixed)


def _carry(prev_state, prev_chunk, halflife):
    """(y, S, t0, count) after all earlier partitions: mean and weight sum at the last value."""
    if prev_chunk is None:
        return None
    if prev_chunk["rows"] == 0:
        return prev_state
    has = prev_chunk["has"]
    if prev_state is None:
        y, s = prev_chunk["local"][prev_chunk["last"], np.arange(len(has))], prev_chunk["S_last"]
        n = prev_chunk["N"][-1]
    else:
        blended = _blend(prev_chunk, prev_state, halflife)[prev_chunk["last"], np.arange(len(has))]
        kept = np.nan_to_num(prev_state["S"]) * _decay(prev_state, prev_chunk["t_last"], halflife)
        y = np.where(has, blended, prev_state["y"])
        s = np.where(has, prev_chunk["S_last"] + np.where(np.isnan(prev_state["y"]), 0.0, kept),
                     prev_state["S"])
        n = prev_state["n"] + prev_chunk["N"][-1]
    t0 = prev_chunk["t_last"] if prev_state is None else \
        np.where(has, prev_chunk["t_last"], prev_state["t0"])
    return {"y": y, "S": s, "t0": t0, "n": n}


def _finish(part, times, chunk, state, halflife, min_periods):
    if chunk["rows"] == 0:
        return part.astype("float64")
    out, count = chunk["local"], chunk["N"]
    if state is not None:
        out, count = _blend(chunk, state, halflife), count + state["n"]
    out = np.where(count >= max(min_periods, 1), out, np.nan)
    if isinstance(part, pd.Series):
        return pd.Series(out[:, 0], index=part.index, name=part.name, dtype="float64")
    return pd.DataFrame(out, index=part.index, columns=part.columns, dtype="float64")


class TimedEWMMean(CarriedWindow):
    """``ewm(halflife, times).mean()`` of every column; ``times`` is partitioned like the frame."""

    _parameters = ("frame", "times", "halflife", "min_periods", "meta_")
    steps = (_chunk, _carry, _finish)

    _column_needs = Expr._column_needs  # all columns of both inputs, as before

    def _inputs(self, i):
        return ((self.frame._name, i), (self.times._name, i))

    def _state_args(self):
        return (self.halflife,)

    def _finish_args(self):
        return (self.halflife, self.min_periods)

    def _label(self):
        return f"TimedEWMMean(halflife={self.halflife})"
