"""Other NumPy routines on chunked arrays: topk/argtopk, histogram, (approximate) percentile,
quantile, median, unique, bincount, digitize, isin, apply_along_axis, nonzero/argwhere, repeat,
tile, trace, diff, roll, flip, tril/triu, take, compress, cov/corrcoef, pad."""

import functools
import itertools
import math

import numpy as np

from shoal.base import tokenize

from .chunks import chunk_offsets, is_unknown, unknown_chunks_message
from .core import Array
from shoal.highlevelgraph import HighLevelGraph
from .reductions import reduction
from .shape import normalize_axis


# histogram's ``range=`` argument shadows the builtin inside that function
range_ = range


def _as(x):
    from .io import asarray

    return asarray(x)


# -- topk ----------------------------------------------------------------------------------------

def _topk_chunk(block, axis, keepdims, k):
    (ax,) = axis
    n = block.shape[ax]
    if abs(k) >= n:
        return block
    kth = n - k if k > 0 else -k - 1
    part = np.partition(block, kth, axis=ax)
    index = [slice(None)] * block.ndim
    index[ax] = slice(n - k, None) if k > 0 else slice(0, -k)
    return part[tuple(index)]


def _topk_agg(block, axis, keepdims, k):
    (ax,) = axis
    top = _topk_chunk(block, axis, keepdims, k)
    order = np.sort(top, axis=ax)
    return np.flip(order, axis=ax) if k > 0 else order


def topk(a, k, axis=-1, split_every=None):
    """The ``k`` largest values along ``axis``, largest first (``k < 0``: the smallest, smallest first)."""
    a = _as(a)
    axis = normalize_axis(axis, a.ndim, a.shape)
    if abs(k) > a.shape[axis]:
        raise ValueError(f"topk: k={k} is larger than axis {axis} of the array of shape {a.shape}")
    chunk = functools.partial(_topk_chunk, k=k)
    agg = functools.partial(_topk_agg, k=k)
    return reduction(a, chunk, agg, combine=chunk, axis=axis, keepdims=True, dtype=a.dtype,
                     split_every=split_every, output_size=abs(k), name="topk")


def _argtopk_prepare(block, offset, axis):
    idx = np.arange(block.shape[axis]) + offset
    shape = [1] * block.ndim
    shape[axis] = block.shape[axis]
    return {"vals": block, "idx": np.broadcast_to(idx.reshape(shape), block.shape)}


def _argtopk_chunk(parts, axis, keepdims, k, final=False):
    (ax,) = axis
    vals, idx = parts["vals"], parts["idx"]
    order = np.argsort(vals, axis=ax, kind="stable")
    n = vals.shape[ax]
    take = order[tuple(slice(None) if d != ax else (slice(max(n - k, 0), None) if k > 0 else slice(0, -k))
                       for d in range(vals.ndim))]
    if final and k > 0:
        take = np.flip(take, axis=ax)
    out = {"vals": np.take_along_axis(vals, take, ax), "idx": np.take_along_axis(idx, take, ax)}
    return out["idx"] if final else out


def argtopk(a, k, axis=-1, split_every=None):
    """Indices of the ``k`` largest values along ``axis`` (``k < 0``: of the smallest)."""
    a = _as(a)
    axis = normalize_axis(axis, a.ndim, a.shape)
    offsets = chunk_offsets(a.chunks[axis])
    name = f"argtopk-prepare-{tokenize(a.name, axis)}"
    layer = {(name,) + idx: (_argtopk_prepare, (a.name,) + idx, offsets[idx[axis]], axis)
             for idx in itertools.product(*(range(n) for n in a.numblocks))}
    prepared = Array(HighLevelGraph.from_collections(name, layer, [a]), name, a.chunks, a.dtype)
    chunk = functools.partial(_argtopk_chunk, k=k)
    agg = functools.partial(_argtopk_chunk, k=k, final=True)
    return reduction(prepared, _pass, agg, combine=chunk, axis=axis, keepdims=True, dtype=np.dtype(np.intp),
                     split_every=split_every, output_size=abs(k), name="argtopk")


def _pass(block, axis, keepdims):
    return block


