"""``coarsen``: reduce fixed-size neighbourhoods, e.g. ``coarsen(np.mean, x, {0: 2, 1: 2})`` averages
every 2x2 square (image downsampling, aggregation of climate grids to coarser resolutions)."""

import numpy as np

from .shape import normalize_axis


def coarsen(reduction, x, axes, trim_excess=False, **kwargs):
    """Apply ``reduction`` (e.g. ``np.sum``) to non-overlapping windows of ``axes[axis]`` cells per axis.

    Blocks are first aligned to whole windows; with ``trim_excess`` the cells left over at the end
    of an axis are dropped, otherwise every axis length must be a multiple of its window."""
    from .io import asarray

    x = asarray(x)
    factors = {normalize_axis(a, x.ndim, x.shape): int(f) for a, f in axes.items()}
    for a, f in factors.items():
        if f < 1:
            raise ValueError(f"coarsen: window {f} along axis {a} must be positive")
        excess = x.shape[a] % f
        if excess and not trim_excess:
            raise ValueError(f"coarsen: axis {a} of an array of shape {x.shape} is not a multiple of the window "
                             f"{f}; pass trim_excess=True to drop the last {excess} cells")
        if excess:
            x = x[(slice(None),) * a + (slice(0, x.shape[a] - excess),)]
    x = x.rechunk({a: _whole_windows(x.chunks[a], f) for a, f in factors.items()})
    chunks = tuple(tuple(c // factors[a] for c in cs) if a in factors else cs for a, cs in enumerate(x.chunks))
    sample = reduction(np.ones((1, 1), x.dtype), axis=(1,), **kwargs)
    return x.map_blocks(_coarsen_block, reduction, factors, kwargs, chunks=chunks, dtype=sample.dtype)


def _whole_windows(chunks, factor):
    """Block sizes close to the current ones, each a multiple of ``factor``."""
    typical = max(chunks) if chunks else factor
    size = max(factor, typical // factor * factor)
    total = sum(chunks)
    return (size,) * (total // size) + ((total % size,) if total % size else ())


def _coarsen_block(block, reduction, factors, kwargs):
    shape, window_axes = [], []
    for a, n in enumerate(block.shape):
        if a in factors:
            shape += [n // factors[a], factors[a]]
            window_axes.append(len(shape) - 1)
        else:
            shape.append(n)
    return reduction(block.reshape(shape), axis=tuple(window_axes), **kwargs)
