"""Cache-friendly evaluation of elementwise operations on blocks with mixed memory layouts.

``x + x.T`` adds a C-ordered block to a transposed view. NumPy then walks one operand against its
memory order; once a block spans more rows than the TLB can map (measured: beyond ~1000 rows of a
wide array), every element costs a cache and TLB miss. Evaluating the operation tile by tile
(512x512 over the last two axes) keeps both operands' working sets small, which measured 1.4-1.7x
faster on 2000x2000 blocks of a 20000x20000 array (and slightly slower on 1000x1000 blocks, so
smaller blocks, and blocks whose operands share a layout, run as a single NumPy call).
"""

import operator

import numpy as np

TILE = 512
MIN_SIDE = 1024

_UFUNC_OF = {
    operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
    operator.truediv: np.true_divide, operator.floordiv: np.floor_divide, operator.mod: np.remainder,
    operator.pow: np.power, operator.and_: np.bitwise_and, operator.or_: np.bitwise_or,
    operator.xor: np.bitwise_xor, operator.eq: np.equal, operator.ne: np.not_equal,
    operator.lt: np.less, operator.le: np.less_equal, operator.gt: np.greater, operator.ge: np.greater_equal,
}


def elementwise_block(op, *args, **kwargs):
    """``op(*args, **kwargs)`` on NumPy blocks, tiled when operands are laid out differently."""
    ufunc = op if isinstance(op, np.ufunc) else _UFUNC_OF.get(op)
    if ufunc is None or ufunc.nout != 1 or kwargs or not _mixed_layout(args):
        return op(*args, **kwargs)
    return _tiled(ufunc, args)


def _fast_axis(a):
    """Which of the last two axes is contiguous in memory (None if broadcast or ambiguous)."""
    s = a.strides[-2:]
    if 0 in s or a.shape[-1] == 1 or a.shape[-2] == 1:
        return None
    return -1 if abs(s[-1]) < abs(s[-2]) else -2


def _mixed_layout(args):
    big = [a for a in args if type(a) is np.ndarray and a.ndim >= 2 and min(a.shape[-2:]) > MIN_SIDE]
    return len({_fast_axis(a) for a in big} - {None}) > 1


def _tiled(ufunc, args):
    shape = np.broadcast_shapes(*[np.shape(a) for a in args])
    rows, cols = shape[-2], shape[-1]
    out = None
    for i in range(0, rows, TILE):
        for j in range(0, cols, TILE):
            tile = (slice(i, i + TILE), slice(j, j + TILE))
            parts = [_cut(a, tile) for a in args]
            if out is None:
                first = ufunc(*parts)
                out = np.empty(shape, dtype=first.dtype)
                out[..., tile[0], tile[1]] = first
            else:
                ufunc(*parts, out=out[..., tile[0], tile[1]])
    return out


def _cut(a, tile):
    """The part of operand ``a`` under ``tile`` (axes of length 1 broadcast and are not cut)."""
    if not isinstance(a, np.ndarray) or a.ndim == 0:
        return a
    index = [slice(None)] * a.ndim
    for k, t in zip((-2, -1), tile):
        if a.ndim >= -k and a.shape[k] != 1:
            index[k] = t
    return a[tuple(index)]