# -- histogram -----------------------------------------------------------------------------------

def _hist_block(block, edges, weights=None):
    return np.histogram(block, bins=edges, weights=weights)[0][np.newaxis]


def _edges_from(lo, hi, bins):
    lo, hi = float(lo), float(hi)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, bins + 1)


def histogram(a, bins=10, range=None, normed=False, weights=None, density=False):
    """``np.histogram``: ``(counts, bin_edges)`` as shoal arrays. Integer ``bins`` without ``range``
    take the range from the data (one extra min/max pass)."""
    a = _as(a)
    if weights is not None:
        weights = _as(weights)
        if weights.shape != a.shape:
            raise ValueError(f"histogram: weights of shape {weights.shape} do not match data of shape {a.shape}")
        weights = weights.rechunk(a.chunks)
    token = tokenize(a.name, bins, range, getattr(weights, "name", None), density)
    deps = [a] + ([weights] if weights is not None else [])
    edges_name = f"histogram-edges-{token}"
    if np.ndim(bins) == 1:
        edges_task = np.asarray(bins)
        nbins = len(bins) - 1
    else:
        nbins = int(bins)
        if range is not None:
            edges_task = np.linspace(range[0], range[1], nbins + 1)
        else:
            lo, hi = a.min(), a.max()
            edges_task = (_edges_from, (lo.name,), (hi.name,), nbins)
            deps += [lo, hi]
    layer = {(edges_name, 0): edges_task if not isinstance(edges_task, np.ndarray) else (np.asarray, edges_task)}
    name = f"histogram-blocks-{token}"
    flat = list(itertools.product(*(range_(n) for n in a.numblocks)))
    for i, idx in enumerate(flat):
        w = (weights.name,) + idx if weights is not None else None
        layer[(name, i, 0)] = (_hist_block, (a.name,) + idx, (edges_name, 0), w)
    blocks = Array(HighLevelGraph.from_collections(name, layer, deps), name, ((1,) * len(flat), (nbins,)),
                   np.dtype(np.intp) if weights is None else weights.dtype)
    edges = Array(HighLevelGraph.from_collections(edges_name, {}, [blocks]), edges_name, ((nbins + 1,),), np.dtype(float))
    counts = blocks.sum(axis=0)
    if density:
        widths = edges[1:] - edges[:-1]
        counts = counts / widths / counts.sum()
    return counts, edges



def histogram2d(x, y, bins=10, range=None, density=False, weights=None):
    counts, edges = histogramdd((x, y), bins=bins, range=range, density=density, weights=weights)
    return counts, edges[0], edges[1]


def histogramdd(sample, bins=10, range=None, density=False, weights=None):
    """``np.histogramdd`` of an (N, D) array or a sequence of D 1-d coordinate arrays; ``bins`` as
    edges or counts with ``range``."""
    if getattr(sample, "ndim", None) == 2:
        sample = _as(sample)
        sample = [sample[:, i] for i in range_(sample.shape[1])]
    sample = [_as(s).ravel() for s in sample]
    d = len(sample)
    if np.ndim(bins) == 0:
        if range is None:
            raise ValueError("histogramdd needs range= when bins is a number")
        edges = [np.linspace(r[0], r[1], int(bins) + 1) for r in range]
    else:
        edges = [np.asarray(b) if np.ndim(b) else np.linspace(range[i][0], range[i][1], int(b) + 1)
                 for i, b in enumerate(bins)]
    first = sample[0]
    sample = [s.rechunk(first.chunks) for s in sample]
    if weights is not None:
        weights = _as(weights).ravel().rechunk(first.chunks)
    name = f"histogramdd-{tokenize(*[s.name for s in sample], [tuple(e) for e in edges], getattr(weights, 'name', None))}"
    layer = {}
    shape = tuple(len(e) - 1 for e in edges)
    for i in range_(first.numblocks[0]):
        w = (weights.name, i) if weights is not None else None
        layer[(name, i) + (0,) * d] = (_histdd_block, [(s.name, i) for s in sample], edges, w)
    deps = sample + ([weights] if weights is not None else [])
    blocks = Array(HighLevelGraph.from_collections(name, layer, deps), name, ((1,) * first.numblocks[0],) + tuple((n,) for n in shape),
                   np.dtype(float))
    counts = blocks.sum(axis=0)
    if density:
        vol = functools.reduce(np.multiply.outer, [np.diff(e) for e in edges])
        counts = counts / vol / counts.sum()
    return counts, [np.asarray(e) for e in edges]


