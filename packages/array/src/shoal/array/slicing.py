"""Indexing: integers, slices (any step, negative too), None/Ellipsis, integer arrays, boolean masks
(NumPy or shoal), ``x.blocks[...]`` and pointwise ``x.vindex[...]``.

Basic indexing (ints, slices, None) maps every output block to one input block and a local index.
An integer array on one axis gathers, for each piece of the index, from the input blocks it touches.
A shoal boolean mask keeps, per block, the selected elements: sizes become unknown (NaN).
"""

import functools
import itertools
import math
import numbers

import numpy as np

from shoal.base import tokenize

from .chunks import chunk_offsets, is_unknown, unknown_chunks_message
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


class GetitemLayer(dict):
    """Tasks slicing single blocks: cheap, fused into their consumer."""

    fusible = True


def _is_int(i):
    return isinstance(i, (numbers.Integral, np.integer)) and not isinstance(i, (bool, np.bool_))


def _normalize_index(x, index):
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, list):
            i = np.asarray(i)
            if i.size == 0:
                i = i.astype(np.intp)
        if isinstance(i, np.ndarray) and i.ndim == 0 and i.dtype != bool:
            i = i.item()
        if isinstance(i, (bool, np.bool_)):
            i = np.asarray(i)
        if isinstance(i, Array) and i.dtype != bool and i.ndim == 0:
            raise TypeError("indexing with a 0-d shoal array is not supported; use int(i) to compute it first")
        if not (i is None or i is Ellipsis or _is_int(i) or isinstance(i, (slice, np.ndarray, Array))):
            raise IndexError(
                f"unsupported index {i!r} of type {type(i).__name__} for an array of shape {x.shape}: "
                "use integers, slices, None, Ellipsis, integer arrays or boolean arrays"
            )
        if isinstance(i, np.ndarray) and i.dtype != bool and not np.issubdtype(i.dtype, np.integer):
            raise IndexError(f"arrays used as indices must be of integer or boolean type, got {i.dtype}")
        out.append(i)
    used = sum(i.ndim if isinstance(i, (np.ndarray, Array)) and i.dtype == bool else 0 if i is None or i is Ellipsis else 1
               for i in out)
    if sum(i is Ellipsis for i in out) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if used > x.ndim:
        raise IndexError(f"too many indices for an array of shape {x.shape}: {used} were indexed")
    if Ellipsis in [i for i in out if i is Ellipsis]:
        pos = next(k for k, i in enumerate(out) if i is Ellipsis)
        out = out[:pos] + [slice(None)] * (x.ndim - used) + out[pos + 1:]
    else:
        out += [slice(None)] * (x.ndim - used)
    return out


def getitem(x, index):
    index = _normalize_index(x, index)
    masks = [i for i in index if isinstance(i, (np.ndarray, Array)) and i.dtype == bool]
    if masks:
        return _getitem_with_masks(x, index)
    arrays = [k for k, i in enumerate(index) if isinstance(i, (np.ndarray, Array))]
    if not arrays:
        return basic_getitem(x, index)
    if len(arrays) > 1:
        return _outer_or_pointwise(x, index, arrays)
    # apply the basic part first, then the single array index on the axis it lands on
    pos = arrays[0]
    basic = [slice(None) if k == pos else i for k, i in enumerate(index)]
    y = basic_getitem(x, basic)
    axis = sum(1 for i in index[:pos] if not _is_int(i))
    idx = index[pos]
    if isinstance(idx, Array):
        return take_shoal(y, idx, axis)
    return take(y, idx, axis)


def _outer_or_pointwise(x, index, arrays):
    if any(isinstance(index[k], Array) for k in arrays):
        return _pointwise_with_shoal_indexes(x, index, arrays)
    basic = [slice(None) if k in arrays else i for k, i in enumerate(index)]
    y = basic_getitem(x, basic)
    # axes of y that carry the array indices
    axes = []
    for k in arrays:
        axes.append(sum(1 for i in index[:k] if not _is_int(i)))
    idx = [index[k] for k in arrays]
    out = vindex(y, dict(zip(axes, idx)))
    adjacent = arrays == list(range(arrays[0], arrays[0] + len(arrays)))
    if adjacent and axes[0] > 0:
        bdim = np.broadcast_shapes(*[np.shape(i) for i in idx])
        src = list(range(len(bdim)))
        return _moveaxes(out, src, [axes[0] + s for s in src])
    return out


