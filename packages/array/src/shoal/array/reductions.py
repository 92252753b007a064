"""Tree reductions: sum, prod, mean, var, std, min, max, any, all, argmin, argmax, moment and their
nan-variants, with ``axis``, ``keepdims`` and ``split_every``.

Each reduction is three functions on NumPy blocks: ``chunk`` (block -> partial result, keeping
reduced axes as length 1), ``combine`` (concatenated partials -> one partial) and ``aggregate``
(concatenated partials -> final values). Partials may be dicts of arrays (e.g. count and total for
mean). The graph is a tree: groups of ``split_every`` blocks are combined until one block remains
along every reduced axis.
"""

import builtins
import itertools
import math
import warnings

import numpy as np

import shoal.config
from shoal.base import tokenize
from shoal.utils import funcname

from .blockwise import blockwise, concatenate_axes
from .core import Array
from shoal.highlevelgraph import HighLevelGraph
from .shape import normalize_axis
from .tiling import ReductionChunk

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _axes(axis, ndim, shape):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    axes = tuple(normalize_axis(a, ndim, shape) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"duplicate value in 'axis': {axis}")
    return axes


def _split_every(split_every, axes):
    if isinstance(split_every, dict):
        return {a: builtins.max(int(split_every.get(a, 2)), 2) for a in axes}
    n = split_every or shoal.config.get("array.split-every", 16)
    per_axis = builtins.max(int(round(n ** (1 / builtins.max(len(axes), 1)))), 2)
    return {a: per_axis for a in axes}


def reduction(x, chunk, aggregate, axis=None, keepdims=False, dtype=None, split_every=None,
              combine=None, name=None, output_size=1, concatenate=True, tileable=False):
    """Build a tree reduction of ``x`` over ``axis`` (see the module docstring for the functions).

    With ``concatenate=False`` combine and aggregate receive the partials of a group as nested lists
    (one level per reduced axis) instead of one concatenated array."""
    from .io import asarray

    x = asarray(x)
    axes = _axes(axis, x.ndim, x.shape)
    combine = combine or aggregate
    name = name or funcname(chunk)
    token = tokenize(x.name, chunk, aggregate, combine, axes, keepdims, dtype, split_every, output_size)
    ind = _LETTERS[:x.ndim]
    partial_chunks = tuple((1,) * len(c) if d in axes else c for d, c in enumerate(x.chunks))
    if tileable:
        # sub-blocks' partials merge with ``combine``: the optimizer may then reduce tile by tile
        chunk = ReductionChunk(chunk, combine)
    tmp = blockwise(chunk, ind, x, ind, axis=axes, keepdims=True, name=f"{name}-chunk-{token}", dtype=dtype)
    tmp = Array(tmp.dask, tmp.name, partial_chunks, dtype)
    factors = _split_every(split_every, axes)
    depth = 0
    while builtins.any(tmp.numblocks[a] > 1 for a in axes):
        groups = {a: factors[a] if tmp.numblocks[a] > 1 else 1 for a in axes}
        if builtins.all(tmp.numblocks[a] <= groups[a] for a in axes):
            break
        tmp = _partial_reduce(tmp, combine, axes, groups, f"{name}-combine-{depth}-{token}", keepdims=True,
                              concatenate=concatenate)
        depth += 1
    groups = {a: tmp.numblocks[a] for a in axes}
    return _partial_reduce(tmp, aggregate, axes, groups, f"{name}-aggregate-{token}", keepdims=keepdims,
                           dtype=dtype, output_size=output_size, final=True, concatenate=concatenate)


def _partial_reduce(x, func, axes, groups, name, keepdims, dtype=None, output_size=1, final=False,
                    concatenate=True):
    """One tree level: every group of blocks (``groups[axis]`` blocks per reduced axis) -> one block."""
    out_numblocks = tuple(
        -(-n // groups[d]) if d in axes else n for d, n in enumerate(x.numblocks)
    )
    layer = {}
    for out_idx in itertools.product(*(range(n) for n in out_numblocks)):
        ranges = [
            range(i * groups[d], builtins.min((i + 1) * groups[d], x.numblocks[d])) if d in axes else [i]
            for d, i in enumerate(out_idx)
        ]
        nested = _nested_keys(x.name, ranges, split=list(range(x.ndim)) if concatenate else axes)
        key_idx = out_idx if keepdims else tuple(i for d, i in enumerate(out_idx) if d not in axes)
        layer[(name,) + key_idx] = (_reduce_group, func, nested, list(range(x.ndim)) if concatenate else [], axes,
                                    keepdims)
    if keepdims:
        chunks = tuple((output_size if final else 1,) * n if d in axes else c
                       for d, (n, c) in enumerate(zip(out_numblocks, x.chunks)))
    else:
        chunks = tuple(c for d, c in enumerate(x.chunks) if d not in axes)
    if not chunks:
        layer = {(name,): v for v in layer.values()}
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, chunks, dtype)


