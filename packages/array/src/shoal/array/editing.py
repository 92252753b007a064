"""Growing and shrinking arrays along an axis: ``append``, ``insert`` and ``delete`` (NumPy's semantics)."""

import numpy as np

from .concatenate import concatenate
from .shape import normalize_axis


def append(arr, values, axis=None):
    """``np.append``: ``values`` after ``arr`` (both flattened when ``axis`` is None)."""
    from .io import asarray

    arr, values = asarray(arr), asarray(values)
    if axis is None:
        return concatenate([arr.ravel(), values.ravel()], axis=0)
    return concatenate([arr, values], axis=axis)


def delete(arr, obj, axis=None):
    """``np.delete``: ``arr`` without the entries ``obj`` (int, slice or integer list) along ``axis``."""
    from .io import asarray

    arr = asarray(arr)
    if axis is None:
        arr, axis = arr.ravel(), 0
    axis = normalize_axis(axis, arr.ndim, arr.shape)
    keep = np.delete(np.arange(arr.shape[axis]), obj)
    index = (slice(None),) * axis + (keep,)
    return arr[index]


def insert(arr, obj, values, axis=None):
    """``np.insert``: ``values`` placed before the positions ``obj`` (int, slice or integers) along ``axis``.

    Where every value lands is worked out by ``np.insert`` on the positions alone; the data moves by
    one concatenation and one take along the axis."""
    from .concatenate import concatenate
    from .creation import broadcast_to
    from .io import asarray

    arr = asarray(arr)
    if axis is None:
        arr, axis = arr.ravel(), 0
    axis = normalize_axis(axis, arr.ndim, arr.shape)
    n = arr.shape[axis]
    indices = np.arange(*obj.indices(n)) if isinstance(obj, slice) else np.asarray(obj)
    if indices.dtype.kind not in "iu":
        raise IndexError(f"insert: positions must be integers, got {obj!r} (array shape {arr.shape})")
    values = asarray(values).astype(arr.dtype)
    if values.ndim < arr.ndim:
        values = values.reshape((1,) * (arr.ndim - values.ndim) + values.shape)
    if indices.ndim == 0:
        from .shape import moveaxis

        values = moveaxis(values, 0, axis)  # a single position takes a whole slab of values (NumPy's rule)
        count = values.shape[axis]
        if not -n <= int(indices) <= n:
            raise IndexError(f"insert: index {int(indices)} is out of bounds for axis {axis} of shape {arr.shape}")
    else:
        count = indices.size
    target = tuple(count if d == axis else s for d, s in enumerate(arr.shape))
    try:
        values = broadcast_to(values, target)
    except ValueError:
        raise ValueError(f"insert: values of shape {values.shape} do not fit {count} new entries along axis "
                         f"{axis} of an array of shape {arr.shape}") from None
    placed = np.insert(np.arange(n), indices, -1 - np.arange(count))
    order = np.where(placed >= 0, placed, n - 1 - placed)
    both = concatenate([arr, values], axis=axis)
    return both[(slice(None),) * axis + (order,)]
