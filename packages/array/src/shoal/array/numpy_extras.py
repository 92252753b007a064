"""Smaller NumPy routines Dask users reach for: ``take_along_axis``, ``apply_over_axes``, ``union1d``,
``tril_indices_from``/``triu_indices_from``, ``isneginf``/``isposinf``, ``isnull``/``notnull`` and
``frompyfunc``."""

import numpy as np

from .shape import normalize_axis

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _as(x):
    from .io import asarray

    return asarray(x)


def take_along_axis(arr, indices, axis):
    """``np.take_along_axis``: ``axis`` of ``arr`` is made one block; ``indices`` keep their blocks
    along it and are matched with ``arr``'s blocks on the other axes (broadcasting as NumPy does)."""
    from .blockwise import blockwise

    arr, indices = _as(arr), _as(indices)
    if arr.ndim != indices.ndim:
        raise ValueError(f"take_along_axis: indices of shape {indices.shape} need as many axes as the array "
                         f"of shape {arr.shape}")
    axis = normalize_axis(axis, arr.ndim, arr.shape)
    arr = arr.rechunk({axis: -1})
    ind = _LETTERS[:arr.ndim]
    source = ind[:axis] + "z" + ind[axis + 1:]
    return blockwise(_take_along, ind, arr, source, indices, ind, axis=axis, dtype=arr.dtype, concatenate=True)


def _take_along(block, indices, axis):
    return np.take_along_axis(block, indices, axis)


def apply_over_axes(func, a, axes):
    """``np.apply_over_axes``: ``func(a, axis)`` for each axis in turn, keeping the number of axes."""
    from .shape import expand_dims

    a = _as(a)
    for axis in np.atleast_1d(axes).tolist():
        axis = normalize_axis(axis, a.ndim, a.shape)
        result = _as(func(a, axis))
        if result.ndim == a.ndim - 1:
            result = expand_dims(result, axis)
        elif result.ndim != a.ndim:
            raise ValueError(f"apply_over_axes: func turned an array of shape {a.shape} into one of shape "
                             f"{result.shape}; it must keep or drop exactly the given axis")
        a = result
    return a


def union1d(ar1, ar2):
    """``np.union1d``: the sorted unique values of both arrays."""
    from .concatenate import concatenate
    from .routines import unique

    return unique(concatenate([_as(ar1).ravel(), _as(ar2).ravel()]))


def tril_indices_from(arr, k=0):
    from .creation import tril_indices

    n, m = _sides(arr, "tril_indices_from")
    return tril_indices(n, k=k, m=m)


def triu_indices_from(arr, k=0):
    from .creation import triu_indices

    n, m = _sides(arr, "triu_indices_from")
    return triu_indices(n, k=k, m=m)


def _sides(arr, what):
    shape = tuple(arr.shape) if hasattr(arr, "shape") else np.shape(arr)
    if len(shape) != 2:
        raise ValueError(f"{what} needs a 2-d array, got shape {shape}")
    return shape


def isneginf(x):
    from .elementwise import elemwise

    return elemwise(np.isneginf, x, dtype=bool)


def isposinf(x):
    from .elementwise import elemwise

    return elemwise(np.isposinf, x, dtype=bool)


def isnull(values):
    """Missing values as pandas sees them: NaN, NaT and None."""
    from .elementwise import elemwise

    return elemwise(_isnull, values, dtype=bool)


def notnull(values):
    from .elementwise import elemwise

    return ~elemwise(_isnull, values, dtype=bool)


def _isnull(block):
    block = np.asarray(block)
    if block.dtype.kind in "fc":
        return np.isnan(block)
    if block.dtype.kind in "mM":
        return np.isnat(block)
    if block.dtype.kind == "O":
        return np.frompyfunc(lambda v: v is None or v != v, 1, 1)(block).astype(bool)
    return np.zeros(block.shape, dtype=bool)


class frompyfunc:
    """``np.frompyfunc`` applied elementwise to shoal arrays (object dtype results, as in NumPy)."""

    def __init__(self, func, nin, nout):
        self._ufunc = np.frompyfunc(func, nin, nout)
        self.nin, self.nout = nin, nout
        self.__name__ = getattr(func, "__name__", "frompyfunc")

    def __call__(self, *args):
        from .elementwise import elemwise

        if len(args) != self.nin:
            raise TypeError(f"{self.__name__} takes {self.nin} arguments, got {len(args)}")
        if self.nout == 1:
            return elemwise(self._ufunc, *args, dtype=object)
        return tuple(elemwise(_nth, self._ufunc, i, *args, dtype=object) for i in range(self.nout))

    def __repr__(self):
        return f"<shoal frompyfunc {self.__name__} nin={self.nin} nout={self.nout}>"


def _nth(ufunc, i, *args):
    return ufunc(*args)[i]
