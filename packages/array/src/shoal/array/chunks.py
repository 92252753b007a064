"""Chunk specifications: turning what users write (``'auto'``, ``1000``, ``(100, 50)``, ``{0: -1}``,
explicit block sizes) into the canonical tuple-of-tuples form, and helpers over chunk tuples."""

import math
from itertools import accumulate

import numpy as np

import shoal.config
from shoal.utils import parse_bytes


def is_unknown(n):
    """True for a NaN chunk or dimension size (known only after computing)."""
    return isinstance(n, float) and math.isnan(n)


def blockdims_from_blockshape(shape, blocksize):
    """Block sizes along each axis for regular blocks of ``blocksize`` covering ``shape``."""
    out = []
    for dim, size in zip(shape, blocksize):
        if is_unknown(dim):
            out.append((dim,))
            continue
        size = int(size)
        if dim == 0:
            out.append((0,))
            continue
        if size <= 0:
            raise ValueError(f"chunk sizes must be positive, got {blocksize} for shape {shape}")
        full, rest = divmod(int(dim), size)
        out.append((size,) * full + ((rest,) if rest else ()))
    return tuple(out)


def normalize_chunks(chunks, shape=None, limit=None, dtype=None, previous_chunks=None):
    """Return chunks as a tuple of tuples of block sizes, one tuple per axis.

    Accepts an int (same block size on every axis), a tuple with one entry per axis (an int, -1 or
    None for the whole axis, ``'auto'``, or an explicit tuple of block sizes), a dict {axis: entry}
    (missing axes keep ``previous_chunks`` or become whole), ``'auto'``, or a byte string such as
    ``'64MiB'`` meaning 'auto' with that target.
    """
    if shape is not None:
        shape = tuple(shape)
    if isinstance(chunks, list):
        chunks = tuple(chunks)
    if isinstance(chunks, dict):
        if shape is None:
            raise ValueError("chunks given as a dict need the array shape")
        ndim = len(shape)
        base = previous_chunks if previous_chunks is not None else tuple(-1 for _ in shape)
        for ax in chunks:
            if not -ndim <= ax < ndim:
                raise ValueError(f"chunks dict names axis {ax} but the array has shape {shape}")
        chunks = tuple(chunks.get(i, chunks.get(i - ndim, base[i])) for i in range(ndim))
    if isinstance(chunks, (str, int, np.integer)) or chunks is None:
        if shape is None:
            raise ValueError(f"chunks={chunks!r} needs the array shape")
        chunks = (chunks,) * len(shape)
    chunks = tuple(chunks)
    if shape is None:
        if all(isinstance(c, tuple) for c in chunks):
            return tuple(tuple(_as_size(s) for s in c) for c in chunks)
        raise ValueError(f"cannot normalise chunks {chunks!r} without the array shape")
    if len(chunks) != len(shape):
        if not shape and chunks in ((), ((),)):
            return ()
        raise ValueError(
            f"chunks {chunks!r} have {len(chunks)} entries but the array shape {shape} has {len(shape)} axes"
        )
    entries = []
    for c, dim in zip(chunks, shape):
        if c is None or (isinstance(c, (int, np.integer)) and c == -1):
            entries.append((dim,))
        elif isinstance(c, (tuple, list)):
            entries.append(tuple(_as_size(s) for s in c))
        elif isinstance(c, str):
            entries.append(c)
        else:
            entries.append(int(c))
    if any(isinstance(e, str) for e in entries):
        entries = _auto_chunks(entries, shape, limit, dtype, previous_chunks)
    result = tuple(
        e if isinstance(e, tuple) else blockdims_from_blockshape((dim,), (max(e, 1) if dim else 1,))[0]
        for e, dim in zip(entries, shape)
    )
    for c, dim in zip(result, shape):
        if not any(is_unknown(s) for s in c) and not is_unknown(dim) and sum(c) != dim:
            raise ValueError(
                f"chunks {result} do not add up to the array shape {shape}: axis of length {dim} got "
                f"blocks {c} summing to {sum(c)}"
            )
    return result


def _as_size(s):
    if is_unknown(s):
        return s
    return int(s)


def _auto_chunks(entries, shape, limit, dtype, previous_chunks):
    """Replace 'auto' entries by block sizes so that a block holds about ``limit`` bytes."""
    explicit_limit = [parse_bytes(e) for e in entries if isinstance(e, str) and e != "auto"]
    if limit is None:
        limit = explicit_limit[0] if explicit_limit else shoal.config.get("array.chunk-size", "128MiB")
    limit = parse_bytes(limit)
    itemsize = np.dtype(dtype if dtype is not None else float).itemsize
    if np.dtype(dtype if dtype is not None else float) == object:
        itemsize = 16
    fixed = 1
    auto_axes = []
    for i, e in enumerate(entries):
        if isinstance(e, str):
            auto_axes.append(i)
        elif isinstance(e, tuple):
            fixed *= max(max(e, default=1), 1)
        else:
            fixed *= max(e, 1)
    budget = max(limit / itemsize / fixed, 1)
    sizes = {}
    remaining = list(auto_axes)
    # axes shorter than the ideal size take their whole length; the rest share what is left
    while remaining:
        ideal = budget ** (1 / len(remaining))
        small = [i for i in remaining if shape[i] <= ideal]
        if not small:
            for i in remaining:
                sizes[i] = _round_to_previous(max(int(ideal), 1), shape[i], previous_chunks, i)
            break
        for i in small:
            sizes[i] = max(int(shape[i]), 1)
            budget /= sizes[i]
            remaining.remove(i)
        budget = max(budget, 1)
    out = list(entries)
    for i in auto_axes:
        out[i] = sizes[i]
    return out


def _round_to_previous(size, dim, previous_chunks, axis):
    """Prefer multiples of the previous block size, so auto-rechunking aligns with existing blocks."""
    if previous_chunks is None:
        return size
    prev = previous_chunks[axis]
    prev = max(prev) if isinstance(prev, tuple) and prev else prev
    if isinstance(prev, (int, np.integer)) and 0 < prev <= size:
        return size // prev * prev
    return size


def chunk_offsets(chunks_1d):
    """Start offsets of each block along one axis (last entry is the total)."""
    return (0,) + tuple(accumulate(chunks_1d))


def common_refinement(*chunks_1d):
    """The coarsest block sizes whose boundaries include every boundary of every input."""
    bounds = sorted(set().union(*(chunk_offsets(c) for c in chunks_1d)))
    sizes = tuple(b - a for a, b in zip(bounds[:-1], bounds[1:]))
    return sizes if sizes else (0,)


def shape_from_chunks(chunks):
    return tuple(sum(c) if not any(is_unknown(s) for s in c) else math.nan for c in chunks)


def unknown_chunks_message(shape, what):
    return (
        f"{what} needs known chunk sizes, but this array has shape {shape} with unknown (NaN) chunk "
        "sizes, e.g. after boolean indexing. Call x.compute_chunk_sizes() first (or "
        "x = x.persist(); x.compute_chunk_sizes()) to compute them."
    )
