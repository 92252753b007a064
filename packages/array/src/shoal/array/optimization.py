"""Array graph optimization: keep only the layers and tasks needed, then fuse blockwise chains.

A key of a fusible layer (Blockwise, or cheap block getters) whose only consumer is a task of a
fusible layer is inlined into that consumer as a nested task, so ``((x + 1) * 2).sum()`` runs one
task per block: ``sum(mul(add(getitem(x, ...), 1), 2))``. Getters that only take a view of an
in-memory NumPy array are inlined into every consumer (they copy nothing).

Graphs have one task per block, so everything here runs per block and is kept cheap: chains of
Blockwise layers are fused before their tasks are built (layer_fusion.py), work that is the same for
every block of a layer (recognising a reduction's expression) is done once per layer, passes that
cannot apply are skipped, and the garbage collector is paused while the graph is rebuilt.
"""

import contextlib
import functools
import gc

from shoal.core import flatten, istask
from shoal.highlevelgraph import HighLevelGraph
from shoal.optimization import cull

from .blockwise import Blockwise
from .layer_fusion import FusedBlockwise, fuse_layer_chains
from .tile_groups import group_tiled_reductions
from .tiling import Expression, ReductionChunk, TiledReduction, elementwise_block, tiled_reduction


def optimize(dsk, keys, fuse=True, **kwargs):
    keys = list(flatten(keys if isinstance(keys, list) else [keys]))
    with _collection_paused():
        layers = _chosen_layers(dsk, keys)
        if fuse and layers is not None:
            layers = fuse_layer_chains(layers, dsk.dependencies, keys)
        graph, dependencies = cull(_materialize(dsk, layers), keys)
        if fuse:
            reads_blocks = _reads_stored_blocks(graph)  # checked before fusion nests the reads
            graph = fuse_blockwise(graph, dependencies, keys, _fusible_keys(layers, graph))
            if reads_blocks:
                graph = compose_getitems(graph)
            graph = group_tiled_reductions(tile_reductions(graph))
    return graph


@contextlib.contextmanager
def _collection_paused():
    """Pause the garbage collector: building a graph of many small tuples otherwise triggers
    collections that scan every task built so far (measured as 40% of optimizing 40,000 blocks)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _chosen_layers(dsk, keys):
    """``{name: layer}`` of the layers ``keys`` need; None for a graph that is not layered."""
    if not isinstance(dsk, HighLevelGraph):
        return None
    names = _needed_layers(dsk, keys)
    return {name: dsk.layers[name] for name in (names if names is not None else dsk.layers)}


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
    for layer in layers.values():
        out.update(layer.to_dict() if isinstance(layer, (Blockwise, FusedBlockwise)) else layer)
    return out


def _fusible_keys(layers, graph):
    """Map key -> 'one' (inline into a single consumer) or 'all' (inline everywhere)."""
    kinds = {}
    for layer in (layers or {}).values():
        kind = "all" if getattr(layer, "inline_always", False) else "one" if getattr(layer, "fusible", False) else None
        if kind:
            for k in layer:
                if k in graph:
                    kinds[k] = kind
    return kinds


def fuse_blockwise(graph, dependencies, outputs, kinds):
    user, shared = {}, set()  # a key's only consumer; keys with several
    for k, deps in dependencies.items():
        for d in deps:
            if d in user:
                shared.add(d)
            else:
                user[d] = k
    outputs = set(outputs)
    inlinable = {}
    for k, kind in kinds.items():
        if k in outputs or not istask(graph[k]):
            continue
        if kind == "all" or (k not in shared and user.get(k) in kinds):
            inlinable[k] = graph[k]
    if not inlinable:
        return graph
    done = {}

    def expand(task):
        """``task`` with inlinable keys replaced by their (expanded) tasks; arguments that cannot
        hold a key are passed over without a call (this runs once per argument of every task)."""
        out = []
        for a in task:
            kind = type(a)
            if kind is tuple:
                if a and callable(a[0]):
                    a = tuple(expand(a))
                else:
                    a = key_or_literal(a)
            elif kind is list:
                a = expand(a)
            elif kind is str:
                a = key_or_literal(a)
            out.append(a)
        return out

    def key_or_literal(a):
        try:
            hit = a in inlinable
        except TypeError:  # a literal tuple holding unhashable values
            return a
        if not hit:
            return a
        if a not in done:
            task = inlinable[a]
            done[a] = tuple(expand(task)) if istask(task) else task
        return done[a]

    return {k: tuple(expand(v)) if any(d in inlinable for d in dependencies.get(k, ())) else v
            for k, v in graph.items() if k not in inlinable}


def _reads_stored_blocks(graph):
    from .io import getter

    return any(type(v) is tuple and v and v[0] is getter for v in graph.values())


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
    """Rewrite ``reduce_chunk(elementwise expression)`` tasks to run tile by tile (see tiling.py).

    Every block of a layer has the same expression; it is recognised once per function object and
    shared by all of the layer's tasks (``ops`` and ``plans`` cache that work)."""
    ops, plans = {}, {}
    return {k: _tiled_task(v, ops, plans) if type(v) is tuple and v and type(v[0]) is functools.partial else v
            for k, v in graph.items()}


def _tiled_task(task, ops, plans):
    func = task[0]
    if not (isinstance(func.func, ReductionChunk) and not func.args and len(task) == 2
            and _cached_op(task[1], ops) is not None):
        return task
    leaves, signature = [], [func]
    tree = _expression_tree(task[1], leaves, ops, signature)
    signature = tuple(signature)
    plan = plans.get(signature)
    if plan is None:
        plan = plans[signature] = TiledReduction(func.func, dict(func.keywords), Expression(tree))
    return (tiled_reduction, plan, leaves)


def _cached_op(task, ops):
    if type(task) is not tuple or not task:
        return None
    func = task[0]
    try:
        return ops[func]
    except KeyError:
        found = ops[func] = _elementwise_op(task)
        return found
    except TypeError:  # an unhashable callable
        return _elementwise_op(task)


def _elementwise_op(task):
    """``(op, kwargs)`` when ``task`` applies an elementwise operation to blocks, else None."""
    if not istask(task):
        return None
    func = task[0]
    if isinstance(func, functools.partial) and func.func is elementwise_block and len(func.args) == 1:
        return func.args[0], dict(func.keywords)
    return None


def _expression_tree(task, leaves, ops, signature):
    """The expression tree of ``task`` (leaves numbered in order); ``signature`` collects the
    functions met (with their arity) so that tasks with the same expression share one tree."""
    found = _cached_op(task, ops)
    if found is None:
        leaves.append(task)
        signature.append(None)
        return ("leaf", len(leaves) - 1)
    op, kwargs = found
    signature.append((task[0], len(task)))
    return (op, kwargs) + tuple([_expression_tree(a, leaves, ops, signature) for a in task[1:]])
