"""``shuffle``: reorder an array along one axis by groups of positions (Dask's ``Array.shuffle``).

The indexer is a list of groups of positions along ``axis``; the output holds the groups one after
another. A group is never split between output blocks, and consecutive groups share a block up to the
input's typical block length, so the output keeps about as many blocks as the input. Each output block
is one task gathering its rows from the input blocks that hold them.
"""

import numbers

import numpy as np

from .chunks import is_unknown, unknown_chunks_message
from .shape import normalize_axis


def _positions(indexer, size, axis, shape):
    """The groups as one flat array of non-negative positions, and the length of each group."""
    groups = [np.asarray(g, dtype=np.intp).ravel() if np.size(g) else np.empty(0, np.intp) for g in indexer]
    flat = np.concatenate(groups) if groups else np.empty(0, np.intp)
    bad = flat[(flat >= size) | (flat < -size)]
    if bad.size:
        raise IndexError(f"shuffle: index {bad[0]} is out of bounds for axis {axis} with size {size} "
                         f"(array shape {shape})")
    return np.where(flat < 0, flat + size, flat), [len(g) for g in groups]


def _output_pieces(group_lengths, target):
    """Pack consecutive groups into output blocks of at most ``target`` elements (a longer group gets
    a block of its own); pieces are (start, stop) positions in the flattened indexer."""
    pieces, start, stop = [], 0, 0
    for n in group_lengths:
        if stop > start and stop - start + n > target:
            pieces.append((start, stop))
            start = stop
        stop += n
    if stop > start or not pieces:
        pieces.append((start, stop))
    return pieces


def shuffle(x, indexer, axis, chunks="auto"):
    """Reorder ``x`` along ``axis`` so that the groups of positions in ``indexer`` (a list of lists of
    integers) follow one another, each group within one output block.

    ``chunks='auto'`` packs groups into blocks about as long as the input's largest block along
    ``axis``; an integer sets that block length instead. Positions may repeat or be left out, as in
    ``np.take(x, np.concatenate(indexer), axis)``, which this equals."""
    from .io import asarray
    from .slicing import take

    x = asarray(x)
    axis = normalize_axis(axis, x.ndim, x.shape)
    sizes = x.chunks[axis]
    if any(is_unknown(c) for c in sizes):
        raise ValueError(unknown_chunks_message(x.shape, f"shuffle along axis {axis}"))
    if chunks == "auto":
        target = max(max(sizes, default=1), 1)
    elif isinstance(chunks, numbers.Integral) and chunks > 0:
        target = int(chunks)
    else:
        raise ValueError(f"shuffle: chunks must be 'auto' or a positive block length, got {chunks!r}")
    flat, lengths = _positions(indexer, x.shape[axis], axis, x.shape)
    return take(x, flat, axis, pieces=_output_pieces(lengths, target))
