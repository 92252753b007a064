"""Ghost cells: ``overlap`` gives every block a margin copied from its neighbours (and, at the array
edges, from a boundary rule), ``map_overlap`` runs a function on those enlarged blocks and trims the
margins off again. Boundary rules: 'none' (no margin at the edges), 'reflect', 'periodic', 'nearest',
or a constant value."""

import itertools
import numbers

import numpy as np

from shoal.base import tokenize

from .blockwise import concatenate_axes
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _per_axis(value, ndim, default):
    if isinstance(value, dict):
        return {a: value.get(a, default) for a in range(ndim)}
    if isinstance(value, (tuple, list)):
        if len(value) != ndim:
            raise ValueError(f"got {len(value)} per-axis values for a {ndim}-d array")
        return dict(enumerate(value))
    return {a: value for a in range(ndim)}


def _boundary_block(x, axis, depth, rule, side):
    n = x.shape[axis]

    def cut(sl):
        return x[tuple(sl if d == axis else slice(None) for d in range(x.ndim))]

    if rule == "periodic":
        return cut(slice(n - depth, n)) if side == "before" else cut(slice(0, depth))
    if rule == "reflect":
        return cut(slice(depth - 1, None, -1) if depth < n else slice(None, None, -1)) if side == "before" \
            else cut(slice(n - 1, n - depth - 1 if n - depth - 1 >= 0 else None, -1))
    if rule == "nearest":
        from .concatenate import concatenate

        edge = cut(slice(0, 1)) if side == "before" else cut(slice(n - 1, n))
        return concatenate([edge] * depth, axis=axis)
    if isinstance(rule, numbers.Number):
        from .creation import full

        shape = list(x.shape)
        shape[axis] = depth
        chunks = tuple((depth,) if d == axis else c for d, c in enumerate(x.chunks))
        return full(tuple(shape), rule, dtype=x.dtype, chunks=chunks)
    raise ValueError(f"unknown boundary rule {rule!r}: use 'none', 'reflect', 'periodic', 'nearest' or a number")