def _histdd_block(coords, edges, weights):
    return np.histogramdd(np.stack(coords, axis=-1), bins=edges, weights=weights)[0][np.newaxis]


# -- percentiles ---------------------------------------------------------------------------------

_GRID = np.linspace(0, 100, 101)


def _block_quantiles(block, skipna):
    block = np.asarray(block).ravel()
    if skipna:
        block = block[~np.isnan(block)]
    if block.size == 0:
        return np.empty(0), np.empty(0)
    if block.size <= _GRID.size:
        return np.sort(block).astype(float), np.ones(block.size)
    return np.percentile(block, _GRID), np.full(_GRID.size, block.size / _GRID.size)


def _merge_quantiles(parts, q):
    vals = np.concatenate([p[0] for p in parts])
    weights = np.concatenate([p[1] for p in parts])
    if vals.size == 0:
        return np.full(np.shape(q), np.nan)
    order = np.argsort(vals, kind="stable")
    vals, weights = vals[order], weights[order]
    cdf = np.cumsum(weights) - weights / 2
    cdf = (cdf - cdf[0]) / max(cdf[-1] - cdf[0], 1e-300) * 100
    return np.interp(q, cdf, vals)


def percentile(a, q, method="linear", internal_method="default", axis=None, keepdims=False, _skipna=False, **kwargs):
    """Percentiles ``q`` (0-100). Over all values (axis=None) of a many-block array the result is
    approximate: per-block percentiles are merged by weight (exact for a single block). With
    ``axis`` the axis is made one block and the result is exact."""
    a = _as(a)
    scalar = np.ndim(q) == 0
    q_arr = np.atleast_1d(np.asarray(q, dtype=float))
    if np.any((q_arr < 0) | (q_arr > 100)):
        raise ValueError(f"percentiles must be in the range [0, 100], got {q}")
    np_func = np.nanpercentile if _skipna else np.percentile
    if axis is not None or a.npartitions == 1:
        if axis is None:
            whole = a.rechunk(tuple((s,) for s in a.shape))
            return whole.map_blocks(_exact_percentile, np_func, q, None, keepdims, method, dtype=np.dtype(float),
                                    chunks=_q_chunks(q, None, a, keepdims), drop_axis=_drop(a, None, keepdims, q),
                                    new_axis=_new(q))
        axes = tuple(sorted(normalize_axis(ax, a.ndim, a.shape) for ax in np.atleast_1d(axis)))
        whole = a.rechunk({ax: -1 for ax in axes})
        return _percentile_along(whole, np_func, q, axes, keepdims, method)
    name = f"percentile-{tokenize(a.name, q_arr, _skipna)}"
    layer = {}
    keys = []
    for i, idx in enumerate(itertools.product(*(range_(n) for n in a.numblocks))):
        layer[(name + "-part", i)] = (_block_quantiles, (a.name,) + idx, _skipna)
        keys.append((name + "-part", i))
    layer[(name, 0)] = (_merge_quantiles, keys, q_arr)
    out = Array(HighLevelGraph.from_collections(name, layer, [a]), name, ((len(q_arr),),), np.dtype(float))
    return out[0] if scalar else out


def _q_chunks(q, axis, a, keepdims):
    qs = () if np.ndim(q) == 0 else ((len(np.atleast_1d(q)),),)
    return qs + (((1,),) * a.ndim if keepdims else ())


def _drop(a, axis, keepdims, q):
    return [] if keepdims else list(range(a.ndim))


def _new(q):
    return [0] if np.ndim(q) else []


def _exact_percentile(block, np_func, q, axis, keepdims, method="linear"):
    return np.asarray(np_func(block, q, axis=axis, keepdims=keepdims, method=method))


