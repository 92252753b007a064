"""Arrays made from nothing: ones/zeros/full/empty (and *_like), arange, linspace, eye, diag, tri,
indices, meshgrid, fromfunction. Every block is produced by its own small task."""

import itertools
import math
import numbers

import numpy as np

from shoal.base import tokenize

from .chunks import chunk_offsets, normalize_chunks
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _shape_tuple(shape):
    if isinstance(shape, (numbers.Integral, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _block_shapes(chunks):
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        yield idx, tuple(c[i] for c, i in zip(chunks, idx))


class _FilledBlocks(dict):
    """Constant blocks are cheap to recreate: inline them into every consumer."""

    fusible = True
    inline_always = True


def _filled(fill, what, shape, dtype=None, chunks="auto", name=None, fill_value=None, order="C"):
    shape = _shape_tuple(shape)
    if dtype is None:
        dtype = np.result_type(fill_value) if fill_value is not None and what == "full" else float
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    name = name or f"{what}-{tokenize(what, shape, dtype, chunks, fill_value)}"
    layer = _FilledBlocks()
    for idx, bshape in _block_shapes(chunks):
        layer[(name,) + idx] = (fill, bshape, dtype) if fill_value is None else (fill, bshape, fill_value, dtype)
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, dtype)


def ones(shape, dtype=None, chunks="auto", name=None, **kwargs):
    return _filled(np.ones, "ones", shape, dtype, chunks, name)


def zeros(shape, dtype=None, chunks="auto", name=None, **kwargs):
    return _filled(np.zeros, "zeros", shape, dtype, chunks, name)


def empty(shape, dtype=None, chunks="auto", name=None, **kwargs):
    return _filled(np.empty, "empty", shape, dtype, chunks, name)


def full(shape, fill_value, dtype=None, chunks="auto", name=None, **kwargs):
    if np.ndim(fill_value) != 0:
        raise ValueError(f"fill_value must be a scalar, got an array of shape {np.shape(fill_value)}")
    return _filled(np.full, "full", shape, dtype, chunks, name, fill_value=fill_value)


def _like(maker, a, dtype=None, chunks=None, shape=None, **kwargs):
    from .core import Array as _Array

    if shape is None:
        shape = a.shape
    if chunks is None:
        chunks = a.chunks if isinstance(a, _Array) and tuple(shape) == a.shape else "auto"
    return maker(shape, dtype=dtype or np.asarray(a).dtype if not hasattr(a, "dtype") else dtype or a.dtype,
                 chunks=chunks, **kwargs)


def ones_like(a, dtype=None, chunks=None, shape=None, **kwargs):
    return _like(ones, a, dtype, chunks, shape)


def zeros_like(a, dtype=None, chunks=None, shape=None, **kwargs):
    return _like(zeros, a, dtype, chunks, shape)


def empty_like(a, dtype=None, chunks=None, shape=None, **kwargs):
    return _like(empty, a, dtype, chunks, shape)


def full_like(a, fill_value, dtype=None, chunks=None, shape=None, **kwargs):
    return _like(full, a, dtype, chunks, shape, fill_value=fill_value)


def arange(*args, chunks="auto", dtype=None, like=None, name=None, **kwargs):
    """``np.arange(start, stop, step)`` in blocks; each block computes its own slice of the range."""
    if "start" in kwargs or "stop" in kwargs or "step" in kwargs:
        args = (kwargs.pop("start", 0), kwargs.pop("stop"), kwargs.pop("step", 1))
    if len(args) == 1:
        start, stop, step = 0, args[0], 1
    elif len(args) == 2:
        start, stop, step = args[0], args[1], 1
    elif len(args) == 3:
        start, stop, step = args
    else:
        raise TypeError(f"arange takes 1 to 3 positional arguments, got {len(args)}")
    if step == 0:
        raise ValueError("arange: step must not be zero")
    n = max(int(math.ceil((stop - start) / step)), 0)
    if dtype is None:
        dtype = np.arange(start, stop if n else start, step).dtype if n else np.result_type(start, stop, step)
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, (n,), dtype=dtype)
    name = name or f"arange-{tokenize(start, stop, step, dtype, chunks)}"
    offsets = chunk_offsets(chunks[0])
    layer = {
        (name, i): (_arange_block, start, step, offsets[i], offsets[i + 1], dtype)
        for i in range(len(chunks[0]))
    }
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, dtype)


