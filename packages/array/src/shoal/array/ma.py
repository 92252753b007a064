"""``shoal.array.ma``: masked arrays — every block a ``numpy.ma.MaskedArray``.

Build them with ``masked_array``/``masked_where``/``masked_greater``/... (blockwise NumPy calls);
elementwise operations, slicing and the reductions (sum, mean, var, min, ...) then respect the masks,
because NumPy's masked arrays do inside every block and partial results are combined mask-aware.
"""

import functools

import numpy as np

from .elementwise import elemwise


def _as(x):
    from .io import asarray

    return asarray(x)


def masked_array(data, mask=np.ma.nomask, fill_value=None, dtype=None):
    """``np.ma.masked_array`` block by block; ``mask`` may be a shoal or NumPy array of booleans."""
    data = _as(data)
    if dtype is not None:
        data = data.astype(dtype)
    if mask is np.ma.nomask:
        return data.map_blocks(_masked_block, np.ma.nomask, fill_value, dtype=data.dtype)
    return elemwise(functools.partial(_mask_with, fill_value=fill_value), data, mask, dtype=data.dtype)


def _masked_block(block, mask, fill_value):
    return np.ma.masked_array(block, mask=mask, fill_value=fill_value)


def _mask_with(block, mask, fill_value=None):
    return np.ma.masked_array(block, mask=np.broadcast_to(mask, np.shape(block)), fill_value=fill_value)


def masked_where(condition, a):
    """``np.ma.masked_where``: mask ``a`` where ``condition`` holds."""
    return elemwise(np.ma.masked_where, condition, _as(a), dtype=_as(a).dtype)


def _masking(np_func):
    def masker(x, value, **kwargs):
        x = _as(x)
        return x.map_blocks(np_func, value, dtype=x.dtype, **kwargs)

    masker.__name__ = np_func.__name__
    masker.__doc__ = f"``numpy.ma.{np_func.__name__}`` block by block."
    return masker


masked_equal = _masking(np.ma.masked_equal)
masked_not_equal = _masking(np.ma.masked_not_equal)
masked_greater = _masking(np.ma.masked_greater)
masked_greater_equal = _masking(np.ma.masked_greater_equal)
masked_less = _masking(np.ma.masked_less)
masked_less_equal = _masking(np.ma.masked_less_equal)


def masked_inside(x, v1, v2):
    x = _as(x)
    return x.map_blocks(np.ma.masked_inside, v1, v2, dtype=x.dtype)


def masked_outside(x, v1, v2):
    x = _as(x)
    return x.map_blocks(np.ma.masked_outside, v1, v2, dtype=x.dtype)


def masked_values(x, value, rtol=1e-05, atol=1e-08, shrink=True):
    x = _as(x)
    return x.map_blocks(np.ma.masked_values, value, rtol=rtol, atol=atol, shrink=shrink, dtype=x.dtype)


def masked_invalid(a):
    a = _as(a)
    return a.map_blocks(np.ma.masked_invalid, dtype=a.dtype)


def fix_invalid(a, fill_value=None):
    a = _as(a)
    return a.map_blocks(np.ma.fix_invalid, fill_value=fill_value, dtype=a.dtype)


def getdata(a):
    """The data under the mask, as plain NumPy blocks."""
    a = _as(a)
    return a.map_blocks(np.ma.getdata, dtype=a.dtype)


def getmaskarray(a):
    """The mask as a boolean array (all False where a block has no mask)."""
    a = _as(a)
    return a.map_blocks(np.ma.getmaskarray, dtype=bool)


def filled(a, fill_value=None):
    """Plain blocks with masked entries replaced by ``fill_value`` (default: each block's fill value)."""
    a = _as(a)
    return a.map_blocks(np.ma.filled, fill_value, dtype=a.dtype)


def set_fill_value(a, fill_value):
    """A masked array like ``a`` whose blocks have ``fill_value`` (shoal arrays are immutable, so
    unlike NumPy this returns the new array)."""
    a = _as(a)
    np.ma.default_fill_value(np.ones((), a.dtype))  # validates the dtype has masked-array support
    return a.map_blocks(_with_fill_value, fill_value, dtype=a.dtype)


def _with_fill_value(block, fill_value):
    out = np.ma.masked_array(block, copy=True)
    out.set_fill_value(fill_value)
    return out


def count(a, axis=None, keepdims=False, split_every=None):
    """``np.ma.count``: the number of unmasked entries."""
    from .reductions import sum

    return sum(~getmaskarray(a), axis=axis, keepdims=keepdims, split_every=split_every)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """``np.ma.average``: weighted mean of the unmasked entries."""
    from .reductions import sum

    a = _as(a)
    w = ones_like(a) if weights is None else _as(weights)
    if w.shape != a.shape:
        if axis is None or w.ndim != 1:
            raise ValueError(f"ma.average: weights of shape {w.shape} do not match the array of shape {a.shape}")
        shape = [1] * a.ndim
        shape[axis % a.ndim] = w.shape[0]
        w = w.reshape(shape)
    present = masked_array(w * 1.0 + 0 * getdata(a), mask=getmaskarray(a))
    scale = sum(present, axis=axis, keepdims=keepdims)
    avg = sum(a * present, axis=axis, keepdims=keepdims) / scale
    return (avg, scale) if returned else avg


def _like(np_func):
    def make(a, **kwargs):
        a = _as(a)
        dtype = np.dtype(kwargs.pop("dtype", None) or a.dtype)
        return a.map_blocks(_masked_like, np_func, dtype, dtype=dtype)

    make.__name__ = np_func.__name__
    make.__doc__ = f"``numpy.ma.{np_func.__name__}``: masked blocks shaped like ``a``'s."
    return make


def _masked_like(block, np_func, dtype):
    return np.ma.masked_array(np_func(np.ma.getdata(block), dtype=dtype), mask=np.ma.getmaskarray(block))


ones_like = _like(np.ones_like)
zeros_like = _like(np.zeros_like)
empty_like = _like(np.empty_like)