def _fit_depth(x, depths):
    """Make every block at least as long as the margin it has to lend to its neighbours."""
    new = {}
    for a, d in depths.items():
        c = x.chunks[a]
        if d and len(c) > 1 and min(c) < d:
            size = max(d, max(c))
            n = max(1, x.shape[a] // size)
            base, extra = divmod(x.shape[a], n)
            new[a] = tuple(base + 1 if i < extra else base for i in range(n))
    return x.rechunk(new) if new else x


def overlap(x, depth, boundary=None):
    """``x`` with each block enlarged by ``depth`` cells from its neighbours on every axis (and
    from ``boundary`` at the array edges; 'none' adds nothing there)."""
    return _overlap(x, depth, boundary)[0]


def _overlap(x, depth, boundary=None):
    """overlap(), also returning the depth per axis and which axes were padded at the edges."""
    from .concatenate import concatenate

    depths = {a: int(d) for a, d in _per_axis(depth, x.ndim, 0).items()}
    rules = _per_axis("none" if boundary is None else boundary, x.ndim, "none")
    for a, d in depths.items():
        if d > x.shape[a] and rules[a] != "none" and d:
            raise ValueError(f"overlap depth {d} is larger than axis {a} of the array of shape {x.shape}")
    x = _fit_depth(x, depths)
    padded = x
    pads = {}
    for a in range(x.ndim):
        d, rule = depths[a], rules[a]
        if d == 0 or rule == "none":
            pads[a] = False
            continue
        before = _boundary_block(padded, a, d, rule, "before").rechunk({a: (d,)})
        after = _boundary_block(padded, a, d, rule, "after").rechunk({a: (d,)})
        padded = concatenate([before, padded, after], axis=a)
        pads[a] = True
    name = f"overlap-{tokenize(x.name, depths, rules)}"
    layer = {}
    out_chunks = []
    for a in range(x.ndim):
        c = x.chunks[a]
        d = depths[a]
        sizes = []
        for i, n in enumerate(c):
            left = d if (i > 0 or pads[a]) else 0
            right = d if (i < len(c) - 1 or pads[a]) else 0
            sizes.append(n + left + right)
        out_chunks.append(tuple(sizes))
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        pieces = []
        for a, i in enumerate(idx):
            j = i + (1 if pads[a] else 0)
            d = depths[a]
            total = padded.numblocks[a]
            parts = []
            if d and j > 0:
                parts.append((j - 1, slice(-d, None)))
            parts.append((j, slice(None)))
            if d and j < total - 1:
                parts.append((j + 1, slice(0, d)))
            pieces.append(parts)
        layer[(name,) + idx] = (concatenate_axes, _nested(padded.name, pieces), list(range(x.ndim)))
    return Array(HighLevelGraph.from_collections(name, layer, [padded]), name, tuple(out_chunks), x.dtype), depths, pads


def _nested(name, pieces, prefix=()):
    if len(prefix) == len(pieces):
        return (_cut, (name,) + tuple(p[0] for p in prefix), tuple(p[1] for p in prefix))
    return [_nested(name, pieces, prefix + (p,)) for p in pieces[len(prefix)]]


def _cut(block, index):
    return block[index]


def trim_overlap(x, original_chunks, depths, pads):
    """Remove the margins that ``overlap`` added (blocks return to ``original_chunks``)."""
    name = f"trim-{tokenize(x.name, depths)}"
    layer = {}
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        index = []
        for a, i in enumerate(idx):
            d = depths[a]
            left = d if (i > 0 or pads[a]) else 0
            right = d if (i < x.numblocks[a] - 1 or pads[a]) else 0
            index.append(slice(left, -right if right else None))
        layer[(name,) + idx] = (_cut, (x.name,) + idx, tuple(index))
    return Array(HighLevelGraph.from_collections(name, layer, [x]), name, original_chunks, x.dtype)


def map_overlap(func, *args, depth=None, boundary=None, trim=True, align_arrays=True, allow_rechunk=True,
                dtype=None, **kwargs):
    """Apply ``func`` to blocks enlarged by ``depth`` neighbouring cells (see ``overlap``), then trim
    the margins. ``x.map_overlap(func, depth=1, boundary='reflect')`` or
    ``map_overlap(func, x, y, depth=...)``."""
    from .io import asarray
    from .map_blocks import map_blocks

    if isinstance(func, Array) and callable(args[0]):
        func, args = args[0], (func,) + args[1:]
    arrays = [asarray(a) if isinstance(a, np.ndarray) else a for a in args]
    first = next(a for a in arrays if isinstance(a, Array))
    if depth is None:
        depth = 0
    shared = {}
    for a in arrays:
        if isinstance(a, Array):
            d = {k: int(v) for k, v in _per_axis(depth, a.ndim, 0).items()}
            shared = _fit_depth(a, d).chunks if not shared else shared
    enlarged = []
    info = None
    for a in arrays:
        if isinstance(a, Array):
            a = a.rechunk(shared) if a.shape == first.shape else a
            g, depths, pads = _overlap(a, depth, boundary)
            info = info or (a.chunks, depths, pads)
            enlarged.append(g)
        else:
            enlarged.append(a)
    out = map_blocks(func, *enlarged, dtype=dtype or first.dtype, **kwargs)
    if not trim:
        return out
    chunks, depths, pads = info
    return trim_overlap(out, chunks, depths, pads)


def trim_internal(x, axes, boundary=None):
    """Trim ``axes`` ({axis: depth}) cells from every block side (what map_overlap(trim=True) does)."""
    depths = {a: int(axes.get(a, 0)) if isinstance(axes, dict) else int(axes) for a in range(x.ndim)}
    rules = _per_axis("none" if boundary is None else boundary, x.ndim, "none")
    pads = {a: rules[a] != "none" and depths[a] > 0 for a in range(x.ndim)}
    chunks = []
    for a in range(x.ndim):
        c = x.chunks[a]
        d = depths[a]
        chunks.append(tuple(n - (d if (i > 0 or pads[a]) else 0) - (d if (i < len(c) - 1 or pads[a]) else 0)
                            for i, n in enumerate(c)))
    return trim_overlap(x, tuple(chunks), depths, pads)


# -- boundary helpers and windows ---------------------------------------------------------------

def _extend(x, axis, depth, rule):
    from .concatenate import concatenate
    from .io import asarray

    x = asarray(x)
    if depth > x.shape[axis]:
        raise ValueError(f"depth {depth} is larger than axis {axis} of the array of shape {x.shape}")
    if not depth:
        return x
    return concatenate([_boundary_block(x, axis, depth, rule, "before"), x,
                        _boundary_block(x, axis, depth, rule, "after")], axis=axis)


def periodic(x, axis, depth):
    """``x`` with ``depth`` cells from the far end of ``axis`` added at each end (wrap-around)."""
    return _extend(x, axis, depth, "periodic")


def reflect(x, axis, depth):
    """``x`` with its first/last ``depth`` cells along ``axis`` mirrored onto each end."""
    return _extend(x, axis, depth, "reflect")


def nearest(x, axis, depth):
    """``x`` with its edge cells along ``axis`` repeated ``depth`` times at each end."""
    return _extend(x, axis, depth, "nearest")


def constant(x, axis, depth, value):
    """``x`` with ``depth`` cells of ``value`` added at each end of ``axis``."""
    return _extend(x, axis, depth, value)


def boundaries(x, depth=None, kind=None):
    """``x`` extended on every axis by its ``depth`` using the ``kind`` rule ('periodic', 'reflect',
    'nearest', a number, or 'none'); both may be given per axis as dicts."""
    from .io import asarray

    x = asarray(x)
    depths = _per_axis(depth or 0, x.ndim, 0)
    kinds = _per_axis("none" if kind is None else kind, x.ndim, "none")
    for a in range(x.ndim):
        if depths[a] and kinds[a] != "none":
            x = _extend(x, a, int(depths[a]), kinds[a])
    return x


def ensure_minimum_chunksize(size, chunks):
    """Block sizes along one axis, merged with their neighbours until each is at least ``size``."""
    chunks = tuple(int(c) for c in chunks)
    if size > sum(chunks):
        raise ValueError(f"an axis of length {sum(chunks)} cannot have blocks of at least {size} (chunks {chunks})")
    if min(chunks, default=size) >= size:
        return chunks
    out, pending = [], 0
    for c in chunks:
        pending += c
        if pending >= size:
            out.append(pending)
            pending = 0
    if pending:
        out[-1] += pending
    return tuple(out)


def sliding_window_view(x, window_shape, axis=None, automatic_rechunk=True):
    """``numpy.lib.stride_tricks.sliding_window_view``: every window of ``window_shape`` along
    ``axis``, the window axes last. Each block borrows ``window - 1`` cells from the next block, so
    blocks smaller than that are merged first (``automatic_rechunk=False`` raises instead)."""
    from .io import asarray

    x = asarray(x)
    window_shape = (window_shape,) if isinstance(window_shape, numbers.Integral) else tuple(window_shape)
    axes = tuple(range(x.ndim)) if axis is None else ((axis,) if isinstance(axis, numbers.Integral) else tuple(axis))
    axes = tuple(a % x.ndim for a in axes)
    if len(axes) != len(window_shape):
        raise ValueError(f"sliding_window_view: {len(window_shape)} window sizes for axes {axes}")
    for a, w in zip(axes, window_shape):
        if not 0 <= w <= x.shape[a]:
            raise ValueError(f"sliding_window_view: window {w} does not fit axis {a} of the array of shape {x.shape}")
    depth = {a: 0 for a in range(x.ndim)}
    for a, w in zip(axes, window_shape):
        depth[a] = max(depth[a], w - 1)
    if not automatic_rechunk:
        _check_blocks_hold_windows(x, depth)
    x = x.rechunk({a: ensure_minimum_chunksize(max(depth[a], 1), x.chunks[a]) for a in range(x.ndim)})
    g = overlap(x, depth, boundary="none")
    starts = {a: np.cumsum((0,) + x.chunks[a][:-1]) for a in range(x.ndim)}
    out_chunks = []
    for a in range(x.ndim):
        last = x.shape[a] - depth[a]  # windows may start before this position
        out_chunks.append(tuple(int(max(0, min(s + c, last) - s)) for s, c in zip(starts[a], x.chunks[a])))
    out_chunks += [(w,) for w in window_shape]
    lefts = {a: [0] + [depth[a]] * (len(x.chunks[a]) - 1) for a in range(x.ndim)}
    return g.map_blocks(_windows, window_shape, axes, lefts, out_chunks[:x.ndim], chunks=tuple(out_chunks),
                        new_axis=list(range(x.ndim, x.ndim + len(window_shape))), dtype=x.dtype)


def _check_blocks_hold_windows(x, depth):
    for a, d in depth.items():
        small = [c for c in x.chunks[a][:-1] if c < d]
        if small and len(x.chunks[a]) > 1:
            raise ValueError(
                f"sliding_window_view: axis {a} has blocks of {min(small)} elements, fewer than the {d} a window "
                f"overlaps into the next block (chunks {x.chunks[a]}); rechunk or pass automatic_rechunk=True"
            )


def _windows(block, window_shape, axes, lefts, chunks, block_id=None):
    view = np.lib.stride_tricks.sliding_window_view(block, window_shape, axis=axes)
    index = tuple(slice(lefts[a][i], lefts[a][i] + chunks[a][i]) for a, i in enumerate(block_id[:block.ndim]))
    return view[index]