def _arange_block(start, step, i0, i1, dtype):
    return (start + np.arange(i0, i1) * step).astype(dtype) if i1 > i0 else np.empty(0, dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, chunks="auto", dtype=None, name=None):
    """``np.linspace`` in blocks (each block evaluates its positions exactly as NumPy does)."""
    num = int(num)
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else float("nan")
    if dtype is None:
        dtype = np.linspace(start, stop, 2 if num else 0).dtype if num else np.dtype(float)
    dtype = np.dtype(dtype)
    chunks = normalize_chunks(chunks, (num,), dtype=dtype)
    name = name or f"linspace-{tokenize(start, stop, num, endpoint, dtype, chunks)}"
    offsets = chunk_offsets(chunks[0])
    layer = {
        (name, i): (_linspace_block, start, stop, num, endpoint, offsets[i], offsets[i + 1], dtype)
        for i in range(len(chunks[0]))
    }
    out = Array(HighLevelGraph.from_collections(name, layer), name, chunks, dtype)
    return (out, step) if retstep else out


def _linspace_block(start, stop, num, endpoint, i0, i1, dtype):
    return np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype)[i0:i1]


def eye(N, chunks="auto", M=None, k=0, dtype=float, name=None):
    """The identity-like matrix with ones on diagonal ``k``; off-diagonal blocks are plain zeros."""
    M = N if M is None else M
    dtype = np.dtype(dtype)
    if isinstance(chunks, (int, np.integer)) or chunks == "auto":
        chunks = normalize_chunks(chunks, (N, M), dtype=dtype)
        size = max(chunks[0][0], 1) if chunks[0] else 1
        chunks = normalize_chunks((size, size), (N, M), dtype=dtype)
    else:
        chunks = normalize_chunks(chunks, (N, M), dtype=dtype)
    name = name or f"eye-{tokenize(N, M, k, dtype, chunks)}"
    ro, co = chunk_offsets(chunks[0]), chunk_offsets(chunks[1])
    layer = {}
    for (i, j), (r, c) in _block_shapes(chunks):
        layer[(name, i, j)] = (_eye_block, r, c, k + ro[i] - co[j], dtype)
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, dtype)


def _eye_block(rows, cols, k, dtype):
    return np.eye(rows, cols, k=k, dtype=dtype)


def identity(n, chunks="auto", dtype=float):
    return eye(n, chunks=chunks, dtype=dtype)


def tri(N, M=None, k=0, dtype=float, chunks="auto"):
    M = N if M is None else M
    return fromfunction(lambda i, j: j <= i + k, (N, M), chunks=chunks, dtype=bool).astype(dtype)


def fromfunction(func, shape, chunks="auto", dtype=float, **kwargs):
    """``np.fromfunction``: ``func`` gets the coordinate arrays of each block."""
    shape = _shape_tuple(shape)
    chunks = normalize_chunks(chunks, shape, dtype=dtype)
    name = f"fromfunction-{tokenize(func, shape, chunks, dtype, kwargs)}"
    offsets = [chunk_offsets(c) for c in chunks]
    layer = {}
    for idx, bshape in _block_shapes(chunks):
        starts = tuple(offsets[d][i] for d, i in enumerate(idx))
        layer[(name,) + idx] = (_fromfunction_block, func, starts, bshape, dtype, kwargs)
    sample = np.asarray(func(*[np.zeros((1,) * len(shape), dtype=dtype)] * len(shape), **kwargs))
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, sample.dtype)


def _fromfunction_block(func, starts, shape, dtype, kwargs):
    coords = np.indices(shape, dtype=dtype)
    return np.asarray(func(*[c + s for c, s in zip(coords, starts)], **kwargs))


def indices(dimensions, dtype=int, chunks="auto"):
    """``np.indices`` with the leading (coordinate) axis in one block."""
    from .concatenate import stack

    dimensions = _shape_tuple(dimensions)
    chunks = normalize_chunks(chunks, dimensions, dtype=dtype)
    grids = []
    for d in range(len(dimensions)):
        r = arange(dimensions[d], chunks=(chunks[d],), dtype=dtype)
        shape = [1] * len(dimensions)
        shape[d] = dimensions[d]
        grids.append(broadcast_to(r.reshape(shape), dimensions, chunks=chunks))
    if not grids:
        return empty((0,), dtype=dtype, chunks=1)
    return stack(grids)