def _percentile_along(whole, np_func, q, axes, keepdims, method):
    """Exact percentiles along ``axes``, each already one block."""
    qdims = np.ndim(q)
    chunks = [(1,) if d in axes else c for d, c in enumerate(whole.chunks) if keepdims or d not in axes]
    chunks = ([(len(np.atleast_1d(q)),)] if qdims else []) + chunks
    return whole.map_blocks(_exact_percentile, np_func, q, axes, keepdims, method, dtype=np.dtype(float),
                            drop_axis=[] if keepdims else list(axes), new_axis=[0] if qdims else None,
                            chunks=tuple(chunks))


def nanpercentile(a, q, axis=None, keepdims=False, method="linear", **kwargs):
    return percentile(a, q, method=method, axis=axis, keepdims=keepdims, _skipna=True)


def quantile(a, q, axis=None, keepdims=False, method="linear", **kwargs):
    return percentile(a, np.asarray(q) * 100, method=method, axis=axis, keepdims=keepdims)


def nanquantile(a, q, axis=None, keepdims=False, method="linear", **kwargs):
    return nanpercentile(a, np.asarray(q) * 100, method=method, axis=axis, keepdims=keepdims)


def median(a, axis=None, keepdims=False, out=None, overwrite_input=False):
    """Exact median; over several axes/all values the data along them is brought into one block."""
    a = _as(a)
    if axis is None:
        return percentile(a.rechunk(tuple((s,) for s in a.shape)), 50, keepdims=keepdims)
    return percentile(a, 50, axis=axis, keepdims=keepdims)


def nanmedian(a, axis=None, keepdims=False, out=None, overwrite_input=False):
    a = _as(a)
    if axis is None:
        a = a.rechunk(tuple((s,) for s in a.shape))
    return nanpercentile(a, 50, axis=axis, keepdims=keepdims)


# -- unique / bincount ---------------------------------------------------------------------------

def _unique_block(block, offset, want_index):
    flat = np.asarray(block).ravel()
    vals, idx, counts = np.unique(flat, return_index=True, return_counts=True)
    return vals, (idx + offset) if want_index else None, counts


def _unique_merge(parts):
    vals = np.concatenate([p[0] for p in parts])
    counts = np.concatenate([p[2] for p in parts])
    uniq, inverse = np.unique(vals, return_inverse=True)
    total = np.bincount(inverse, weights=counts, minlength=len(uniq)).astype(np.intp)
    index = None
    if parts and parts[0][1] is not None:
        idx = np.concatenate([p[1] for p in parts])
        index = np.full(len(uniq), np.iinfo(np.intp).max, dtype=np.intp)
        np.minimum.at(index, inverse, idx)
    return uniq, index, total


def unique(ar, return_index=False, return_inverse=False, return_counts=False):
    """``np.unique``: sorted unique values (size unknown until computed), with optional first
    indices, inverse and counts."""
    ar = _as(ar).ravel()
    token = tokenize(ar.name, return_index, return_inverse, return_counts)
    name = f"unique-{token}"
    offsets = chunk_offsets(ar.chunks[0]) if not any(is_unknown(c) for c in ar.chunks[0]) else None
    if return_index and offsets is None:
        raise ValueError(unknown_chunks_message(ar.shape, "unique(return_index=True)"))
    layer = {}
    for i in range_(ar.numblocks[0]):
        layer[(name + "-part", i)] = (_unique_block, (ar.name, i), offsets[i] if offsets else 0, return_index)
    layer[name + "-merged"] = (_unique_merge, [(name + "-part", i) for i in range_(ar.numblocks[0])])
    layer[(name, 0)] = (_pick, name + "-merged", 0)
    values = Array(HighLevelGraph.from_collections(name, layer, [ar]), name, ((math.nan,),), ar.dtype)
    out = [values]
    if return_index:
        iname = f"unique-index-{token}"
        out.append(Array(HighLevelGraph.from_collections(iname, {(iname, 0): (_pick, name + "-merged", 1)}, [values]), iname,
                         ((math.nan,),), np.dtype(np.intp)))
    if return_inverse:
        out.append(_inverse_array(ar, values))
    if return_counts:
        cname = f"unique-counts-{token}"
        out.append(Array(HighLevelGraph.from_collections(cname, {(cname, 0): (_pick, name + "-merged", 2)}, [values]), cname,
                         ((math.nan,),), np.dtype(np.intp)))
    return out[0] if len(out) == 1 else tuple(out)


