"""Concatenating many large computed partitions column by column in threads.

The result of ``compute()`` on a big frame is one pandas concat of all partitions; that copy (and
the page faults of its fresh memory) is single-threaded in pandas.  NumPy copies release the GIL,
so plain NumPy columns are copied into preallocated arrays by several threads at once.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

# below this many bytes a plain pd.concat is as fast and starting threads is not worth it
MIN_BYTES = 32 * 2**20


def can_concat_in_threads(parts) -> bool:
    """Same columns and plain NumPy dtypes (no objects, strings, categoricals) in every part."""
    first = parts[0]
    if len(parts) < 2 or not all(type(p) is pd.DataFrame for p in parts):
        return False
    ncols = len(first.columns)
    # the cheap test first: most concats (shuffle pieces, small results) are small
    if ncols < 2 or sum(len(p) for p in parts) * ncols * 8 < MIN_BYTES:
        return False
    dtypes = list(first.dtypes)
    if not first.columns.is_unique or \
            not all(isinstance(d, np.dtype) and d.kind in "biufcmM" for d in dtypes):
        return False
    return all(p.columns.equals(first.columns) and list(p.dtypes) == dtypes for p in parts[1:])


def concat_in_threads(parts) -> pd.DataFrame:
    """``pd.concat(parts)`` for frames accepted by :func:`can_concat_in_threads`."""
    first = parts[0]
    total = sum(len(p) for p in parts)
    starts = np.cumsum([0] + [len(p) for p in parts])

    def column(j):
        out = np.empty(total, dtype=first.dtypes.iloc[j])
        for p, start, stop in zip(parts, starts[:-1], starts[1:]):
            out[start:stop] = p.iloc[:, j].to_numpy()
        return out

    workers = min(len(first.columns), os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        arrays = list(pool.map(column, range(len(first.columns))))
    index = first.index.append([p.index for p in parts[1:]])
    out = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
    out.columns = first.columns
    return out
