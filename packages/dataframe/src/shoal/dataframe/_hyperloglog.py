"""HyperLogLog: approximate count of distinct values in one pass with fixed memory.

Values are hashed with pandas' 64-bit hash; the top ``b`` bits pick one of 2**b registers and each
register keeps the longest run of leading zeros seen in the remaining bits.  Registers combine by
elementwise maximum, so the estimate tree-reduces.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._reductions import _Chunks, _flatten_chunks, reduction

B = 16
M = 1 << B


def _registers(part, b=B):
    if isinstance(part, pd.DataFrame):
        hashes = pd.util.hash_pandas_object(part, index=False).to_numpy()
    else:
        hashes = pd.util.hash_pandas_object(pd.Series(np.asarray(part)), index=False).to_numpy()
    m = 1 << b
    buckets = (hashes >> np.uint64(64 - b)).astype(np.int64)
    rest = (hashes << np.uint64(b)) | np.uint64(1 << (b - 1))
    # position of the leftmost 1 bit among the remaining 64-b bits (1-based)
    lz = 64 - np.floor(np.log2(rest.astype(np.float64))).astype(np.int64)
    ranks = np.minimum(lz, 64 - b + 1).astype(np.uint8)
    regs = np.zeros(m, dtype=np.uint8)
    np.maximum.at(regs, buckets, ranks)
    return regs


def _combine(parts):
    return _Chunks([np.maximum.reduce(_flatten_chunks(parts))])


def _estimate(parts, b=B):
    regs = np.maximum.reduce(_flatten_chunks(parts)) if parts else np.zeros(1 << b, np.uint8)
    m = 1 << b
    alpha = 0.7213 / (1 + 1.079 / m)
    estimate = alpha * m * m / np.sum(2.0 ** -regs.astype(np.float64))
    zeros = np.count_nonzero(regs == 0)
    if estimate <= 2.5 * m and zeros:
        estimate = m * np.log(m / zeros)
    return float(estimate)


def nunique_approx(expr, split_every=None):
    return reduction(expr, _registers, _estimate, 1.0, combine=_combine, split_every=split_every)