def _inverse_array(ar, values):
    name = f"unique-inverse-{tokenize(ar.name, values.name)}"
    layer = {(name, i): (_inverse, (ar.name, i), (values.name, 0)) for i in range_(ar.numblocks[0])}
    return Array(HighLevelGraph.from_collections(name, layer, [ar, values]), name, ar.chunks, np.dtype(np.intp))


def _inverse(block, uniq):
    return np.searchsorted(uniq, block)


def _pick(t, i):
    return t[i]


def _bincount_block(block, weights, minlength):
    return np.bincount(block, weights=weights, minlength=minlength)


def _bincount_sum(parts):
    n = max(len(p) for p in parts)
    total = np.zeros(n, dtype=np.result_type(*[p.dtype for p in parts]))
    for p in parts:
        total[:len(p)] += p
    return total


def bincount(x, weights=None, minlength=0, split_every=None):
    """``np.bincount`` of a 1-d non-negative integer array (length known only after computing,
    unless the values are bounded by ``minlength``)."""
    x = _as(x)
    if x.ndim != 1:
        raise ValueError(f"bincount needs a 1-d array, got shape {x.shape}")
    if weights is not None:
        weights = _as(weights).rechunk(x.chunks)
    name = f"bincount-{tokenize(x.name, getattr(weights, 'name', None), minlength)}"
    layer = {}
    for i in range_(x.numblocks[0]):
        w = (weights.name, i) if weights is not None else None
        layer[(name + "-part", i)] = (_bincount_block, (x.name, i), w, minlength)
    layer[(name, 0)] = (_bincount_sum, [(name + "-part", i) for i in range_(x.numblocks[0])])
    dtype = np.bincount([0], weights=None if weights is None else np.ones(1, weights.dtype)).dtype
    deps = [x] + ([weights] if weights is not None else [])
    return Array(HighLevelGraph.from_collections(name, layer, deps), name, ((math.nan,),), dtype)


def digitize(a, bins, right=False):
    from .elementwise import elemwise

    return elemwise(functools.partial(np.digitize, bins=np.asarray(bins), right=right), a, dtype=np.dtype(np.intp))


def isin(element, test_elements, assume_unique=False, invert=False):
    from .elementwise import elemwise

    test = np.asarray(test_elements.compute() if isinstance(test_elements, Array) else test_elements)
    return elemwise(functools.partial(_isin, test=test, invert=invert), element, dtype=np.dtype(bool))


def _isin(block, test, invert):
    return np.isin(block, test, invert=invert)


# -- per-axis routines ---------------------------------------------------------------------------

def apply_along_axis(func1d, axis, arr, *args, dtype=None, shape=None, **kwargs):
    """``np.apply_along_axis``: ``axis`` is brought into one block and ``func1d`` runs per block."""
    arr = _as(arr)
    axis = normalize_axis(axis, arr.ndim, arr.shape)
    if shape is None or dtype is None:
        test = np.asarray(func1d(np.ones(arr.shape[axis], dtype=arr.dtype), *args, **kwargs))
        shape = test.shape if shape is None else shape
        dtype = test.dtype if dtype is None else dtype
    arr = arr.rechunk({axis: -1})
    chunks = arr.chunks[:axis] + tuple((s,) for s in shape) + arr.chunks[axis + 1:]
    if len(shape) == 0:
        return arr.map_blocks(_apply_along, func1d, axis, args, kwargs, dtype=dtype, drop_axis=axis, chunks=chunks)
    if len(shape) == 1:
        return arr.map_blocks(_apply_along, func1d, axis, args, kwargs, dtype=dtype, chunks=chunks)
    return arr.map_blocks(_apply_along, func1d, axis, args, kwargs, dtype=dtype, chunks=chunks,
                          new_axis=list(range(axis + 1, axis + len(shape))))


