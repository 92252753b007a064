"""Rechunking: changing block boundaries, with a plan that bounds the memory of every task.

A one-stage rechunk cuts every input block into the pieces that the output blocks need and glues
the pieces of each output block together, in one task per output block. When an axis is split while another is merged — e.g.
(2000, 20000) blocks to (20000, 2000) — each output block would otherwise wait on slices of many
large input blocks, so the plan goes through an intermediate chunking that only splits first and
only merges second: every task then holds at most one input or one output block. That costs a task
per piece, so it is only done when the input blocks one output block reads exceed
``array.chunk-size`` in bytes.
"""

import itertools
import math

import numpy as np

import shoal.config
from shoal.base import tokenize
from shoal.utils import parse_bytes

from .blockwise import concatenate_axes
from .chunks import chunk_offsets, is_unknown, normalize_chunks
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def rechunk(x, chunks="auto", threshold=None, block_size_limit=None, balance=False):
    """Return ``x`` with new block boundaries ``chunks`` (any form normalize_chunks accepts)."""
    if isinstance(chunks, dict):
        chunks = {k % x.ndim if x.ndim else k: v for k, v in chunks.items()}
        for ax, c in list(chunks.items()):
            if c is None:
                chunks[ax] = x.chunks[ax]
    if isinstance(chunks, (tuple, list)):
        chunks = tuple(x.chunks[i] if c is None else c for i, c in enumerate(chunks))
    unknown = [i for i, c in enumerate(x.chunks) if any(is_unknown(s) for s in c)]
    if unknown:
        return _rechunk_unknown(x, chunks, unknown)
    target = normalize_chunks(chunks, x.shape, limit=block_size_limit, dtype=x.dtype,
                              previous_chunks=x.chunks)
    if balance:
        target = balance_chunks(target, x.shape)
    if target == x.chunks:
        return x
    for c, dim in zip(target, x.shape):
        if sum(c) != dim:
            raise ValueError(f"rechunk: chunks {target} do not match the array shape {x.shape}")
    for stage in plan_rechunk(x.chunks, target, threshold, itemsize=x.dtype.itemsize):
        x = _rechunk_one_stage(x, stage)
    return x


def _rechunk_unknown(x, chunks, unknown):
    if isinstance(chunks, dict):
        asked = {k: v for k, v in chunks.items()}
    elif isinstance(chunks, tuple):
        asked = dict(enumerate(chunks))
    else:
        asked = {}
    for ax in unknown:
        if ax in asked and asked[ax] not in (x.chunks[ax], -1, None) or (not asked and chunks != "auto"):
            from .chunks import unknown_chunks_message

            raise ValueError(unknown_chunks_message(x.shape, f"rechunking axis {ax}"))
    known = {k: v for k, v in asked.items() if k not in unknown}
    if not known:
        return x
    full = tuple(known.get(i, c) for i, c in enumerate(x.chunks))
    shape = tuple(s if i not in unknown else 1 for i, s in enumerate(x.shape))
    target = list(normalize_chunks(tuple(c if i not in unknown else (1,) for i, c in enumerate(full)), shape, dtype=x.dtype))
    for ax in unknown:
        target[ax] = x.chunks[ax]
    return _rechunk_one_stage(x, tuple(target))


def plan_rechunk(old, new, threshold=None, itemsize=8):
    """The list of chunkings to pass through, ending with ``new`` (``itemsize``: bytes per element)."""
    threshold = threshold or shoal.config.get("array.rechunk.stage-threshold", 4)
    splits = [len(n) > len(o) or _finer(o, n) for o, n in zip(old, new)]
    merges = [_coarser(o, n) for o, n in zip(old, new)]
    if not (any(splits) and any(merges)):
        return [new]
    limit = parse_bytes(shoal.config.get("array.chunk-size", "128MiB"))
    if _max_block(old) * _max_fanin(old, new) * itemsize <= limit:
        return [new]  # the input blocks of any output block fit in one block's memory budget
    pieces = math.prod(_pieces(o, n) for o, n in zip(old, new))
    nblocks = math.prod(len(n) for n in new)
    if pieces <= threshold * nblocks and _max_block(old) * _max_fanin(old, new) <= 4 * _max_block(new):
        return [new]
    middle = tuple(n if s and not m else o if m and not s else _refine(o, n) for o, n, s, m in zip(old, new, splits, merges))
    if middle in (old, new):
        return [new]
    return [middle, new]


def _finer(o, n):
    return len(n) > len(o)


def _coarser(o, n):
    return len(n) < len(o)


def _refine(o, n):
    from .chunks import common_refinement

    return common_refinement(o, n)


def _pieces(o, n):
    return len(set(chunk_offsets(o)) | set(chunk_offsets(n))) - 1


def _max_block(chunks):
    return math.prod(max(c) if c else 1 for c in chunks)


def _max_fanin(old, new):
    return math.prod(max(len(p) for p in _intersections(o, n)) for o, n in zip(old, new))


def _intersections(old, new):
    """For each new block along one axis: [(old block index, slice within it), ...]."""
    old_off = chunk_offsets(old)
    out = []
    i = 0
    for start, stop in zip(chunk_offsets(new)[:-1], chunk_offsets(new)[1:]):
        parts = []
        while i < len(old) - 1 and old_off[i + 1] <= start:
            i += 1
        j = i
        while j < len(old):
            lo, hi = max(start, old_off[j]), min(stop, old_off[j + 1])
            if hi > lo or (stop == start and j == i):
                parts.append((j, slice(lo - old_off[j], hi - old_off[j])))
            if old_off[j + 1] >= stop:
                break
            j += 1
        out.append(parts or [(i, slice(0, 0))])
    return out


def _rechunk_one_stage(x, new):
    name = f"rechunk-{tokenize(x.name, new)}"
    cross = [
        _intersections(o, n) if o != n else [[(i, slice(None))] for i in range(len(o))]
        for o, n in zip(x.chunks, new)
    ]
    layer = {}
    for idx in itertools.product(*(range(len(c)) for c in new)):
        parts = [cross[d][i] for d, i in enumerate(idx)]
        if all(len(p) == 1 for p in parts):
            src = (x.name,) + tuple(p[0][0] for p in parts)
            slices = tuple(p[0][1] for p in parts)
            full = all(s == slice(None) or (s.start == 0 and s.stop == x.chunks[d][p[0][0]]) for d, (s, p) in enumerate(zip(slices, parts)))
            layer[(name,) + idx] = (_copy_of, src) if full else (_getitem, src, slices)
            continue
        layer[(name,) + idx] = (concatenate_axes, _nested_pieces(x.name, parts), list(range(x.ndim)))
    if not x.chunks:
        layer = {(name,): (_copy_of, (x.name,))}
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, new, x.dtype)


def _nested_pieces(name, parts, prefix=()):
    if len(prefix) == len(parts):
        src = (name,) + tuple(p[0] for p in prefix)
        return (_getitem, src, tuple(p[1] for p in prefix))
    return [_nested_pieces(name, parts, prefix + (p,)) for p in parts[len(prefix)]]


def _getitem(block, slices):
    return block[slices]


def _copy_of(block):
    return block


def balance_chunks(chunks, shape):
    """Even out block sizes while keeping the number of blocks (for ``balance=True``)."""
    return tuple(tuple(np.diff(np.linspace(0, s, len(c) + 1).round().astype(int)).tolist()) for c, s in zip(chunks, shape))