def _pointwise_with_shoal_indexes(x, index, arrays):
    """``x[i, j]`` with shoal integer arrays: the indexed axes are merged into one, the index arrays
    become flat positions in it, and one gather reads them (NumPy's pointwise semantics)."""
    from .creation import broadcast_to
    from .elementwise import broadcast_shapes, elemwise
    from .io import asarray

    basic = [slice(None) if k in arrays else i for k, i in enumerate(index)]
    y = basic_getitem(x, basic)
    axes = [sum(1 for i in index[:k] if not _is_int(i)) for k in arrays]
    idx = [asarray(index[k]) for k in arrays]
    bshape = broadcast_shapes(*[i.shape for i in idx])
    if any(is_unknown(s) for s in bshape):
        raise ValueError(unknown_chunks_message(bshape, "indexing with several shoal index arrays"))
    sizes = tuple(int(y.shape[a]) for a in axes)
    flat = elemwise(functools.partial(_flat_positions, sizes, tuple(axes)),
                    *[broadcast_to(i, bshape) for i in idx], dtype=np.dtype(np.intp)).ravel()
    front = _moveaxes(y, axes, list(range(len(axes))))
    rest = front.shape[len(axes):]
    gathered = take_shoal(front.reshape((math.prod(sizes),) + rest), flat, 0)
    out = gathered.reshape(tuple(bshape) + rest)
    adjacent = arrays == list(range(arrays[0], arrays[0] + len(arrays)))
    if adjacent and axes[0] > 0:
        src = list(range(len(bshape)))
        return _moveaxes(out, src, [axes[0] + s for s in src])
    return out


def _flat_positions(sizes, axes, *index):
    wrapped = []
    for i, n, axis in zip(index, sizes, axes):
        bad = (i < -n) | (i >= n)
        if bad.any():
            raise IndexError(f"index {int(i[bad].flat[0])} is out of bounds for axis {axis} with size {n}")
        wrapped.append(np.where(i < 0, i + n, i))
    return np.ravel_multi_index(wrapped, sizes)


def _moveaxes(x, src, dst):
    from .shape import moveaxis

    return moveaxis(x, src, dst)


# -- basic indexing ------------------------------------------------------------------------------

