"""Synthetic datasets: ``timeseries()`` (id, name, x, y on a DatetimeIndex, one partition per
``partition_freq``).  Each partition is generated from its own seed, so any partition can be made
alone and only the columns that are used are generated (projection pushdown)."""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ._expr import Blockwise

NAMES = ["Alice", "Bob", "Charlie", "Dan", "Edith", "Frank", "George", "Hannah", "Ingrid", "Jerry",
         "Kevin", "Laura", "Michael", "Norbert", "Oliver", "Patricia", "Quinn", "Ray", "Sarah", "Tim",
         "Ursula", "Victor", "Wendy", "Xavier", "Yvonne", "Zelda"]


def _make_int(n, rng):
    return rng.poisson(1000, size=n).astype("int64")


def _make_float(n, rng):
    return rng.random(size=n) * 2 - 1


def _make_str(n, rng):
    return np.array(NAMES, dtype=object)[rng.integers(0, len(NAMES), size=n)]


def _maker(dtype):
    if dtype in (int, "int", "int64", "i8"):
        return _make_int, "int64"
    if dtype in (float, "float", "float64", "f8"):
        return _make_float, "float64"
    if dtype in (str, "str", "string", object, "object", "category"):
        return _make_str, "category" if dtype == "category" else "str"
    raise TypeError(f"timeseries: unsupported dtype {dtype!r} (use int, float, str or category)")


def _make_partition(start, end, freq, dtypes, columns, seed):
    index = pd.date_range(start, end, freq=freq, inclusive="left", name="timestamp")
    rng = np.random.default_rng(seed)
    data = {}
    for col, dtype in dtypes.items():
        make, out_dtype = _maker(dtype)
        values = make(len(index), rng)
        if col in columns:
            data[col] = pd.Series(values, index=index, dtype=out_dtype if out_dtype != "category"
                                  else pd.CategoricalDtype(NAMES))
    return pd.DataFrame(data, index=index, columns=columns)


class Timeseries(Blockwise):
    _parameters = ("start", "end", "freq", "partition_freq", "dtypes", "seed", "columns_")

    @functools.cached_property
    def _bounds(self):
        bounds = list(pd.date_range(self.start, self.end, freq=self.partition_freq))
        if not bounds or bounds[0] > pd.Timestamp(self.start):
            bounds.insert(0, pd.Timestamp(self.start))
        if bounds[-1] < pd.Timestamp(self.end):
            bounds.append(pd.Timestamp(self.end))
        return bounds

    def _divisions(self):
        return tuple(self._bounds[:-1]) + (self._bounds[-1] - pd.Timedelta(self.freq),)

    def _estimated_nbytes(self):
        rows = (pd.Timestamp(self.end) - pd.Timestamp(self.start)) / pd.Timedelta(self.freq)
        return int(rows * 8 * (len(self.columns_) + 1))

    @property
    def _partition_func(self):
        return _make_partition

    def _partition_args(self, i):
        b = self._bounds
        seed = None if self.seed is None else (self.seed, i)
        seed = np.random.SeedSequence(list(seed)) if seed is not None else i
        return [b[i], b[i + 1], self.freq, self.dtypes, self.columns_, seed]

    @functools.cached_property
    def _meta(self):
        return _make_partition(self.start, self.start, self.freq, self.dtypes, self.columns_, 0)

    def _project_columns(self, columns):
        return Timeseries(self.start, self.end, self.freq, self.partition_freq, self.dtypes, self.seed,
                          list(columns))

    def _label(self):
        return f"Timeseries({self.start}..{self.end}, freq={self.freq}, columns={self.columns_})"


def timeseries(start="2000-01-01", end="2000-01-31", freq="1s", partition_freq="1D", dtypes=None,
               seed=None):
    """A random DataFrame with a DatetimeIndex: columns id (int), name (str), x and y (floats)."""
    from ._collection import new_collection

    dtypes = dtypes or {"name": str, "id": int, "x": float, "y": float}
    return new_collection(Timeseries(str(pd.Timestamp(start)), str(pd.Timestamp(end)), freq,
                                     partition_freq, dtypes, seed, list(dtypes)))
