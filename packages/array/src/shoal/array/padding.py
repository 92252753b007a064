"""``pad``: NumPy's ``np.pad`` for every mode — constant, edge, linear_ramp, maximum, mean, median,
minimum, reflect, symmetric, wrap, empty and a callable.

Axes are padded one after another (as NumPy does). The padding of an axis becomes new blocks at its
two ends: filled blocks, statistics of the edge region broadcast to the pad width, or rows picked
from the array by an index map (mirror and wrap modes, any width).
"""

import numpy as np

_MODES = ("constant", "edge", "linear_ramp", "maximum", "mean", "median", "minimum", "reflect", "symmetric",
          "wrap", "empty")


def pad(array, pad_width, mode="constant", **kwargs):
    """``np.pad(array, pad_width, mode, **kwargs)`` on a shoal array."""
    from .io import asarray

    x = asarray(array)
    widths = _per_axis(pad_width, x.ndim, "pad_width", int)
    if (widths < 0).any():
        raise ValueError(f"pad_width {pad_width!r} has negative values (array shape {x.shape})")
    if callable(mode):
        return _pad_with_function(x, widths, mode, kwargs)
    if mode not in _MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; expected one of {', '.join(_MODES)} or a function")
    for ax in range(x.ndim):
        before, after = (int(w) for w in widths[ax])
        if not before and not after:
            continue
        if x.shape[ax] == 0 and mode not in ("constant", "empty"):
            raise ValueError(f"pad: can't extend empty axis {ax} of an array of shape {x.shape} with mode {mode!r}")
        sides = [_side(x, ax, w, side, mode, kwargs) if w else None for side, w in (("before", before), ("after", after))]
        x = _join([sides[0], x, sides[1]], ax)
    return x


