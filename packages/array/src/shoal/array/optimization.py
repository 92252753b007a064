"""Array graph optimization: keep only the layers and tasks needed, then fuse blockwise chains.

A key of a fusible layer (Blockwise, or cheap block getters) whose only consumer is a task of a
fusible layer is inlined into that consumer as a nested task, so ``((x + 1) * 2).sum()`` runs one
task per block: ``sum(mul(add(getitem(x, ...), 1), 2))``. Getters that only take a view of an
in-memory NumPy array are inlined into every consumer (they copy nothing).
"""

import functools

from shoal.core import flatten, istask
from shoal.highlevelgraph import HighLevelGraph
from shoal.optimization import cull

from .tile_groups import group_tiled_reductions


def optimize(dsk, keys, fuse=True, **kwargs):
    keys = list(flatten(keys if isinstance(keys, list) else [keys]))
    layers = _needed_layers(dsk, keys) if isinstance(dsk, HighLevelGraph) else None
    graph = _materialize(dsk, layers)
    graph, dependencies = cull(graph, keys)
    if fuse:
        graph = fuse_blockwise(graph, dependencies, keys, _fusible_keys(dsk, layers, graph))
        graph = compose_getitems(graph)
        graph = group_tiled_reductions(tile_reductions(graph))
    return graph


def _needed_layers(hlg, keys):
    names = {k[0] if isinstance(k, tuple) else k for k in keys}
    todo = [n for n in names if n in hlg.layers]
    if len(todo) != len(names):
        return None
    seen = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo.extend(hlg.dependencies.get(n, ()))
    return seen


def _materialize(dsk, layers):
    if layers is None:
        return dict(dsk)
    out = {}
    for name in layers:
        out.update(dsk.layers[name])
    return out


def _fusible_keys(dsk, layers, graph):
    """Map key -> 'one' (inline into a single consumer) or 'all' (inline everywhere)."""
    if not isinstance(dsk, HighLevelGraph):
        return {}
    kinds = {}
    for name in layers if layers is not None else dsk.layers:
        layer = dsk.layers[name]
        kind = "all" if getattr(layer, "inline_always", False) else "one" if getattr(layer, "fusible", False) else None
        if kind:
            for k in layer:
                if k in graph:
                    kinds[k] = kind
    return kinds


def fuse_blockwise(graph, dependencies, outputs, kinds):
    dependents = {}
    for k, deps in dependencies.items():
        for d in deps:
            dependents.setdefault(d, []).append(k)
    outputs = set(outputs)
    inlinable = {}
    for k, kind in kinds.items():
        if k in outputs or not istask(graph[k]):
            continue
        users = dependents.get(k, [])
        if kind == "all" or (len(users) == 1 and users[0] in kinds):
            inlinable[k] = graph[k]
    if not inlinable:
        return graph
    done = {}

    def expand(task):
        if istask(task):
            return (task[0],) + tuple(expand(a) for a in task[1:])
        if type(task) is list:
            return [expand(a) for a in task]
        try:
            hit = task in inlinable
        except TypeError:
            return task
        if hit:
            if task not in done:
                done[task] = expand(inlinable[task])
            return done[task]
        return task

    return {k: expand(v) for k, v in graph.items() if k not in inlinable}


def compose_getitems(graph):
    """Turn ``block[index]`` of a freshly read block into one read of just ``index``, so that
    ``x[100, :, :]`` on an h5py/zarr-backed array reads one plane instead of whole blocks."""
    from .io import getter
    from .slicing import _getitem_block

    def visit(task):
        if not istask(task):
            return [visit(t) for t in task] if type(task) is list else task
        task = (task[0],) + tuple(visit(a) for a in task[1:])
        if task[0] is _getitem_block and istask(task[1]) and task[1][0] is getter:
            read = task[1]
            combined = _compose(read[2], task[2])
            if combined is not None:
                return (getter, read[1], combined) + read[3:]
        return task

    return {k: visit(v) for k, v in graph.items()}


def _compose(outer, inner):
    """The index equal to ``[outer][inner]`` when outer is unit-step slices and inner holds ints and
    slices only; None when it cannot be written as one index."""
    if not isinstance(outer, tuple) or not all(isinstance(s, slice) and s.step in (None, 1) for s in outer):
        return None
    if not isinstance(inner, tuple) or len(inner) > len(outer):
        return None
    out = []
    for i, o in enumerate(outer):
        start, stop = o.start or 0, o.stop
        n = stop - start
        if i >= len(inner):
            out.append(o)
            continue
        idx = inner[i]
        if isinstance(idx, slice):
            a, b, step = idx.indices(n)
            if step < 0:
                return None
            out.append(slice(start + a, start + max(a, b), step if step != 1 else None))
        elif isinstance(idx, int) and not isinstance(idx, bool):
            if not -n <= idx < n:
                return None
            out.append(start + idx % n)
        else:
            return None
    return tuple(out)


def tile_reductions(graph):
    """Rewrite ``reduce_chunk(elementwise expression)`` tasks to run tile by tile (see tiling.py)."""
    return {k: _tiled_task(v) if istask(v) else v for k, v in graph.items()}


def _tiled_task(task):
    from .tiling import Expression, ReductionChunk, TiledReduction, tiled_reduction

    func = task[0]
    if not (isinstance(func, functools.partial) and isinstance(func.func, ReductionChunk)
            and not func.args and len(task) == 2 and _elementwise_op(task[1]) is not None):
        return task
    leaves = []
    tree = _expression_tree(task[1], leaves)
    return (tiled_reduction, TiledReduction(func.func, dict(func.keywords), Expression(tree)), leaves)


def _elementwise_op(task):
    """``(op, kwargs)`` when ``task`` applies an elementwise operation to blocks, else None."""
    from .tiling import elementwise_block

    if not istask(task):
        return None
    func = task[0]
    if isinstance(func, functools.partial) and func.func is elementwise_block and len(func.args) == 1:
        return func.args[0], dict(func.keywords)
    return None


def _expression_tree(task, leaves):
    found = _elementwise_op(task)
    if found is None:
        leaves.append(task)
        return ("leaf", len(leaves) - 1)
    op, kwargs = found
    return (op, kwargs) + tuple(_expression_tree(a, leaves) for a in task[1:])
