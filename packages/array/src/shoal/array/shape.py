"""Axis bookkeeping that moves no data between blocks: transpose, swapaxes, moveaxis, squeeze,
expand_dims, atleast_*d. Each is one Blockwise layer, so it fuses with neighbouring operations."""

import numpy as np

from shoal.base import tokenize

from .blockwise import blockwise
from .core import Array

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def normalize_axis(axis, ndim, shape=None):
    if not -ndim <= axis < max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        where = f"shape {shape}" if shape is not None else f"{ndim} dimensions"
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for an array of {where}")
    return axis % ndim if ndim else 0


def transpose(x, axes=None):
    from .io import asarray

    x = asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    axes = tuple(normalize_axis(a, x.ndim, x.shape) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ValueError(f"axes {axes} are not a permutation of the axes of an array of shape {x.shape}")
    if axes == tuple(range(x.ndim)):
        return x
    ind = _LETTERS[:x.ndim]
    out_ind = "".join(ind[a] for a in axes)
    return blockwise(np.transpose, out_ind, x, ind, axes=axes, dtype=x.dtype,
                     name=f"transpose-{tokenize(x.name, axes)}")


def swapaxes(x, axis1, axis2):
    axes = list(range(x.ndim))
    a, b = normalize_axis(axis1, x.ndim, x.shape), normalize_axis(axis2, x.ndim, x.shape)
    axes[a], axes[b] = axes[b], axes[a]
    return transpose(x, axes)


def moveaxis(x, source, destination):
    from .io import asarray

    x = asarray(x)
    source = [normalize_axis(a, x.ndim, x.shape) for a in np.atleast_1d(source)]
    destination = [normalize_axis(a, x.ndim, x.shape) for a in np.atleast_1d(destination)]
    if len(source) != len(destination):
        raise ValueError("moveaxis: source and destination need the same number of axes")
    order = [a for a in range(x.ndim) if a not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return transpose(x, order)


def rollaxis(x, axis, start=0):
    n = x.ndim
    axis = normalize_axis(axis, n, x.shape)
    start = start % (n + 1) if start < 0 else start
    if axis < start:
        start -= 1
    return moveaxis(x, axis, start) if axis != start else x


def squeeze(x, axis=None):
    if axis is None:
        axis = tuple(i for i, s in enumerate(x.shape) if s == 1)
    elif isinstance(axis, (int, np.integer)):
        axis = (axis,)
    axis = tuple(normalize_axis(a, x.ndim, x.shape) for a in axis)
    for a in axis:
        if x.shape[a] != 1:
            raise ValueError(
                f"cannot squeeze axis {a} of an array of shape {x.shape}: its length is not 1"
            )
    if not axis:
        return x
    index = tuple(0 if i in axis else slice(None) for i in range(x.ndim))
    return x[index]


def expand_dims(x, axis):
    from .io import asarray

    x = asarray(x)
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    out_ndim = x.ndim + len(axis)
    axis = sorted(normalize_axis(a, out_ndim) for a in axis)
    index = []
    rest = iter(range(x.ndim))
    for i in range(out_ndim):
        index.append(None if i in axis else slice(None))
        if i not in axis:
            next(rest)
    return x[tuple(index)]


def atleast_1d(*arys):
    out = [_atleast(a, 1) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = [_atleast(a, 2) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    def three(a):
        a = _atleast(a, 0)
        if a.ndim == 0:
            return a[None, None, None]
        if a.ndim == 1:
            return a[None, :, None]
        if a.ndim == 2:
            return a[:, :, None]
        return a

    out = [three(a) for a in arys]
    return out[0] if len(out) == 1 else out


def _atleast(a, n):
    from .io import asarray

    a = asarray(a)
    while a.ndim < n:
        a = a[None]
    return a


def ndim(x):
    return x.ndim


def shape(x):
    return x.shape


def size(x):
    return x.size


__all__ = ["transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims", "Array"]