def _slice_axis(chunks, index, axis, shape):
    """(output block sizes or None if the axis is dropped, [(input block, local index), ...])."""
    if any(is_unknown(c) for c in chunks):
        if isinstance(index, slice) and index == slice(None):
            return chunks, [(b, slice(None)) for b in range(len(chunks))]
        raise ValueError(unknown_chunks_message(shape, f"indexing axis {axis} with {index!r}"))
    dim = sum(chunks)
    offsets = chunk_offsets(chunks)
    if _is_int(index):
        i = int(index)
        if not -dim <= i < dim:
            raise IndexError(f"index {i} is out of bounds for axis {axis} with size {dim} (array shape {shape})")
        i %= dim
        b = int(np.searchsorted(offsets, i, side="right")) - 1
        while chunks[b] == 0:
            b += 1
        return None, [(b, i - offsets[b])]
    start, stop, step = index.indices(dim)
    if (start, stop, step) == (0, dim, 1):
        return chunks, [(b, slice(None)) for b in range(len(chunks))]
    out_sizes, parts = [], []
    if step > 0:
        for b in range(len(chunks)):
            lo, hi = offsets[b], offsets[b + 1]
            first = start + max(0, -(-(max(start, lo) - start) // step)) * step
            bound = min(stop, hi)
            if first < bound:
                n = -(-(bound - first) // step)
                parts.append((b, slice(first - lo, bound - lo, step)))
                out_sizes.append(n)
    else:
        s = -step
        for b in reversed(range(len(chunks))):
            lo, hi = offsets[b], offsets[b + 1]
            top = min(start, hi - 1)
            if top < lo or top <= stop:
                continue
            first = start - (-(-(start - top) // s)) * s
            low = max(stop + 1, lo)
            if first < low:
                continue
            n = (first - low) // s + 1
            local_stop = first - n * s - lo
            parts.append((b, slice(first - lo, local_stop if local_stop >= 0 else None, step)))
            out_sizes.append(n)
    if not parts:
        return (0,), [(0, slice(0, 0))]
    return tuple(out_sizes), parts


def basic_getitem(x, index):
    """Index with ints, slices and None only (``index`` already normalized to full length)."""
    if all(isinstance(i, slice) and i == slice(None) for i in index):
        return x
    per_axis = []
    axis = 0
    for i in index:
        if i is None:
            per_axis.append(((1,), [(None, None)]))
            continue
        per_axis.append(_slice_axis(x.chunks[axis], i, axis, x.shape))
        axis += 1
    out_chunks = tuple(c for c, _ in per_axis if c is not None)
    name = f"getitem-{tokenize(x.name, [_token_of(i) for i in index])}"
    layer = GetitemLayer()
    for combo in itertools.product(*(enumerate(p) for _, p in per_axis)):
        out_idx = tuple(n for (n, _), (c, _) in zip(combo, per_axis) if c is not None)
        in_idx = tuple(b for _, (b, _) in combo if b is not None)
        local = tuple(loc for _, (b, loc) in combo)
        key = (x.name,) + in_idx
        if all(isinstance(loc, slice) and loc == slice(None) for loc in local):
            layer[(name,) + out_idx] = (_same_block, key)
        else:
            layer[(name,) + out_idx] = (_getitem_block, key, local)
    if not x.chunks:
        layer = GetitemLayer({(name,) + (0,) * len(out_chunks): (_getitem_block, (x.name,), tuple(index))})
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, out_chunks, x.dtype)


def _token_of(i):
    if isinstance(i, slice):
        return ("slice", i.start, i.stop, i.step)
    return i


def _getitem_block(block, index):
    return block[index]


def _same_block(block):
    return block


# -- integer arrays ------------------------------------------------------------------------------

def take(x, idx, axis=0, pieces=None):
    """Gather ``idx`` (integers, any shape) along ``axis``, NumPy's ``np.take`` semantics.

    ``pieces`` (pairs of positions in ``idx``) fixes the output blocks; by default they follow the
    input blocks when ``idx`` is sorted and are about one input block long otherwise."""
    idx = np.asarray(idx)
    if idx.ndim != 1:
        flat = take(x, idx.ravel(), axis)
        shape = x.shape[:axis] + idx.shape + x.shape[axis + 1:]
        return flat.reshape(shape)
    chunks = x.chunks[axis]
    if any(is_unknown(c) for c in chunks):
        raise ValueError(unknown_chunks_message(x.shape, f"integer-array indexing on axis {axis}"))
    dim = sum(chunks)
    if idx.size and (idx.max() >= dim or idx.min() < -dim):
        bad = idx[(idx >= dim) | (idx < -dim)][0]
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {dim} (array shape {x.shape})")
    idx = np.where(idx < 0, idx + dim, idx).astype(np.intp)
    offsets = np.asarray(chunk_offsets(chunks))
    blocks = np.searchsorted(offsets, idx, side="right") - 1
    if pieces is None:
        pieces = _index_pieces(idx, blocks, max(max(chunks), 1))
    name = f"take-{tokenize(x.name, idx, axis, pieces)}"
    layer = GetitemLayer()
    other = [range(n) for d, n in enumerate(x.numblocks) if d != axis]
    for p, (lo, hi) in enumerate(pieces):
        pb = blocks[lo:hi]
        local = idx[lo:hi] - offsets[pb]
        used = np.unique(pb)
        for rest in itertools.product(*other):
            def key(b, rest=rest):
                return (x.name,) + rest[:axis] + (int(b),) + rest[axis:]
            out_key = (name,) + rest[:axis] + (p,) + rest[axis:]
            if len(used) <= 1:
                layer[out_key] = (_take_block, key(used[0] if len(used) else 0), local.astype(np.intp), axis)
            else:
                parts = [(key(b), np.nonzero(pb == b)[0], local[pb == b]) for b in used]
                layer[out_key] = (_gather, [k for k, _, _ in parts], [(pos, loc) for _, pos, loc in parts],
                                  axis, hi - lo)
    out_chunks = x.chunks[:axis] + (tuple(hi - lo for lo, hi in pieces),) + x.chunks[axis + 1:]
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, out_chunks, x.dtype)


def _index_pieces(idx, blocks, size):
    """Split positions of ``idx`` into output blocks: runs within one input block when sorted,
    otherwise pieces of about one input block's length."""
    if idx.size == 0:
        return [(0, 0)]
    if np.all(np.diff(blocks) >= 0):
        bounds = [0] + (np.nonzero(np.diff(blocks))[0] + 1).tolist() + [idx.size]
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            for s in range(lo, hi, size):
                out.append((s, min(s + size, hi)))
        return out
    return [(s, min(s + size, idx.size)) for s in range(0, idx.size, size)]


def _take_block(block, local, axis):
    return np.take(block, local, axis=axis)


def _gather(blocks, parts, axis, length):
    first = blocks[0]
    shape = list(first.shape)
    shape[axis] = length
    out = np.empty(shape, dtype=np.result_type(*[b.dtype for b in blocks]))
    for block, (pos, local) in zip(blocks, parts):
        index = [slice(None)] * out.ndim
        index[axis] = pos
        out[tuple(index)] = np.take(block, local, axis=axis)
    return out


def take_shoal(x, idx, axis):
    """Gather along ``axis`` with a shoal integer array of any shape (its axes replace ``axis``, as
    in ``np.take``); each index block reads the whole axis."""
    chunks = x.chunks[axis]
    if any(is_unknown(c) for c in chunks):
        raise ValueError(unknown_chunks_message(x.shape, f"integer-array indexing on axis {axis}"))
    name = f"take-{tokenize(x.name, idx.name, axis)}"
    offsets = chunk_offsets(chunks)
    layer = {}
    other = [range(n) for d, n in enumerate(x.numblocks) if d != axis]
    for p in itertools.product(*(range(n) for n in idx.numblocks)):
        for rest in itertools.product(*other):
            keys = [(x.name,) + rest[:axis] + (b,) + rest[axis:] for b in range(len(chunks))]
            layer[(name,) + rest[:axis] + p + rest[axis:]] = (_take_all, keys, (idx.name,) + p, offsets, axis)
    out_chunks = x.chunks[:axis] + idx.chunks + x.chunks[axis + 1:]
    return Array(HighLevelGraph.from_collections(name, layer, [x, idx]), name, out_chunks, x.dtype)


def _take_all(blocks, idx, offsets, axis):
    idx = np.asarray(idx)
    dim = offsets[-1]
    if idx.size and (idx.max() >= dim or idx.min() < -dim):
        raise IndexError(f"index {idx[(idx >= dim) | (idx < -dim)][0]} is out of bounds for axis {axis} with size {dim}")
    return np.take(np.concatenate(blocks, axis=axis), idx, axis=axis)


# -- boolean masks -------------------------------------------------------------------------------

def _getitem_with_masks(x, index):
    arrays = [k for k, i in enumerate(index) if isinstance(i, (np.ndarray, Array))]
    if len(arrays) == 1:
        k = arrays[0]
        mask = index[k]
        basic = [slice(None) if j == k else i for j, i in enumerate(index) if not (j > k and j < k + mask.ndim and False)]
        # a mask covers mask.ndim axes starting at its position
        before = basic[:k]
        after = index[k + 1:]
        if isinstance(mask, np.ndarray) and mask.ndim == 1:
            if mask.shape[0] != _axis_len(x, before):
                raise IndexError(
                    f"boolean index of length {mask.shape[0]} does not match axis of length "
                    f"{_axis_len(x, before)} (array shape {x.shape})"
                )
            return getitem(x, tuple(before) + (np.nonzero(mask)[0],) + tuple(after))
        y = basic_getitem(x, list(before) + [slice(None)] * mask.ndim + list(after))
        axis = sum(1 for i in before if not _is_int(i))
        if axis == 0:
            return boolean_mask(y, mask)
        # mask the moved-to-front axes; NumPy puts the selected elements where the mask was
        covered = list(range(axis, axis + mask.ndim))
        front = _moveaxes(y, covered, list(range(mask.ndim)))
        return _moveaxes(boolean_mask(front, mask), 0, axis)
    converted = []
    for i in index:
        if isinstance(i, np.ndarray) and i.dtype == bool:
            if i.ndim != 1:
                raise NotImplementedError("combining a multi-dimensional boolean mask with other array indices")
            converted.append(np.nonzero(i)[0])
        elif isinstance(i, Array) and i.dtype == bool:
            raise NotImplementedError("combining a shoal boolean mask with other array indices")
        else:
            converted.append(i)
    return getitem(x, tuple(converted))


def _axis_len(x, before):
    return x.shape[sum(1 for i in before if i is not None)]


def boolean_mask(x, mask):
    """``x[mask]`` for a boolean ``mask`` covering the leading ``mask.ndim`` axes of ``x``.

    The result's first axis has unknown (NaN) block sizes. Blocks are made whole along the trailing
    mask axes first so that elements come out in NumPy's (C) order.
    """
    from .io import asarray

    mask = asarray(mask)
    k = mask.ndim
    if tuple(mask.shape) != tuple(x.shape[:k]) and not any(is_unknown(s) for s in mask.shape + x.shape[:k]):
        raise IndexError(
            f"boolean index of shape {mask.shape} does not match the indexed array of shape {x.shape}"
        )
    if k > 1:
        whole = {d: -1 for d in range(1, k)}
        x = x.rechunk(whole)
        mask = mask.rechunk(whole)
    if mask.chunks != x.chunks[:k]:
        if any(is_unknown(c) for c in mask.chunks[0] + x.chunks[0]):
            if len(mask.chunks[0]) != len(x.chunks[0]):
                raise ValueError(unknown_chunks_message(x.shape, "boolean indexing with a mask of other blocks"))
        else:
            mask = mask.rechunk(x.chunks[:k])
    name = f"getitem-mask-{tokenize(x.name, mask.name)}"
    layer = {}
    rest = [range(n) for n in x.numblocks[k:]]
    for i in range(x.numblocks[0]):
        for r in itertools.product(*rest):
            xkey = (x.name, i) + (0,) * (k - 1) + r
            layer[(name, i) + r] = (_mask_block, xkey, (mask.name, i) + (0,) * (k - 1), k)
    out_chunks = ((math.nan,) * x.numblocks[0],) + x.chunks[k:]
    return Array(HighLevelGraph.from_collections(name, layer, [x, mask]), name, out_chunks, x.dtype)


def _mask_block(block, mask, k):
    return block[mask] if mask.ndim == k else block[mask.reshape(mask.shape[:k])]


# -- pointwise indexing --------------------------------------------------------------------------

def vindex(x, indexes):
    """Pointwise indexing: ``{axis: integer array}`` broadcast together; the broadcast shape
    becomes the leading axes of the result, followed by the remaining axes."""
    axes = sorted(indexes)
    idx = np.broadcast_arrays(*[np.asarray(indexes[a]) for a in axes])
    bshape = idx[0].shape if idx else ()
    flat = []
    for a, i in zip(axes, idx):
        dim = x.shape[a]
        if is_unknown(dim):
            raise ValueError(unknown_chunks_message(x.shape, "vindex"))
        i = i.ravel().astype(np.intp)
        if i.size and (i.max() >= dim or i.min() < -dim):
            raise IndexError(f"index {i[(i >= dim) | (i < -dim)][0]} is out of bounds for axis {a} with size {dim} (array shape {x.shape})")
        flat.append(np.where(i < 0, i + dim, i))
    npoints = flat[0].size if flat else 0
    offsets = {a: np.asarray(chunk_offsets(x.chunks[a])) for a in axes}
    blocks = np.stack([np.searchsorted(offsets[a], f, side="right") - 1 for a, f in zip(axes, flat)]) if flat else None
    rest_axes = [d for d in range(x.ndim) if d not in axes]
    size = max(max(max(x.chunks[a]) for a in axes), 1)
    pieces = [(s, min(s + size, npoints)) for s in range(0, npoints, size)] or [(0, 0)]
    name = f"vindex-{tokenize(x.name, [f for f in flat], axes)}"
    layer = {}
    for p, (lo, hi) in enumerate(pieces):
        pb = blocks[:, lo:hi] if blocks is not None else np.zeros((0, 0), int)
        combos = {tuple(c) for c in pb.T.tolist()}
        for r in itertools.product(*(range(x.numblocks[d]) for d in rest_axes)):
            keys, parts = [], []
            for combo in sorted(combos):
                sel = np.all(pb == np.asarray(combo)[:, None], axis=0)
                full = [0] * x.ndim
                for a, b in zip(axes, combo):
                    full[a] = b
                for d, b in zip(rest_axes, r):
                    full[d] = b
                keys.append((x.name,) + tuple(full))
                local = tuple(f[lo:hi][sel] - offsets[a][b] for a, f, b in zip(axes, flat, combo))
                parts.append((np.nonzero(sel)[0], local))
            layer[(name, p) + r] = (_vindex_gather, keys, parts, axes, hi - lo, x.dtype)
    out = Array(HighLevelGraph.from_collections(name, layer, [x]), name,
                (tuple(hi - lo for lo, hi in pieces),) + tuple(x.chunks[d] for d in rest_axes), x.dtype)
    return out.reshape(bshape + tuple(x.shape[d] for d in rest_axes)) if len(bshape) != 1 else out


def _vindex_gather(blocks, parts, axes, length, dtype):
    if not blocks:
        return np.empty((length,), dtype=dtype)
    rest = [d for d in range(blocks[0].ndim) if d not in axes]
    first = blocks[0]
    out = np.empty((length,) + tuple(first.shape[d] for d in rest), dtype=dtype)
    for block, (pos, local) in zip(blocks, parts):
        moved = np.moveaxis(block, axes, list(range(len(axes))))
        out[pos] = moved[local]
    return out


class VIndex:
    """``x.vindex[i, j]``: pointwise (not outer) integer-array indexing."""

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        if not isinstance(index, tuple):
            index = (index,)
        arrays = {k: np.asarray(i) for k, i in enumerate(index) if isinstance(i, (list, np.ndarray))}
        if not arrays:
            return self.x[index]
        others = [i for k, i in enumerate(index) if k not in arrays]
        if any(not (isinstance(i, slice) and i == slice(None)) for i in others):
            raise NotImplementedError("vindex supports integer arrays and ':' only")
        return vindex(self.x, arrays)


class BlockView:
    """``x.blocks[i, j]``: the sub-array made of the selected blocks (indexing counts blocks)."""

    def __init__(self, x):
        self.x = x

    @property
    def shape(self):
        return self.x.numblocks

    @property
    def size(self):
        return math.prod(self.shape)

    @property
    def ndim(self):
        return self.x.ndim

    def __len__(self):
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def ravel(self):
        return [self[idx] for idx in itertools.product(*(range(n) for n in self.shape))]

    def __getitem__(self, index):
        x = self.x
        if not isinstance(index, tuple):
            index = (index,)
        if any(i is None for i in index):
            raise IndexError("x.blocks[...] does not accept None")
        index = index + (slice(None),) * (x.ndim - len(index))
        picks = []
        for d, i in enumerate(index):
            positions = np.arange(x.numblocks[d])[i]
            picks.append(np.atleast_1d(positions).tolist())
        name = f"blocks-{tokenize(x.name, [_token_of(i) if not isinstance(i, np.ndarray) else i for i in index])}"
        layer = {}
        for out_idx in itertools.product(*(range(len(p)) for p in picks)):
            src = tuple(p[o] for p, o in zip(picks, out_idx))
            layer[(name,) + out_idx] = (_same_block, (x.name,) + src)
        chunks = tuple(tuple(x.chunks[d][b] for b in p) for d, p in enumerate(picks))
        return Array(HighLevelGraph.from_collections(name, layer, [x]), name, chunks, x.dtype)