def _apply_along(block, func1d, axis, args, kwargs):
    return np.apply_along_axis(func1d, axis, block, *args, **kwargs)


def argwhere(a):
    """Coordinates of non-zero elements, shape (N, ndim); N is unknown until computed."""
    a = _as(a)
    if a.ndim == 0:
        a = a[None]
    if a.ndim > 1:
        a = a.rechunk({d: -1 for d in range_(1, a.ndim)})
    offsets = chunk_offsets(a.chunks[0])
    if any(is_unknown(o) for o in offsets):
        raise ValueError(unknown_chunks_message(a.shape, "argwhere/nonzero"))
    name = f"argwhere-{tokenize(a.name)}"
    layer = {(name, i, 0): (_argwhere_block, (a.name, i) + (0,) * (a.ndim - 1), offsets[i])
             for i in range_(a.numblocks[0])}
    return Array(HighLevelGraph.from_collections(name, layer, [a]), name, ((math.nan,) * a.numblocks[0], (a.ndim,)),
                 np.dtype(np.intp))


def _argwhere_block(block, offset):
    out = np.argwhere(block)
    out[:, 0] += offset
    return out


def nonzero(a):
    a = _as(a)
    w = argwhere(a)
    return tuple(w[:, i] for i in range_(max(a.ndim, 1)))


def flatnonzero(a):
    return argwhere(_as(a).ravel())[:, 0]


def repeat(a, repeats, axis=None):
    a = _as(a)
    if axis is None:
        a, axis = a.ravel(), 0
    axis = normalize_axis(axis, a.ndim, a.shape)
    if not isinstance(repeats, (int, np.integer)):
        # per-element counts: element i appears repeats[i] times, i.e. a take of repeated positions
        try:
            positions = np.repeat(np.arange(a.shape[axis]), np.asarray(repeats))
        except ValueError:
            raise ValueError(f"repeat: {np.shape(repeats)} repeats for axis {axis} of an array of shape {a.shape}") from None
        return a[(slice(None),) * axis + (positions,)]
    chunks = tuple(tuple(c * repeats for c in cs) if d == axis else cs for d, cs in enumerate(a.chunks))
    return a.map_blocks(np.repeat, repeats, axis, chunks=chunks, dtype=a.dtype)


def tile(a, reps):
    from .concatenate import concatenate

    a = _as(a)
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    while a.ndim < len(reps):
        a = a[None]
    reps = (1,) * (a.ndim - len(reps)) + reps
    for axis, r in enumerate(reps):
        if r == 0:
            a = a[tuple(slice(0, 0) if d == axis else slice(None) for d in range_(a.ndim))]
        elif r > 1:
            a = concatenate([a] * r, axis=axis)
    return a


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    from .creation import diagonal

    return diagonal(a, offset, axis1, axis2).sum(axis=-1, dtype=dtype)


def diff(a, n=1, axis=-1, prepend=None, append=None):
    from .concatenate import concatenate

    a = _as(a)
    axis = normalize_axis(axis, a.ndim, a.shape)
    parts = []
    for extra in (prepend, a, append):
        if extra is None:
            continue
        if extra is a:
            parts.append(a)
            continue
        e = _as(np.asarray(extra)) if not isinstance(extra, Array) else extra
        if e.ndim == 0:
            from .creation import broadcast_to

            shape = list(a.shape)
            shape[axis] = 1
            e = broadcast_to(e, tuple(shape))
        parts.append(e)
    a = concatenate(parts, axis=axis) if len(parts) > 1 else a
    for _ in range_(n):
        hi = tuple(slice(1, None) if d == axis else slice(None) for d in range_(a.ndim))
        lo = tuple(slice(None, -1) if d == axis else slice(None) for d in range_(a.ndim))
        a = a[hi] - a[lo]
    return a


