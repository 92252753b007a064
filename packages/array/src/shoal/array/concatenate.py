"""Joining arrays: concatenate, stack, block (and hstack/vstack/dstack). Blocks are reused as they
are, after aligning block boundaries on the axes that are not joined."""

import numpy as np

from shoal.base import tokenize

from .blockwise import unify_chunks
from .core import Array
from shoal.highlevelgraph import HighLevelGraph
from .shape import normalize_axis

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _arrays(seq):
    from .io import asarray

    seq = [asarray(a) for a in seq]
    if not seq:
        raise ValueError("need at least one array to concatenate")
    return seq


def concatenate(seq, axis=0, allow_unknown_chunksizes=False):
    """Join arrays along an existing ``axis`` (``None`` flattens them first)."""
    seq = _arrays(seq)
    if axis is None:
        seq = [a.ravel() for a in seq]
        axis = 0
    ndim = seq[0].ndim
    if ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    for a in seq:
        if a.ndim != ndim:
            raise ValueError(
                "all the input arrays must have the same number of dimensions, got shapes "
                + ", ".join(str(x.shape) for x in seq)
            )
    axis = normalize_axis(axis, ndim, seq[0].shape)
    for a in seq:
        for d in range(ndim):
            if d != axis and a.shape[d] != seq[0].shape[d] and a.shape[d] == a.shape[d] and seq[0].shape[d] == seq[0].shape[d]:
                raise ValueError(
                    f"concatenate along axis {axis}: shapes "
                    + ", ".join(str(x.shape) for x in seq)
                    + f" differ on axis {d}"
                )
    dtype = np.result_type(*[a.dtype for a in seq])
    seq = [a.astype(dtype) if a.dtype != dtype else a for a in seq]
    if len(seq) == 1:
        return seq[0]
    ind = _LETTERS[:ndim]
    pairs = []
    for a in seq:
        pairs += [a, ind[:axis] + "_" + ind[axis + 1:]]
    pairs = [p.replace("_", f"{_LETTERS[ndim + i // 2]}") if isinstance(p, str) else p for i, p in enumerate(pairs)]
    _, seq = unify_chunks(*pairs)
    name = f"concatenate-{tokenize(*[a.name for a in seq], axis)}"
    layer = {}
    offset = 0
    for a in seq:
        for key in _all_keys(a):
            idx = list(key[1:])
            idx[axis] += offset
            layer[(name,) + tuple(idx)] = (_identity, key)
        offset += a.numblocks[axis]
    chunks = list(seq[0].chunks)
    chunks[axis] = sum((a.chunks[axis] for a in seq), ())
    return Array(HighLevelGraph.from_collections(name, layer, seq), name, tuple(chunks), dtype)


def _identity(x):
    return x


def _all_keys(a):
    import itertools

    return [(a.name,) + idx for idx in itertools.product(*(range(n) for n in a.numblocks))]


def stack(seq, axis=0, allow_unknown_chunksizes=False):
    """Join arrays of the same shape along a new ``axis``."""
    seq = _arrays(seq)
    shapes = {a.shape for a in seq}
    if len(shapes) > 1:
        raise ValueError("stack needs arrays of the same shape, got " + ", ".join(str(a.shape) for a in seq))
    ndim = seq[0].ndim + 1
    axis = normalize_axis(axis, ndim)
    index = tuple(None if d == axis else slice(None) for d in range(ndim))
    return concatenate([a[index] for a in seq], axis=axis)


def block(arrays, allow_unknown_chunksizes=False):
    """``np.block``: assemble an array from nested lists of blocks (innermost list = last axis)."""
    def depth(x):
        return 1 + depth(x[0]) if isinstance(x, list) else 0

    if not isinstance(arrays, list):
        from .io import asarray

        return asarray(arrays)
    d = depth(arrays)
    leaves = []

    def collect(x):
        if isinstance(x, list):
            for i in x:
                collect(i)
        else:
            leaves.append(x)

    collect(arrays)
    from .io import asarray

    ndim = max(d, max(np.ndim(a) if not hasattr(a, "ndim") else a.ndim for a in leaves))

    def build(x, level):
        if not isinstance(x, list):
            a = asarray(x)
            while a.ndim < ndim:
                a = a[None]
            return a
        parts = [build(i, level + 1) for i in x]
        return concatenate(parts, axis=ndim - d + level)

    return build(arrays, 0)


def hstack(tup):
    arrays = [a for a in _arrays(tup)]
    return concatenate(arrays, axis=0 if arrays[0].ndim == 1 else 1)


def vstack(tup):
    from .shape import atleast_2d

    return concatenate([atleast_2d(a) for a in _arrays(tup)], axis=0)


def dstack(tup):
    from .shape import atleast_3d

    return concatenate([atleast_3d(a) for a in _arrays(tup)], axis=2)
