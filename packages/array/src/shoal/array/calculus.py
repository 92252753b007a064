"""Discrete calculus: ``gradient`` (NumPy's second-order central differences, one-sided at the
edges) and ``ediff1d``. ``diff`` lives with the other routines."""

import numpy as np

from .shape import normalize_axis


def gradient(f, *varargs, axis=None, edge_order=1):
    """``np.gradient``: each block sees ``edge_order`` neighbouring cells (ghost cells), so interior
    points use central differences and only the array's own edges are one-sided. Spacings are
    scalars or, per axis, 1-d coordinate arrays (as in NumPy)."""
    from .io import asarray

    f = asarray(f)
    axes = list(range(f.ndim)) if axis is None else [normalize_axis(a, f.ndim, f.shape) for a in np.atleast_1d(axis)]
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order!r}")
    spacing = _spacings(varargs, axes, f.shape)
    for a in axes:
        if f.shape[a] < edge_order + 1:
            raise ValueError(f"gradient: axis {a} of an array of shape {f.shape} needs at least "
                             f"{edge_order + 1} elements for edge_order={edge_order}")
    out = [_along(f, a, h, edge_order) for a, h in zip(axes, spacing)]
    return out[0] if len(out) == 1 else out


def _spacings(varargs, axes, shape):
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        return [varargs[0]] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError(f"gradient: {len(varargs)} spacings given for {len(axes)} axes (array shape {shape})")
    out = []
    for a, h in zip(axes, varargs):
        if np.ndim(h) == 0:
            out.append(h)
            continue
        h = np.asarray(h)
        if h.ndim != 1 or len(h) != shape[a]:
            raise ValueError(f"gradient: coordinates of shape {h.shape} do not match axis {a} of the array "
                             f"of shape {shape}")
        out.append(h)
    return out


def _along(f, axis, spacing, edge_order):
    """The gradient along one axis: NumPy's on every block widened by ghost cells, then trimmed."""
    from .chunks import chunk_offsets
    from .overlap import _fit_depth, overlap, trim_internal

    f = _fit_depth(f, {axis: edge_order})
    wide = overlap(f, {axis: edge_order}, boundary="none")
    pieces = {}
    if np.ndim(spacing):
        offsets, last = chunk_offsets(f.chunks[axis]), len(f.chunks[axis]) - 1
        for i in range(last + 1):
            lo = offsets[i] - (edge_order if i > 0 else 0)
            hi = offsets[i + 1] + (edge_order if i < last else 0)
            pieces[i] = spacing[lo:hi]  # the coordinates under the widened block
    dtype = np.gradient(np.ones((3,), f.dtype)).dtype
    out = wide.map_blocks(_block_gradient, axis, spacing if not pieces else None, pieces, edge_order, dtype=dtype)
    return trim_internal(out, {axis: edge_order}, boundary="none")


def _block_gradient(block, axis, spacing, pieces, edge_order, block_id=None):
    h = pieces[block_id[axis]] if pieces else spacing
    return np.gradient(block, h, axis=axis, edge_order=edge_order)


def ediff1d(ary, to_end=None, to_begin=None):
    """``np.ediff1d``: differences of consecutive elements of the flattened array, with optional ends."""
    from .concatenate import concatenate
    from .io import asarray

    flat = asarray(ary).ravel()
    diffs = flat[1:] - flat[:-1]
    parts = [asarray(np.ravel(to_begin)).astype(diffs.dtype)] if to_begin is not None else []
    parts.append(diffs)
    if to_end is not None:
        parts.append(asarray(np.ravel(to_end)).astype(diffs.dtype))
    return concatenate(parts, axis=0) if len(parts) > 1 else diffs
