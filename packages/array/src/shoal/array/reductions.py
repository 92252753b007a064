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
from .graph import graph_from_layer
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
    """Build a tree reduction of ``x`` over ``axis`` (see the module docstring for the functions)."""
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
        tmp = _partial_reduce(tmp, combine, axes, groups, f"{name}-combine-{depth}-{token}", keepdims=True)
        depth += 1
    groups = {a: tmp.numblocks[a] for a in axes}
    return _partial_reduce(tmp, aggregate, axes, groups, f"{name}-aggregate-{token}", keepdims=keepdims,
                           dtype=dtype, output_size=output_size, final=True)


def _partial_reduce(x, func, axes, groups, name, keepdims, dtype=None, output_size=1, final=False):
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
        nested = _nested_keys(x.name, ranges)
        key_idx = out_idx if keepdims else tuple(i for d, i in enumerate(out_idx) if d not in axes)
        layer[(name,) + key_idx] = (_reduce_group, func, nested, list(range(x.ndim)), axes, keepdims)
    if keepdims:
        chunks = tuple((output_size if final else 1,) * n if d in axes else c
                       for d, (n, c) in enumerate(zip(out_numblocks, x.chunks)))
    else:
        chunks = tuple(c for d, c in enumerate(x.chunks) if d not in axes)
    if not chunks:
        layer = {(name,): v for v in layer.values()}
    return Array(graph_from_layer(name, layer, [x]), name, chunks, dtype)


def _nested_keys(name, ranges, prefix=()):
    if len(prefix) == len(ranges):
        return (name,) + prefix
    return [_nested_keys(name, ranges, prefix + (i,)) for i in ranges[len(prefix)]]


def _reduce_group(func, nested, all_axes, axes, keepdims):
    return func(concatenate_axes(nested, all_axes), axis=axes, keepdims=keepdims)


# -- simple reductions ---------------------------------------------------------------------------

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
        return np_func(block, axis=axis, keepdims=keepdims, **extra)

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
    if skipna:
        return np.sum(~np.isnan(block), axis=axis, keepdims=keepdims)
    n = math.prod(block.shape[a] for a in axis)
    shape = tuple(1 if d in axis else s for d, s in enumerate(block.shape)) if keepdims else \
        tuple(s for d, s in enumerate(block.shape) if d not in axis)
    return np.full(shape, n, dtype=np.intp)


def _mean_chunk(block, axis, keepdims, skipna=False, dtype=None):
    total = (np.nansum if skipna else np.sum)(block, axis=axis, keepdims=True, dtype=dtype)
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

def _arg_chunk(block, offsets, shape, axis, pick, skipna):
    """Per block: best value and its global index (flat over ``shape`` when ``axis`` is None)."""
    if axis is None:
        flat = block.ravel()
        if flat.size == 0:
            return {"vals": np.empty((1,) * block.ndim, block.dtype), "args": np.full((1,) * block.ndim, -1)}
        i = _safe_arg(pick, flat, 0, skipna)
        local = np.unravel_index(i, block.shape)
        glob = np.ravel_multi_index(tuple(int(i) + o for i, o in zip(local, offsets)), shape)
        return {"vals": flat[i].reshape((1,) * block.ndim), "args": np.full((1,) * block.ndim, glob, dtype=np.intp)}
    if block.shape[axis] == 0:
        return {"vals": block, "args": np.zeros(block.shape, dtype=np.intp)}
    i = _safe_arg(pick, block, axis, skipna)
    vals = np.take_along_axis(block, np.expand_dims(i, axis), axis)
    return {"vals": vals, "args": np.expand_dims(i, axis) + offsets[axis]}


def _safe_arg(pick, block, axis, skipna):
    if skipna:
        fill = np.inf if pick is np.argmin else -np.inf
        if block.dtype.kind == "f":
            allnan = np.all(np.isnan(block), axis=axis)
            out = pick(np.where(np.isnan(block), fill, block), axis=axis)
            return np.where(allnan, 0, out) if np.ndim(out) else out
    return pick(block, axis=axis)


def _arg_combine(parts, axis, keepdims, pick, skipna):
    vals, args = parts["vals"], parts["args"]
    if axis is None or len(axis) > 1 or vals.ndim == 0:
        flat_v, flat_a = vals.ravel(), args.ravel()
        valid = flat_a >= 0
        i = int(np.flatnonzero(valid)[_safe_arg(pick, flat_v[valid], 0, skipna)]) if valid.any() else 0
        shape = (1,) * vals.ndim
        return {"vals": flat_v[i].reshape(shape), "args": flat_a[i].reshape(shape)}
    ax = axis[0]
    i = np.expand_dims(_safe_arg(pick, vals, ax, skipna), ax)
    return {"vals": np.take_along_axis(vals, i, ax), "args": np.take_along_axis(args, i, ax)}


def _arg_agg(parts, axis, keepdims, pick, skipna, flat_axis):
    out = _arg_combine(parts, axis if not flat_axis else None, keepdims, pick, skipna)["args"]
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def _arg_reduction(a, axis, keepdims, split_every, pick, skipna, what):
    import functools

    from .io import asarray

    a = asarray(a)
    if a.size == 0:
        raise ValueError(f"attempt to get {what} of an empty sequence (array shape {a.shape})")
    if builtins.any(math.isnan(s) for s in a.shape):
        from .chunks import unknown_chunks_message

        raise ValueError(unknown_chunks_message(a.shape, what))
    flat = axis is None
    if not flat:
        axis = normalize_axis(axis, a.ndim, a.shape)
    offsets = [np.cumsum((0,) + c[:-1]) for c in a.chunks]
    name = f"{what}-chunk-{tokenize(a.name, axis, skipna)}"
    layer = {}
    for idx in itertools.product(*(range(n) for n in a.numblocks)):
        off = tuple(int(offsets[d][i]) for d, i in enumerate(idx))
        layer[(name,) + idx] = (_arg_chunk, (a.name,) + idx, off, a.shape, None if flat else axis, pick, skipna)
    axes = tuple(range(a.ndim)) if flat else (axis,)
    chunks = tuple((1,) * len(c) if d in axes else c for d, c in enumerate(a.chunks))
    tmp = Array(graph_from_layer(name, layer, [a]), name, chunks, np.intp)
    combine = functools.partial(_arg_combine, pick=pick, skipna=skipna)
    agg = functools.partial(_arg_agg, pick=pick, skipna=skipna, flat_axis=flat)
    ident = functools.partial(_identity_chunk)
    return reduction(tmp, ident, agg, combine=combine, axis=None if flat else axis, keepdims=keepdims,
                     dtype=np.dtype(np.intp), split_every=split_every, name=what)


def _identity_chunk(block, axis, keepdims):
    return block


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
        avg = mean(a, axis=axis, keepdims=keepdims)
        scl = avg.dtype.type(a.size / avg.size) if a.size else avg.dtype.type(0)
        return (avg, scl) if returned else avg
    w = asarray(weights)
    if w.shape != a.shape:
        if axis is None or w.ndim != 1:
            raise ValueError(f"weights of shape {w.shape} do not match the array of shape {a.shape}")
        shape = [1] * a.ndim
        shape[normalize_axis(axis, a.ndim)] = w.shape[0]
        w = w.reshape(shape)
    scl = sum(w * np.ones(1, dtype=a.dtype) + 0 * a, axis=axis, keepdims=keepdims)
    avg = sum(a * w, axis=axis, keepdims=keepdims) / scl
    return (avg, scl) if returned else avg