def roll(a, shift, axis=None):
    from .concatenate import concatenate

    a = _as(a)
    if axis is None:
        return roll(a.ravel(), shift, 0).reshape(a.shape)
    shifts = (shift,) if isinstance(shift, (int, np.integer)) else tuple(shift)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for s, ax in zip(shifts, axes):
        ax = normalize_axis(ax, a.ndim, a.shape)
        n = a.shape[ax]
        if n == 0:
            continue
        s %= n
        if s:
            first = tuple(slice(n - s, None) if d == ax else slice(None) for d in range_(a.ndim))
            second = tuple(slice(0, n - s) if d == ax else slice(None) for d in range_(a.ndim))
            a = concatenate([a[first], a[second]], axis=ax)
    return a


def flip(m, axis=None):
    m = _as(m)
    axes = range_(m.ndim) if axis is None else [normalize_axis(a, m.ndim, m.shape) for a in np.atleast_1d(axis)]
    return m[tuple(slice(None, None, -1) if d in axes else slice(None) for d in range_(m.ndim))]


def flipud(m):
    return flip(m, 0)


def fliplr(m):
    return flip(m, 1)


def _tri_block(block, k, lower, block_info=None):
    (r0, _), (c0, _) = block_info[0]["array-location"][-2:]
    shift = k + r0 - c0
    return np.tril(block, shift) if lower else np.triu(block, shift)


def tril(m, k=0):
    return _as(m).map_blocks(_tri_block, k, True)


def triu(m, k=0):
    return _as(m).map_blocks(_tri_block, k, False)


def take(a, indices, axis=None):
    from .slicing import take as take_

    a = _as(a)
    if axis is None:
        a, axis = a.ravel(), 0
    axis = normalize_axis(axis, a.ndim, a.shape)
    if isinstance(indices, Array):
        from .slicing import take_shoal

        return take_shoal(a, indices, axis)
    return take_(a, np.asarray(indices), axis)


def compress(condition, a, axis=None):
    a = _as(a)
    condition = np.asarray(condition, dtype=bool)
    if axis is None:
        a, axis = a.ravel(), 0
    return take(a, np.nonzero(condition)[0], axis)


def extract(condition, arr):
    """``np.extract``: the elements of ``arr`` where ``condition`` holds, flattened (a shoal condition
    gives a result of unknown length, as boolean indexing does)."""
    arr = _as(arr)
    if isinstance(condition, Array):
        return arr.ravel()[condition.ravel().astype(bool)]
    return compress(np.ravel(condition), arr.ravel())


def rot90(m, k=1, axes=(0, 1)):
    """``np.rot90``: rotate by 90 degrees ``k`` times in the plane of ``axes`` (flips and a transpose)."""
    from .shape import transpose

    m = _as(m)
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must name 2 axes, got {axes!r}")
    a0, a1 = (normalize_axis(a, m.ndim, m.shape) for a in axes)
    if a0 == a1:
        raise ValueError(f"rot90: axes {axes!r} name the same axis of an array of shape {m.shape}")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    order = list(range_(m.ndim))
    order[a0], order[a1] = order[a1], order[a0]
    return transpose(flip(m, a1), order) if k == 1 else flip(transpose(m, order), a1)


def around(x, decimals=0):
    from .elementwise import round_

    return round_(x, decimals)


def array_equal(a1, a2, equal_nan=False):
    a1, a2 = _as(a1), _as(a2)
    if a1.shape != a2.shape:
        return False
    eq = (a1 == a2) | ((a1 != a1) & (a2 != a2)) if equal_nan else a1 == a2
    return bool(eq.all().compute())


def cov(m, y=None, rowvar=True, bias=False, ddof=None):
    from .concatenate import concatenate

    m = _as(m)
    if m.ndim == 1:
        m = m[None]
    if not rowvar:
        m = m.T
    if y is not None:
        y = _as(y)
        y = y[None] if y.ndim == 1 else y
        m = concatenate([m, y if rowvar else y.T], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    centered = m - m.mean(axis=1, keepdims=True)
    c = (centered @ centered.conj().T) / (m.shape[1] - ddof)
    return c.squeeze() if c.shape == (1, 1) else c


def corrcoef(x, y=None, rowvar=True):
    c = cov(x, y, rowvar)
    if c.ndim == 0:
        return c / c
    from .creation import diagonal

    d = np.sqrt(diagonal(c))
    return c / d[:, None] / d[None, :]
