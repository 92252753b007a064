"""reshape and ravel: NumPy (C-order) semantics on a chunked array.

The old and new shapes are matched in groups of axes whose sizes multiply to the same number. Within
a group, all axes but the first are made whole (one block), so every block reshapes on its own; the
first axis of a split group is rechunked to a multiple of the trailing size so blocks divide evenly.
"""

import itertools
import math

import numpy as np

from shoal.base import tokenize

from .chunks import is_unknown, unknown_chunks_message
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _new_shape(shape, size):
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise ValueError(f"can only specify one unknown dimension, got {shape}")
    if -1 in shape:
        known = math.prod(s for s in shape if s != -1)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
        shape = tuple(size // known if s == -1 else s for s in shape)
    if math.prod(shape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {shape}")
    return shape


def _groups(old, new):
    """Pairs (old axes, new axes) whose sizes multiply to the same product, left to right."""
    groups = []
    i = j = 0
    while i < len(old) or j < len(new):
        gi, gj = [i] if i < len(old) else [], [j] if j < len(new) else []
        po = old[i] if i < len(old) else 1
        pn = new[j] if j < len(new) else 1
        i, j = i + bool(gi), j + bool(gj)
        while po != pn:
            if po < pn and i < len(old):
                po *= old[i]
                gi.append(i)
                i += 1
            elif j < len(new):
                pn *= new[j]
                gj.append(j)
                j += 1
            else:
                po *= old[i]
                gi.append(i)
                i += 1
        # absorb trailing length-1 axes into this group so every axis belongs somewhere
        while i < len(old) and old[i] == 1 and (j >= len(new) or new[j] != 1):
            gi.append(i)
            i += 1
        while j < len(new) and new[j] == 1 and (i >= len(old) or old[i] != 1):
            gj.append(j)
            j += 1
        groups.append((gi, gj))
    return groups


def reshape(x, shape, merge_chunks=True, limit=None):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    if any(is_unknown(s) for s in x.shape):
        raise ValueError(unknown_chunks_message(x.shape, "reshape"))
    shape = _new_shape(shape, x.size)
    if shape == x.shape:
        return x
    if x.npartitions == 1:
        return _reshape_blocks(x, shape, tuple((s,) for s in shape))
    groups = _groups(x.shape, shape)
    in_chunks = list(x.chunks)
    out_chunks = [None] * len(shape)
    for gi, gj in groups:
        if not gi:
            for j in gj:
                out_chunks[j] = (shape[j],)
            continue
        if not gj:
            continue
        for i in gi[1:]:
            in_chunks[i] = (x.shape[i],)
        lead_in = gi[0]
        inner_in = math.prod(x.shape[i] for i in gi[1:])
        inner_out = math.prod(shape[j] for j in gj[1:])
        # leading input blocks must hold whole rows of the trailing output axes
        step = inner_out // math.gcd(inner_out, inner_in)
        if any(c % step for c in in_chunks[lead_in]):
            in_chunks[lead_in] = _multiples(in_chunks[lead_in], step, x.shape[lead_in])
        lead_out = tuple(c * inner_in // inner_out for c in in_chunks[lead_in])
        out_chunks[gj[0]] = lead_out
        for j in gj[1:]:
            out_chunks[j] = (shape[j],)
    x = x.rechunk(tuple(in_chunks))
    return _reshape_blocks(x, shape, tuple(out_chunks))


def _multiples(chunks, step, total):
    size = max(step, (max(chunks) // step) * step)
    n, rest = divmod(total, size)
    return (size,) * n + ((rest,) if rest else ()) or (0,)


def _reshape_blocks(x, shape, out_chunks):
    name = f"reshape-{tokenize(x.name, shape)}"
    in_keys = [(x.name,) + idx for idx in itertools.product(*(range(n) for n in x.numblocks))]
    out_idx = list(itertools.product(*(range(len(c)) for c in out_chunks)))
    if len(in_keys) != len(out_idx):
        raise AssertionError(f"reshape plan mismatch for {x.shape} -> {shape}")
    layer = {}
    for key, idx in zip(in_keys, out_idx):
        layer[(name,) + idx] = (np.reshape, key, tuple(c[i] for c, i in zip(out_chunks, idx)))
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, out_chunks, x.dtype)


def ravel(x):
    from .io import asarray

    return asarray(x).reshape(-1)