def _nested_keys(name, ranges, split, prefix=()):
    """Keys of a group of blocks, nested one list level per axis in ``split`` (others have one block)."""
    d = len(prefix)
    if d == len(ranges):
        return (name,) + prefix
    if d not in split:
        return _nested_keys(name, ranges, split, prefix + (ranges[d][0],))
    return [_nested_keys(name, ranges, split, prefix + (i,)) for i in ranges[d]]


def _reduce_group(func, nested, concat_axes, axes, keepdims):
    """``func`` on a group of partials: concatenated along ``concat_axes`` (none: the nested lists)."""
    return func(concatenate_axes(nested, concat_axes), axis=axes, keepdims=keepdims)


# -- simple reductions ---------------------------------------------------------------------------

# On plain NumPy blocks these ufunc reductions are what np.sum & co. call, without their dispatch
# overhead (a few microseconds per call, which adds up when a block is reduced tile by tile).
_UFUNC_REDUCE = {np.sum: np.add.reduce, np.prod: np.multiply.reduce, np.min: np.minimum.reduce,
                 np.max: np.maximum.reduce}


def _reducer(np_func, block):
    return _UFUNC_REDUCE.get(np_func, np_func) if type(block) is np.ndarray else np_func


def _simple(np_func, what, dtype_rule=None):
    def chunk(block, axis, keepdims, dtype=None):
        if dtype_rule == "keep" and builtins.any(block.shape[a] == 0 for a in axis):
            # an empty block (e.g. after boolean indexing) contributes nothing to min/max
            return block[tuple(slice(0, 0) if d in axis else slice(None) for d in range(block.ndim))]
        extra = {"dtype": dtype} if dtype is not None else {}
        if what.startswith("nan"):
            with warnings.catch_warnings():
                # an all-NaN block is normal; NumPy warns only if a whole output slice is NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                return np_func(block, axis=axis, keepdims=keepdims, **extra)
        return _reducer(np_func, block)(block, axis=axis, keepdims=keepdims, **extra)

    def reducer(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        from .io import asarray

        a = asarray(a)
        if dtype_rule == "keep":
            out_dtype = a.dtype
        elif dtype_rule == "bool":
            out_dtype = np.dtype(bool)
        else:
            out_dtype = np.dtype(dtype) if dtype is not None else np_func(np.ones((1,), a.dtype)).dtype
        if dtype_rule is None and dtype is not None:
            import functools

            f = functools.partial(chunk, dtype=dtype)
            f.__name__ = what
        else:
            f = chunk
        if dtype_rule == "keep" and a.size == 0 and not math.isnan(a.size):
            _empty_check(a, axis, what)
        return reduction(a, f, f, axis=axis, keepdims=keepdims, dtype=out_dtype,
                         split_every=split_every, name=what, tileable=True)

    reducer.__name__ = what
    reducer.__doc__ = f"``numpy.{what}`` as a tree reduction over blocks."
    return reducer


def _empty_check(a, axis, what):
    axes = _axes(axis, a.ndim, a.shape)
    if builtins.any(a.shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {what} which has no identity (shape {a.shape})")


sum = _simple(np.sum, "sum")
prod = _simple(np.prod, "prod")
nansum = _simple(np.nansum, "nansum")
nanprod = _simple(np.nanprod, "nanprod")
min = _simple(np.min, "min", "keep")
max = _simple(np.max, "max", "keep")
nanmin = _simple(np.nanmin, "nanmin", "keep")
nanmax = _simple(np.nanmax, "nanmax", "keep")
any = _simple(np.any, "any", "bool")
all = _simple(np.all, "all", "bool")
amin, amax = min, max


def count_nonzero(a, axis=None, keepdims=False, split_every=None):
    from .io import asarray

    a = asarray(a)
    return sum((a != 0).astype(np.intp), axis=axis, keepdims=keepdims, split_every=split_every)


def ptp(a, axis=None, keepdims=False):
    return max(a, axis=axis, keepdims=keepdims) - min(a, axis=axis, keepdims=keepdims)


# -- mean / var / std / moment -------------------------------------------------------------------

def _count(block, axis, keepdims, skipna):
    if np.ma.isMaskedArray(block):
        present = ~np.ma.getmaskarray(block) & (~np.isnan(block.data) if skipna and block.dtype.kind in "fc" else True)
        return np.sum(present, axis=axis, keepdims=keepdims)
    if skipna:
        return np.sum(~np.isnan(block), axis=axis, keepdims=keepdims)
    n = 1
    shape = []
    for d, s in enumerate(block.shape):
        if d in axis:
            n *= s
            if keepdims:
                shape.append(1)
        else:
            shape.append(s)
    return np.full(shape, n, dtype=np.intp)


def _mean_chunk(block, axis, keepdims, skipna=False, dtype=None):
    total = (np.nansum if skipna else _reducer(np.sum, block))(block, axis=axis, keepdims=True, dtype=dtype)
    return {"n": _count(block, axis, True, skipna), "total": total}


def _mean_combine(parts, axis, keepdims):
    return {"n": np.sum(parts["n"], axis=axis, keepdims=keepdims),
            "total": np.sum(parts["total"], axis=axis, keepdims=keepdims)}


def _mean_agg(parts, axis, keepdims, dtype=None):
    n = np.sum(parts["n"], axis=axis, keepdims=keepdims)
    total = np.sum(parts["total"], axis=axis, keepdims=keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(total, n, dtype=dtype) if dtype is not None else total / n
    return out


def _float_dtype(dtype, requested=None):
    if requested is not None:
        return np.dtype(requested)
    return np.mean(np.ones((1,), dtype)).dtype


def mean(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None, _skipna=False):
    """``numpy.mean``: per-block counts and totals, summed up the tree."""
    import functools

    from .io import asarray

    a = asarray(a)
    out_dtype = _float_dtype(a.dtype, dtype)
    sum_dtype = dtype if dtype is not None else (np.float64 if a.dtype.kind in "biu" else None)
    chunk = functools.partial(_mean_chunk, skipna=_skipna, dtype=sum_dtype)
    agg = functools.partial(_mean_agg, dtype=out_dtype)
    return reduction(a, chunk, agg, combine=_mean_combine, axis=axis, keepdims=keepdims,
                     dtype=out_dtype, split_every=split_every, name="nanmean" if _skipna else "mean",
                     tileable=True)


def nanmean(a, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
    return mean(a, axis=axis, dtype=dtype, keepdims=keepdims, split_every=split_every, _skipna=True)


def _var_chunk(block, axis, keepdims, skipna=False, dtype=None):
    n = _count(block, axis, True, skipna)
    total = (np.nansum if skipna else np.sum)(block, axis=axis, keepdims=True, dtype=dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = total / np.where(n == 0, 1, n)
        dev = block - mu
        if np.iscomplexobj(dev):
            sq = (dev * np.conj(dev)).real
        else:
            sq = dev * dev
        m2 = (np.nansum if skipna else np.sum)(sq, axis=axis, keepdims=True)
    return {"n": n, "mean": mu, "M2": m2}


def _var_merge(parts, axis, keepdims):
    n = parts["n"]
    N = np.sum(n, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = np.sum(n * parts["mean"], axis=axis, keepdims=True) / np.where(N == 0, 1, N)
        d = parts["mean"] - mu
        sq = (d * np.conj(d)).real if np.iscomplexobj(d) else d * d
        m2 = np.sum(parts["M2"] + n * sq, axis=axis, keepdims=True)
    if not keepdims:
        N, mu, m2 = (np.squeeze(v, axis=axis) for v in (N, mu, m2))
    return {"n": N, "mean": mu, "M2": m2}


def _var_agg(parts, axis, keepdims, ddof=0, dtype=None, sqrt=False):
    merged = _var_merge(parts, axis, keepdims)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = merged["M2"] / np.maximum(merged["n"] - ddof, 0)
    out = np.sqrt(out) if sqrt else out
    return out.astype(dtype) if dtype is not None else out


def var(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None, _skipna=False,
        _sqrt=False):
    """``numpy.var`` (and std): per-block count, mean and sum of squared deviations, merged with
    the parallel-variance formula (numerically stable, one pass)."""
    import functools

    from .io import asarray

    a = asarray(a)
    base = _float_dtype(a.dtype, dtype)
    out_dtype = np.real(np.ones(1, base)).dtype
    if dtype is not None:
        out_dtype = np.dtype(dtype)
    sum_dtype = np.float64 if a.dtype.kind in "biu" else None
    chunk = functools.partial(_var_chunk, skipna=_skipna, dtype=sum_dtype)
    agg = functools.partial(_var_agg, ddof=ddof, dtype=out_dtype, sqrt=_sqrt)
    what = ("nan" if _skipna else "") + ("std" if _sqrt else "var")
    return reduction(a, chunk, agg, combine=_var_merge, axis=axis, keepdims=keepdims, dtype=out_dtype,
                     split_every=split_every, name=what, tileable=True)


def std(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return var(a, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every, _sqrt=True)


def nanvar(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return var(a, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every, _skipna=True)


def nanstd(a, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
    return var(a, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every,
               _skipna=True, _sqrt=True)


def _moment_chunk(block, axis, keepdims, order, dtype=None):
    block = block.astype(dtype or np.float64) if block.dtype.kind in "biu" else block
    return {f"S{p}": np.sum(block ** p, axis=axis, keepdims=True) for p in range(order + 1)}


def _moment_combine(parts, axis, keepdims):
    return {k: np.sum(v, axis=axis, keepdims=keepdims) for k, v in parts.items()}


def _moment_agg(parts, axis, keepdims, order, ddof):
    s = _moment_combine(parts, axis, keepdims)
    n = s["S0"]
    mu = s["S1"] / n
    total = sum_terms = 0
    for j in range(order + 1):
        sum_terms = math.comb(order, j) * (-mu) ** (order - j) * s[f"S{j}"]
        total = total + sum_terms
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / (n - ddof)


def moment(a, order, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None):
    """The ``order``-th central moment, sum((x - mean)**order) / (n - ddof), from power sums."""
    import functools

    from .io import asarray

    a = asarray(a)
    if not isinstance(order, (int, np.integer)) or order < 0:
        raise ValueError(f"moment order must be a non-negative integer, got {order!r}")
    if order < 2:
        from .creation import full_like

        return mean(full_like(a, 1.0 if order == 0 else 0.0, dtype=float), axis=axis, keepdims=keepdims)
    out_dtype = _float_dtype(a.dtype, dtype)
    chunk = functools.partial(_moment_chunk, order=order)
    agg = functools.partial(_moment_agg, order=order, ddof=ddof)
    return reduction(a, chunk, agg, combine=_moment_combine, axis=axis, keepdims=keepdims, dtype=out_dtype,
                     split_every=split_every, name="moment")


# -- argmin / argmax -----------------------------------------------------------------------------
#
# A partial result holds, per position of the kept axes: the best value ("vals"), its coordinate along
# every reduced axis d counted from the start of the span the partial covers ("c<d>", -1 if the span
# is empty), and the span's length along d ("n<d>"). Combining partials turns their coordinates into
# coordinates from the start of the combined span by adding the lengths of the spans before them, so
# no block offset is needed when the graph is built: chunks of unknown (NaN) size work.

def _arg_chunk(block, axis, keepdims, pick, skipna):
    kept = tuple(1 if d in axis else s for d, s in enumerate(block.shape))
    sizes = {f"n{d}": np.full(kept, block.shape[d], dtype=np.intp) for d in axis}
    if len(axis) == 1:
        (ax,) = axis
        if block.shape[ax] == 0:  # contributes nothing, and nothing to the lengths either
            return {"vals": block, f"c{ax}": np.zeros(block.shape, np.intp), f"n{ax}": np.zeros(block.shape, np.intp)}
        i = np.expand_dims(_safe_arg(pick, block, ax, skipna), ax)
        return {"vals": np.take_along_axis(block, i, ax), f"c{ax}": i.astype(np.intp), **sizes}
    inner = np.moveaxis(block, axis, tuple(range(block.ndim - len(axis), block.ndim)))
    flat = inner.reshape(inner.shape[:block.ndim - len(axis)] + (-1,))
    if flat.shape[-1] == 0:
        vals = np.zeros(kept, block.dtype)
        coords = {f"c{d}": np.full(kept, -1, np.intp) for d in axis}
        return {"vals": vals, **coords, **sizes}
    i = _safe_arg(pick, flat, -1, skipna)
    vals = np.take_along_axis(flat, i[..., None], -1)[..., 0]
    local = np.unravel_index(i, tuple(block.shape[d] for d in axis))
    coords = {f"c{d}": _restore(c, axis, kept) for d, c in zip(axis, local)}
    return {"vals": _restore(vals, axis, kept), **coords, **sizes}


def _restore(values, axis, kept):
    """Values over the kept axes, reshaped to ``kept`` (reduced axes of length 1)."""
    return np.asarray(values).reshape(kept)


def _safe_arg(pick, block, axis, skipna):
    if skipna and block.dtype.kind == "f":
        fill = np.inf if pick is np.argmin else -np.inf
        allnan = np.all(np.isnan(block), axis=axis)
        out = pick(np.where(np.isnan(block), fill, block), axis=axis)
        return np.where(allnan, 0, out) if np.ndim(out) else (0 if allnan else out)
    return pick(block, axis=axis)


def _arg_combine(parts, axis, keepdims, pick, skipna):
    """Concatenated partials (several entries along every reduced axis) -> one partial."""
    vals = parts["vals"]
    coords, sizes = {}, {}
    for d in axis:
        n = parts[f"n{d}"]
        c = parts[f"c{d}"]
        coords[d] = np.where(c >= 0, c + np.cumsum(n, axis=d) - n, -1)
        total = np.sum(n, axis=d, keepdims=True)
        for e in axis:
            if e != d:
                total = np.take(total, [0], axis=e)
        sizes[d] = total
    if len(axis) == 1:
        (ax,) = axis
        if vals.shape[ax] == 0:  # every span was empty
            return {"vals": vals, f"c{ax}": coords[ax], f"n{ax}": parts[f"n{ax}"]}
        i = np.expand_dims(_safe_arg(pick, vals, ax, skipna), ax)
        return {"vals": np.take_along_axis(vals, i, ax), f"c{ax}": np.take_along_axis(coords[ax], i, ax),
                f"n{ax}": sizes[ax]}
    # every axis is reduced: pick among the partials of non-empty spans
    one = (1,) * vals.ndim
    valid = np.flatnonzero(coords[axis[0]].ravel() >= 0)
    k = valid[_safe_arg(pick, vals.ravel()[valid], 0, skipna)] if valid.size else 0
    out = {"vals": vals.ravel()[k].reshape(one) if valid.size else np.zeros(one, vals.dtype)}
    for d in axis:
        out[f"c{d}"] = coords[d].ravel()[k].reshape(one) if valid.size else np.full(one, -1, np.intp)
        out[f"n{d}"] = sizes[d]
    return out


def _arg_agg(parts, axis, keepdims, pick, skipna):
    merged = _arg_combine(parts, axis, True, pick, skipna)
    if len(axis) == 1:
        out = merged[f"c{axis[0]}"]
    else:
        coords = tuple(merged[f"c{d}"] for d in axis)
        shape = tuple(int(merged[f"n{d}"].ravel()[0]) for d in axis)
        out = np.ravel_multi_index(coords, shape)
    return out if keepdims else np.squeeze(out, axis=axis)


def _arg_reduction(a, axis, keepdims, split_every, pick, skipna, what):
    import functools

    from .io import asarray

    a = asarray(a)
    if a.size == 0:
        raise ValueError(f"attempt to get {what} of an empty sequence (array shape {a.shape})")
    if axis is not None:
        axis = normalize_axis(axis, a.ndim, a.shape)
    chunk = functools.partial(_arg_chunk, pick=pick, skipna=skipna)
    combine = functools.partial(_arg_combine, pick=pick, skipna=skipna)
    agg = functools.partial(_arg_agg, pick=pick, skipna=skipna)
    return reduction(a, chunk, agg, combine=combine, axis=axis, keepdims=keepdims,
                     dtype=np.dtype(np.intp), split_every=split_every, name=what)


def argmin(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg_reduction(a, axis, keepdims, split_every, np.argmin, False, "argmin")


def argmax(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg_reduction(a, axis, keepdims, split_every, np.argmax, False, "argmax")


def nanargmin(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg_reduction(a, axis, keepdims, split_every, np.argmin, True, "nanargmin")


def nanargmax(a, axis=None, keepdims=False, split_every=None, out=None):
    return _arg_reduction(a, axis, keepdims, split_every, np.argmax, True, "nanargmax")


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    from .io import asarray

    a = asarray(a)
    if weights is None:
        from .creation import full

        avg = mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        scl = avg.dtype.type(a.size / avg.size) if a.size else avg.dtype.type(0)
        return avg, full(avg.shape, scl, dtype=avg.dtype, chunks=avg.chunks)
    w = asarray(weights)
    if w.shape != a.shape:
        if axis is None or w.ndim != 1:
            raise ValueError(f"weights of shape {w.shape} do not match the array of shape {a.shape}")
        shape = [1] * a.ndim
        shape[normalize_axis(axis, a.ndim)] = w.shape[0]
        w = w.reshape(shape)
    scl = sum(w * np.ones(1, dtype=a.dtype) + 0 * a, axis=axis, keepdims=keepdims)
    avg = sum(a * w, axis=axis, keepdims=keepdims) / scl
    if returned and scl.shape != avg.shape:
        from .creation import broadcast_to

        scl = broadcast_to(scl, avg.shape)
    return (avg, scl) if returned else avg
