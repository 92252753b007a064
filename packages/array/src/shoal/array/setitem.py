"""Assignment: ``x[index] = value`` builds a new graph and rebinds ``x`` to it (arrays stay
immutable underneath). Masks (``x[x > 0] = 0``) become ``where``; ints/slices touch only the blocks
they cover."""

import itertools

import numpy as np

from shoal.base import tokenize

from .chunks import chunk_offsets, is_unknown, unknown_chunks_message
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def setitem(x, index, value):
    from .elementwise import where
    from .io import asarray
    from .slicing import _normalize_index

    if isinstance(index, Array) and index.dtype == bool:
        if index.shape != x.shape:
            from .creation import broadcast_to

            if index.ndim > x.ndim:
                raise IndexError(f"boolean mask of shape {index.shape} is larger than the array of shape {x.shape}")
            index = broadcast_to(index.reshape(index.shape + (1,) * (x.ndim - index.ndim)), x.shape)
        if isinstance(value, Array) and value.ndim and value.shape != x.shape:
            raise ValueError(
                f"assigning an array of shape {value.shape} through a boolean mask needs the array shape "
                f"{x.shape} or a scalar"
            )
        return where(index, asarray(value).astype(x.dtype) if isinstance(value, Array) else _cast(value, x.dtype), x)
    if isinstance(index, np.ndarray) and index.dtype == bool and index.shape == x.shape:
        return where(asarray(index), _cast(value, x.dtype), x)
    if any(is_unknown(s) for s in x.shape):
        raise ValueError(unknown_chunks_message(x.shape, "assignment"))
    index = _normalize_index(x, index)
    if any(i is None for i in index):
        index = [i for i in index if i is not None]
    index = [_as_positions(i) for i in index]
    if sum(isinstance(i, np.ndarray) for i in index) > 1:
        raise NotImplementedError(
            "assignment with more than one integer-array or boolean index (NumPy pairs them pointwise) is "
            "not supported; index one axis with an array and the others with integers or slices"
        )
    regions = [_region(i, n, d, x.shape) for d, (i, n) in enumerate(zip(index, x.shape))]
    target_shape = tuple(len(r) for r, dropped in regions if not dropped)
    if isinstance(value, Array):
        from .creation import broadcast_to

        try:
            value_array = broadcast_to(value, target_shape).astype(x.dtype)
        except ValueError:
            raise ValueError(
                f"could not broadcast a value of shape {value.shape} into the selected region of shape "
                f"{target_shape} (array shape {x.shape})"
            ) from None
    else:
        value = np.asarray(value)
        try:
            value = np.broadcast_to(value, target_shape)
        except ValueError:
            raise ValueError(
                f"could not broadcast a value of shape {value.shape} into the selected region of shape "
                f"{target_shape} (array shape {x.shape})"
            ) from None
        value_array = None
    name = f"setitem-{tokenize(x.name, [str(i) for i in index], value if value_array is None else value_array.name)}"
    layer = {}
    pieces = []
    offsets = [chunk_offsets(c) for c in x.chunks]
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        key = (x.name,) + idx
        local, picks = [], []
        for d, (positions, dropped) in enumerate(regions):
            lo, hi = offsets[d][idx[d]], offsets[d][idx[d] + 1]
            inside = np.nonzero((positions >= lo) & (positions < hi))[0]
            local.append(positions[inside] - lo)
            picks.append((inside, dropped))
        if any(len(loc) == 0 for loc in local):
            layer[(name,) + idx] = (_same, key)
            continue
        if value_array is not None:
            piece = value_array[tuple(_piece_index(p) for p, dropped in picks if not dropped)]
            piece = piece.rechunk(tuple((s,) for s in piece.shape)) if piece.ndim else piece
            pieces.append(piece)
            value_key = (piece.name,) + (0,) * piece.ndim
            shape = tuple(len(loc) for loc in local)
            layer[(name,) + idx] = (_assign, key, tuple(local), (np.reshape, value_key, shape))
        else:
            sub = value[np.ix_(*[p for p, dropped in picks if not dropped])] if target_shape else value
            sub = sub.reshape(tuple(len(loc) for loc in local))
            layer[(name,) + idx] = (_assign, key, tuple(local), sub.astype(x.dtype, copy=False))
    deps = [x] + pieces
    return Array(HighLevelGraph.from_collections(name, layer, deps), name, x.chunks, x.dtype)


def _cast(value, dtype):
    return np.asarray(value).astype(dtype) if np.ndim(value) else np.asarray(value, dtype=dtype)[()]


def _as_positions(index):
    """Integer lists and 1-d boolean masks of one axis become NumPy integer arrays."""
    if isinstance(index, Array):
        raise NotImplementedError(
            "assignment through a shoal array index other than a boolean mask of the array's shape; "
            "compute the index first (index.compute())"
        )
    if isinstance(index, (slice, int, np.integer)):
        return index
    positions = np.asarray(index)
    if positions.dtype == bool:
        return np.flatnonzero(positions) if positions.ndim == 1 else positions
    if positions.ndim != 1 or positions.dtype.kind not in "iu":
        raise NotImplementedError(
            f"assignment supports integers, slices, 1-d integer arrays and boolean masks; got {index!r}"
        )
    return positions


def _piece_index(positions):
    """Select the value positions of one block: a slice when consecutive, else the positions."""
    if len(positions) and np.array_equal(positions, np.arange(positions[0], positions[0] + len(positions))):
        return slice(int(positions[0]), int(positions[-1]) + 1)
    return positions


def _region(index, n, axis, shape):
    if isinstance(index, slice):
        return np.arange(*index.indices(n)), False
    if isinstance(index, np.ndarray):
        if index.ndim != 1 or index.dtype == bool:
            raise IndexError(f"boolean index of shape {index.shape} does not match axis {axis} of an array "
                             f"of shape {shape}")
        bad = index[(index < -n) | (index >= n)]
        if len(bad):
            raise IndexError(f"index {int(bad[0])} is out of bounds for axis {axis} with size {n} "
                             f"(array shape {shape})")
        return index % n, False
    i = int(index)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n} (array shape {shape})")
    return np.array([i % n]), True


def _same(block):
    return block


def _assign(block, local, value):
    out = block.copy()
    out[np.ix_(*local)] = value
    return out
