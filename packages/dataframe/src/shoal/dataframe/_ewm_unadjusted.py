"""``ewm(adjust=False).mean()`` continued across partition boundaries.

pandas' recursion is ``y <- y + a/(D + a) * (x - y)`` at each value, where ``D`` is the weight
left on ``y`` (``1 - a`` per row since the last value, or per value with ``ignore_na``).  Given
the data, every step is affine in the incoming ``y``, so a partition's output is its own result
(started from its first value) plus ``P_t * c * (y_in - first value)``: ``P_t`` is the product of
the step slopes, which pandas computes for us on a column that is 1 at the first value and 0 at
the others; ``c = D/(D + a)`` for the first value.  Each partition needs only the small state
(``y``, rows since the last value, count of values) at the end of all earlier partitions,
carried by a chain of small tasks.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._running import CarriedWindow


def _values(part):
    arr = part.to_numpy(dtype="float64", na_value=np.nan)
    return arr.reshape(len(part), 1 if isinstance(part, pd.Series) else part.shape[1])


def _ewm_mean(x, alpha, ignore_na):
    return pd.DataFrame(x).ewm(alpha=alpha, adjust=False, ignore_na=ignore_na).mean().to_numpy()


def _chunk(part, alpha, ignore_na):
    """This partition's own result, the slopes ``P`` and what the carry chain needs."""
    x = _values(part)
    rows, ncols = x.shape
    seen = ~np.isnan(x)
    has = seen.any(axis=0)
    if rows == 0:
        return {"first": np.zeros(ncols, dtype=int), "rows": 0}
    first = np.where(has, seen.argmax(axis=0), rows)
    last = np.where(has, rows - 1 - seen[::-1].argmax(axis=0), -1)
    cols = np.arange(ncols)
    unit = np.where(seen, 0.0, np.nan)
    unit[first[has], cols[has]] = 1.0
    first_x = np.full(ncols, np.nan)
    first_x[has] = x[first[has], cols[has]]
    return {"local": _ewm_mean(x, alpha, ignore_na), "P": _ewm_mean(unit, alpha, ignore_na),
            "N": np.cumsum(seen, axis=0), "first": first, "first_x": first_x,
            "trail": rows - 1 - last, "rows": rows}


def _first_slope(state, chunk, alpha, ignore_na):
    """``c = D/(D + a)``: how much of the incoming ``y`` the partition's first value keeps."""
    steps = 1 if ignore_na else state["k"] + chunk["first"] + 1
    weight = (1.0 - alpha) ** steps
    return weight / (weight + alpha)


def _carry(prev_state, prev_chunk, alpha, ignore_na):
    """The state (y, rows since last value, values seen) after all earlier partitions."""
    if prev_chunk is None:
        return None
    ncols = len(prev_chunk["first"])
    state = prev_state or {"y": np.full(ncols, np.nan), "k": np.zeros(ncols), "n": np.zeros(ncols)}
    if prev_chunk["rows"] == 0:
        return state
    has = prev_chunk["first"] < prev_chunk["rows"]
    local_end, slope_end = prev_chunk["local"][-1], prev_chunk["P"][-1]
    shift = slope_end * _first_slope(state, prev_chunk, alpha, ignore_na) * \
        (state["y"] - prev_chunk["first_x"])
    y = np.where(has, np.where(np.isnan(state["y"]), local_end, local_end + shift), state["y"])
    k = np.where(has, prev_chunk["trail"], state["k"] + prev_chunk["rows"])
    return {"y": y, "k": k, "n": state["n"] + prev_chunk["N"][-1]}


def _finish(part, chunk, state, alpha, ignore_na, min_periods):
    if chunk["rows"] == 0:
        return part.astype("float64")
    out, count = chunk["local"], chunk["N"]
    if state is not None:
        before_first = np.arange(chunk["rows"])[:, None] < chunk["first"][None, :]
        shift = chunk["P"] * _first_slope(state, chunk, alpha, ignore_na) * \
            (state["y"] - chunk["first_x"])
        carried = np.where(before_first, state["y"], out + shift)
        out = np.where(np.isnan(state["y"]), out, carried)
        count = count + state["n"]
    out = np.where(count >= max(min_periods, 1), out, np.nan)
    if isinstance(part, pd.Series):
        return pd.Series(out[:, 0] if len(out) else [], index=part.index, name=part.name,
                         dtype="float64")
    return pd.DataFrame(out, index=part.index, columns=part.columns, dtype="float64")


class UnadjustedEWMMean(CarriedWindow):
    """``ewm(alpha, adjust=False, ignore_na).mean()`` of every column, correct across partitions."""

    _parameters = ("frame", "alpha", "ignore_na", "min_periods", "meta_")
    steps = (_chunk, _carry, _finish)

    def _state_args(self):
        return (self.alpha, self.ignore_na)

    def _finish_args(self):
        return (self.alpha, self.ignore_na, self.min_periods)

    def _label(self):
        return f"UnadjustedEWMMean(alpha={self.alpha:.4g})"
