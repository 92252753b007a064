"""Cumulative reductions along an axis: cumsum, cumprod, nancumsum, nancumprod.

Each block is scanned on its own; then block k is corrected by the running total carried from
blocks 0..k-1 (a sequential chain of small 'carry' tasks, one per block along the axis)."""

import itertools

import numpy as np

from shoal.base import tokenize

from .core import Array
from shoal.highlevelgraph import HighLevelGraph
from .shape import normalize_axis


def _cumulative(scan, binop, what):
    def func(x, axis=None, dtype=None, out=None, method="sequential"):
        from .io import asarray

        x = asarray(x)
        if axis is None:
            x = x.ravel()
            axis = 0
        axis = normalize_axis(axis, x.ndim, x.shape)
        if dtype is None:
            dtype = scan(np.ones((1,), x.dtype)).dtype
        dtype = np.dtype(dtype)
        scanned = x.map_blocks(scan, axis=axis, dtype=dtype)
        token = tokenize(x.name, axis, dtype, what)
        name, carry = f"{what}-{token}", f"{what}-carry-{token}"
        layer = {}
        for idx in itertools.product(*(range(n) for n in x.numblocks)):
            k = idx[axis]
            if k == 0:
                layer[(name,) + idx] = (_same, (scanned.name,) + idx)
                continue
            prev = idx[:axis] + (k - 1,) + idx[axis + 1:]
            last = (_last, (scanned.name,) + prev, axis)
            layer[(carry,) + idx] = last if k == 1 else (binop, (carry,) + prev, last)
            layer[(name,) + idx] = (binop, (scanned.name,) + idx, (carry,) + idx)
        return Array(HighLevelGraph.from_collections(name, layer, [scanned]), name, x.chunks, dtype)

    func.__name__ = what
    func.__doc__ = f"``numpy.{what}`` along ``axis`` (flattened when axis is None)."
    return func


def _same(block):
    return block


def _last(block, axis):
    index = [slice(None)] * block.ndim
    index[axis] = slice(-1, None)
    return block[tuple(index)] if block.shape[axis] else np.zeros_like(block[tuple(index)])


cumsum = _cumulative(np.cumsum, np.add, "cumsum")
cumprod = _cumulative(np.cumprod, np.multiply, "cumprod")
nancumsum = _cumulative(np.nancumsum, np.add, "nancumsum")
nancumprod = _cumulative(np.nancumprod, np.multiply, "nancumprod")
