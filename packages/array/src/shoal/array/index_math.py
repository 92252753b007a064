"""Index arithmetic on shoal arrays: ``searchsorted``, ``ravel_multi_index``, ``unravel_index``."""

import functools

import numpy as np

from shoal.base import tokenize

from .core import Array
from .elementwise import elemwise
from shoal.highlevelgraph import HighLevelGraph


def searchsorted(a, v, side="left", sorter=None):
    """``np.searchsorted`` of ``v`` in the sorted 1-d ``a``: per block of ``v``, the positions found
    in every block of ``a`` add up (a block contributes how many of its values come before)."""
    from .io import asarray

    if sorter is not None:
        raise NotImplementedError("searchsorted: sorter= is not supported; sort a first (a[sorter])")
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise ValueError(f"searchsorted needs a 1-d sorted array, got shape {a.shape}")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    name = f"searchsorted-{tokenize(a.name, v.name, side)}"
    blocks_of_a = [(a.name, i) for i in range(a.numblocks[0])]
    layer = {}
    for idx in np.ndindex(*v.numblocks):
        layer[(name,) + idx] = (_search_block, blocks_of_a, (v.name,) + idx, side)
    if not v.ndim:
        layer = {(name,): (_search_block, blocks_of_a, (v.name,), side)}
    return Array(HighLevelGraph.from_collections(name, layer, [a, v]), name, v.chunks, np.dtype(np.intp))


def _search_block(sorted_blocks, values, side):
    out = np.zeros(np.shape(values), dtype=np.intp)
    for block in sorted_blocks:
        out += np.searchsorted(block, values, side=side)
    return out


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """``np.ravel_multi_index``: flat positions of the index arrays ``multi_index`` in ``dims``."""
    return elemwise(functools.partial(_ravel_block, tuple(dims), mode, order), *multi_index, dtype=np.dtype(np.intp))


def _ravel_block(dims, mode, order, *index):
    return np.ravel_multi_index(index, dims, mode=mode, order=order)


def unravel_index(indices, shape, order="C"):
    """``np.unravel_index``: a tuple of index arrays, one per axis of ``shape``."""
    return tuple(elemwise(functools.partial(_unravel_block, tuple(shape), order, axis), indices, dtype=np.dtype(np.intp))
                 for axis in range(len(shape)))


def _unravel_block(shape, order, axis, indices):
    return np.unravel_index(indices, shape, order=order)[axis]