def _per_axis(value, ndim, what, dtype):
    """``value`` broadcast to one (before, after) pair per axis, as np.pad reads its arguments."""
    try:
        return np.broadcast_to(np.asarray(value, dtype=dtype), (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: {what}={value!r} cannot be broadcast to {ndim} (before, after) pairs") from None


def _join(parts, ax):
    from .concatenate import concatenate

    parts = [p for p in parts if p is not None]
    return concatenate(parts, axis=ax) if len(parts) > 1 else parts[0]


def _cut(x, ax, index):
    return x[(slice(None),) * ax + (index,)]


def _shape_with(x, ax, width):
    return tuple(width if d == ax else s for d, s in enumerate(x.shape))


def _chunks_with(x, ax, width):
    return tuple((width,) if d == ax else c for d, c in enumerate(x.chunks))


def _side(x, ax, width, side, mode, kwargs):
    from .creation import empty, full

    at = 0 if side == "before" else 1
    n = x.shape[ax]
    if mode == "constant":
        value = _per_axis(kwargs.get("constant_values", 0), x.ndim, "constant_values", None)[ax][at]
        return full(_shape_with(x, ax, width), value, dtype=x.dtype, chunks=_chunks_with(x, ax, width))
    if mode == "empty":
        return empty(_shape_with(x, ax, width), dtype=x.dtype, chunks=_chunks_with(x, ax, width))
    if mode == "edge":
        return _spread(_cut(x, ax, slice(0, 1) if at == 0 else slice(n - 1, n)), ax, width)
    if mode == "linear_ramp":
        return _ramp(x, ax, width, at, kwargs.get("end_values", 0))
    if mode in ("maximum", "mean", "median", "minimum"):
        return _statistic(x, ax, width, at, mode, kwargs.get("stat_length"))
    return _mirror(x, ax, width, at, mode, kwargs.get("reflect_type", "even"))


def _spread(edge, ax, width):
    """A length-1 slab along ``ax`` repeated ``width`` times, as one block along that axis."""
    from .creation import broadcast_to

    return broadcast_to(edge, _shape_with(edge, ax, width), chunks=_chunks_with(edge, ax, width))


def _ramp(x, ax, width, at, end_values):
    """np.linspace(end value, edge value, width, endpoint=False) along ``ax`` (reversed after)."""
    from .creation import arange

    end = _per_axis(end_values, x.ndim, "end_values", None)[ax][at]
    n = x.shape[ax]
    edge = _cut(x, ax, slice(0, 1) if at == 0 else slice(n - 1, n))
    steps = arange(width, chunks=width) if at == 0 else arange(width - 1, -1, -1, chunks=width)
    steps = steps.reshape(tuple(width if d == ax else 1 for d in range(x.ndim)))
    delta = edge - end
    # np.linspace rounds differently when any step is zero; follow it so integer results agree exactly
    from .elementwise import where

    ramp = where((delta == 0).any(), (steps / width) * delta, steps * (delta / width)) + end
    if x.dtype.kind in "iu":
        ramp = np.floor(ramp)  # as np.linspace does for integer dtypes
    return ramp.astype(x.dtype)


def _statistic(x, ax, width, at, mode, stat_length):
    from . import reductions
    from .routines import median

    n = x.shape[ax]
    length = n if stat_length is None else int(_per_axis(stat_length, x.ndim, "stat_length", int)[ax][at])
    if length <= 0 and n:
        raise ValueError(f"pad: stat_length must be positive for mode {mode!r} (array shape {x.shape})")
    length = min(length, n)
    region = _cut(x, ax, slice(0, length) if at == 0 else slice(n - length, n))
    func = {"maximum": reductions.max, "minimum": reductions.min, "mean": reductions.mean, "median": median}[mode]
    stat = func(region, axis=ax, keepdims=True)
    if x.dtype.kind in "biu" and mode in ("mean", "median"):
        stat = stat.round()  # NumPy rounds statistics to the nearest integer for integer arrays
    return _spread(stat.astype(x.dtype), ax, width)


def _mirror(x, ax, width, at, mode, reflect_type):
    """Rows picked by the periodic index map of the mode (any width, even several periods)."""
    n = x.shape[ax]
    positions = np.arange(-width, 0) if at == 0 else np.arange(n, n + width)
    if mode == "wrap":
        index = positions % n
    elif mode == "reflect" and n == 1:
        index = np.zeros(width, dtype=int)
    elif mode == "reflect":  # ... 2 1 | 0 1 2 3 | 2 1 0 1 ...
        i = positions % (2 * n - 2)
        index = np.where(i < n, i, 2 * n - 2 - i)
    else:  # symmetric: ... 1 0 | 0 1 2 3 | 3 2 ...
        i = positions % (2 * n)
        index = np.where(i < n, i, 2 * n - 1 - i)
    picked = _cut(x, ax, index)
    if reflect_type == "odd" and mode in ("reflect", "symmetric"):
        if width > n - (mode == "reflect"):
            raise NotImplementedError(
                f"pad: reflect_type='odd' wider than axis {ax} of an array of shape {x.shape} is not supported"
            )
        edge = _cut(x, ax, slice(0, 1) if at == 0 else slice(n - 1, n))
        picked = (2 * edge - picked).astype(x.dtype)
    return picked


def _pad_with_function(x, widths, func, kwargs):
    """A callable mode: zero padding, then ``func(vector, (before, after), axis, kwargs)`` on every
    1-d line along each axis in turn, with that axis in one block."""
    from .creation import zeros

    for ax in range(x.ndim):
        before, after = (int(w) for w in widths[ax])
        sides = [zeros(_shape_with(x, ax, w), dtype=x.dtype, chunks=_chunks_with(x, ax, w)) if w else None
                 for w in (before, after)]
        x = _join([sides[0], x, sides[1]], ax)
    for ax in range(x.ndim):
        x = x.rechunk({ax: -1}).map_blocks(_apply_along_lines, func, tuple(int(w) for w in widths[ax]), ax,
                                           kwargs, dtype=x.dtype)
    return x


def _apply_along_lines(block, func, width, ax, kwargs):
    out = np.array(block, copy=True)
    moved = np.moveaxis(out, ax, -1)
    for line in np.ndindex(moved.shape[:-1]):
        func(moved[line], width, ax, kwargs)
    return out
