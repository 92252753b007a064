"""map_blocks: apply a function to every block (with optional ``block_id``/``block_info``)."""

import functools
import inspect
import itertools
import warnings

import numpy as np

from shoal.base import tokenize
from shoal.utils import funcname

from .blockwise import blockwise
from .chunks import chunk_offsets
from .core import Array
from shoal.highlevelgraph import HighLevelGraph

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def infer_dtype(func, args, kwargs):
    """The dtype ``func`` returns for empty blocks of the inputs' dtypes (None if that fails)."""
    samples = [np.empty((0,) * a.ndim, a.dtype) if isinstance(a, Array) else a for a in args]
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = func(*samples, **kwargs)
        return getattr(out, "dtype", None)
    except Exception:
        return None


def map_blocks(func, *args, name=None, token=None, dtype=None, chunks=None, drop_axis=None,
               new_axis=None, enforce_ndim=False, meta=None, **kwargs):
    """Apply ``func`` to each block of the array arguments (aligned, broadcast) and collect the
    results as a new Array. Give ``chunks`` when blocks change shape, ``drop_axis``/``new_axis`` when
    axes disappear or appear. ``func`` may take ``block_id=`` (block index) and ``block_info=``."""
    if not callable(func):
        raise TypeError(f"map_blocks needs a function first, got {type(func).__name__}")
    arrays = [a for a in args if isinstance(a, Array)]
    if not arrays:
        raise ValueError("map_blocks needs at least one shoal array argument")
    if dtype is None and meta is not None:
        dtype = meta.dtype
    if dtype is None:
        dtype = infer_dtype(func, args, kwargs) or arrays[0].dtype
    ndim = max(a.ndim for a in arrays)
    drop_axis = [d % ndim for d in _as_list(drop_axis)]
    new_axis = _as_list(new_axis)
    in_ind = _LETTERS[:ndim]
    out_ind = [c for i, c in enumerate(in_ind) if i not in drop_axis]
    out_ndim = len(out_ind) + len(new_axis)
    new_letters = {}
    for pos, ax in enumerate(sorted(a % out_ndim for a in new_axis)):
        letter = _LETTERS[ndim + pos]
        out_ind.insert(ax, letter)
        new_letters[letter] = ax
    wants_id = _has_param(func, "block_id")
    wants_info = _has_param(func, "block_info")
    name = name or f"{token or funcname(func)}-{tokenize(func, *[a.name if isinstance(a, Array) else a for a in args], dtype, chunks, drop_axis, new_axis, kwargs)}"
    new_axes = {}
    for letter, ax in new_letters.items():
        size = 1
        if chunks is not None and len(chunks) == out_ndim:
            c = chunks[ax]
            size = tuple(c) if isinstance(c, (tuple, list)) else (int(c),)
        new_axes[letter] = size
    pairs = []
    for a in args:
        pairs += [a, in_ind[ndim - a.ndim:]] if isinstance(a, Array) else [a, None]
    if enforce_ndim:
        func = functools.partial(_check_ndim, func, out_ndim)
    out = blockwise(func, "".join(out_ind), *pairs, name=name, dtype=dtype, new_axes=new_axes,
                    concatenate=True, **kwargs)
    out_chunks = _output_chunks(out.chunks, chunks)
    if wants_id or wants_info:
        out = _with_block_ids(func, args, ndim, out, out_chunks, drop_axis, new_letters, out_ind, dtype,
                              wants_id, wants_info, kwargs)
    return Array(out.dask, out.name, out_chunks, dtype)


def _check_ndim(func, ndim, *args, **kwargs):
    out = func(*args, **kwargs)
    if np.ndim(out) != ndim:
        raise ValueError(f"map_blocks: the function returned a block of shape {np.shape(out)}, expected {ndim} dimensions")
    return out


def _as_list(x):
    if x is None:
        return []
    return [x] if isinstance(x, (int, np.integer)) else list(x)


def _has_param(func, name):
    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _output_chunks(current, chunks):
    if chunks is None:
        return current
    if len(chunks) != len(current):
        raise ValueError(
            f"map_blocks: chunks={chunks} has {len(chunks)} axes but the output has {len(current)}"
        )
    out = []
    for c, cur in zip(chunks, current):
        if isinstance(c, (tuple, list)):
            if len(c) != len(cur):
                raise ValueError(f"map_blocks: chunks {tuple(c)} give {len(c)} blocks, the output has {len(cur)}")
            out.append(tuple(c))
        else:
            out.append((int(c),) * len(cur))
    return tuple(out)


def _with_block_ids(func, args, ndim, out, out_chunks, drop_axis, new_letters, out_ind, dtype,
                    wants_id, wants_info, kwargs):
    """Rebuild the layer task by task, passing each block its position (block_id / block_info)."""
    from shoal.utils import apply

    arrays = [a for a in args if isinstance(a, Array)]
    out_numblocks = tuple(len(c) for c in out_chunks)
    out_offsets = [chunk_offsets(c) for c in out_chunks]
    layer = {}
    for idx in itertools.product(*(range(n) for n in out_numblocks)):
        in_idx = [0] * ndim
        pos = 0
        for i, letter in enumerate(out_ind):
            if letter in new_letters.keys():
                continue
            while pos in drop_axis:
                pos += 1
            in_idx[pos] = idx[i]
            pos += 1
        task_args, info = [], {}
        for n, a in enumerate(args):
            if not isinstance(a, Array):
                task_args.append(a)
                continue
            aidx = tuple(0 if nb == 1 else in_idx[ndim - a.ndim + d] for d, nb in enumerate(a.numblocks))
            if drop_axis and a.ndim == ndim and any(a.numblocks[d] > 1 for d in drop_axis):
                raise ValueError("map_blocks with block_id/block_info and drop_axis needs a single block on dropped axes")
            task_args.append((a.name,) + aidx)
            offs = [chunk_offsets(c) for c in a.chunks]
            info[n] = {
                "shape": a.shape, "num-chunks": a.numblocks, "chunk-location": aidx,
                "array-location": [(offs[d][i], offs[d][i + 1]) for d, i in enumerate(aidx)],
            }
        extra = dict(kwargs)
        if wants_id:
            extra["block_id"] = idx
        if wants_info:
            info[None] = {
                "shape": tuple(sum(c) for c in out_chunks), "num-chunks": out_numblocks,
                "chunk-location": idx, "dtype": dtype, "chunk-shape": tuple(c[i] for c, i in zip(out_chunks, idx)),
                "array-location": [(out_offsets[d][i], out_offsets[d][i + 1]) for d, i in enumerate(idx)],
            }
            extra["block_info"] = info
        layer[(out.name,) + idx] = (apply, func, task_args, extra) if extra else (func,) + tuple(task_args)
    return Array(HighLevelGraph.from_collections(out.name, layer, arrays), out.name, out_chunks, dtype)