def broadcast_to(x, shape, chunks=None):
    """``np.broadcast_to``: a read-only view-like array of ``shape``; new axes get ``chunks``."""
    from .elementwise import broadcast_shapes
    from .io import asarray

    x = asarray(x)
    shape = _shape_tuple(shape)
    if broadcast_shapes(x.shape, shape) != shape:
        raise ValueError(f"cannot broadcast an array of shape {x.shape} to shape {shape}")
    nnew = len(shape) - x.ndim
    if chunks is None:
        chunks = tuple((s,) for s in shape[:nnew]) + tuple(
            c if x.shape[i] == shape[nnew + i] else (shape[nnew + i],) for i, c in enumerate(x.chunks))
    chunks = normalize_chunks(chunks, shape, dtype=x.dtype)
    if any(x.shape[i] != 1 and chunks[nnew + i] != x.chunks[i] for i in range(x.ndim)):
        x = x.rechunk(tuple(chunks[nnew + i] if x.shape[i] != 1 else x.chunks[i] for i in range(x.ndim)))
    name = f"broadcast-to-{tokenize(x.name, shape, chunks)}"
    layer = {}
    for idx, bshape in _block_shapes(chunks):
        src = tuple(0 if x.shape[i] == 1 else idx[nnew + i] for i in range(x.ndim))
        layer[(name,) + idx] = (np.broadcast_to, (x.name,) + src, bshape)
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, chunks, x.dtype)


def meshgrid(*xi, indexing="xy", sparse=False):
    from .io import asarray

    xi = [asarray(x).ravel() for x in xi]
    shape = [x.shape[0] for x in xi]
    if indexing == "xy" and len(xi) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xi):
        s = [1] * len(xi)
        axis = i
        if indexing == "xy" and len(xi) > 1 and i < 2:
            axis = 1 - i
        s[axis] = x.shape[0]
        r = x.reshape(s)
        out.append(r if sparse else broadcast_to(r, shape))
    return out


def diag(v, k=0):
    """``np.diag``: the diagonal of a 2-d array, or a 2-d array with ``v`` on its diagonal."""
    from .io import asarray

    v = asarray(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ValueError(f"diag needs a 1-d or 2-d array, got shape {v.shape}")
    n = v.shape[0] + abs(k)
    chunks = (v.chunks[0],) * 2
    if k != 0:
        return _diag_dense(v, k, n)
    name = f"diag-{tokenize(v.name, k)}"
    layer = {}
    for i, ci in enumerate(chunks[0]):
        for j, cj in enumerate(chunks[1]):
            layer[(name, i, j)] = (np.diag, (v.name, i)) if i == j else (np.zeros, (ci, cj), v.dtype)
    return Array(HighLevelGraph.from_collections(name, layer, [v]), name, chunks, v.dtype)


def _diag_dense(v, k, n):
    return v.rechunk(-1).map_blocks(np.diag, k, chunks=((n,), (n,)), new_axis=1, dtype=v.dtype)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """``np.diagonal`` of the last two chosen axes (result axis last, as in NumPy)."""
    from .io import asarray

    a = asarray(a)
    axis1, axis2 = axis1 % a.ndim, axis2 % a.ndim
    other = [d for d in range(a.ndim) if d not in (axis1, axis2)]
    a = a.transpose(other + [axis1, axis2]).rechunk({a.ndim - 2: -1, a.ndim - 1: -1})
    n1, n2 = a.shape[-2:]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    return a.map_blocks(np.diagonal, offset, -2, -1, dtype=a.dtype, drop_axis=[a.ndim - 1],
                        chunks=a.chunks[:-2] + ((length,),))


def broadcast_arrays(*args, subok=False):
    """``np.broadcast_arrays``: every argument broadcast to their common shape."""
    from .elementwise import broadcast_shapes
    from .io import asarray

    arrays = [asarray(a) for a in args]
    shape = broadcast_shapes(*[a.shape for a in arrays])
    return [broadcast_to(a, shape) for a in arrays]


def tril_indices(n, k=0, m=None, chunks="auto"):
    """``np.tril_indices``: row and column indices of the lower triangle of an (n, m) array."""
    from .io import from_array

    return tuple(from_array(i, chunks=chunks) for i in np.tril_indices(n, k, m))


def triu_indices(n, k=0, m=None, chunks="auto"):
    """``np.triu_indices``: row and column indices of the upper triangle of an (n, m) array."""
    from .io import from_array

    return tuple(from_array(i, chunks=chunks) for i in np.triu_indices(n, k, m))
