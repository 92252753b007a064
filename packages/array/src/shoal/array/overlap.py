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
from .graph import graph_from_layer


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
    return Array(graph_from_layer(name, layer, [padded]), name, tuple(out_chunks), x.dtype), depths, pads


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
    return Array(graph_from_layer(name, layer, [x]), name, original_chunks, x.dtype)


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
