"""Growing and shrinking arrays along an axis: ``append`` and ``delete`` (NumPy's semantics)."""

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
