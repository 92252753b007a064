"""Put tiled reduction tasks that read the same input blocks into one task.

Output blocks (i, j) and (j, i) of ``(x + x.T).sum(...)`` both read blocks x[i, j] and x[j, i]; one
sees x[j, i] transposed, the other x[i, j]. Evaluated in one task, tile by tile in lockstep (see
tiling.py), each input tile is read from memory once for both outputs. This finds such tasks in an
optimized graph from their leaves: a leaf is a source block, possibly seen through a transpose. Tasks
sharing source blocks through axis permutations that agree (or reading exactly the same blocks the
same way) are grouped; each original key becomes a cheap ``getitem`` of the group's result, so
consumers are unchanged.
"""

import functools
import operator
from collections import defaultdict

import numpy as np

from shoal.core import istask

GROUP_LIMIT = 4  # outputs per task: enough for every transpose of a 2-d or 3-d block, few enough to spread
MIN_TASKS = 8  # below this many tiled tasks, grouping would leave cores idle


def group_tiled_reductions(graph):
    from .tiling import tiled_reduction

    tiled = [k for k, v in graph.items() if istask(v) and v[0] is tiled_reduction]
    if len(tiled) < MIN_TASKS:
        return graph
    views = {k: _views(graph[k][2]) for k in tiled}
    readers = defaultdict(list)
    for k in tiled:
        for source in views[k]:
            readers[source].append(k)
    graph = dict(graph)
    grouped = set()
    for k in tiled:
        if k in grouped or not views[k]:
            continue
        group = [(k, None)]
        for source in views[k]:
            if len(readers[source]) > 2 * GROUP_LIMIT:
                continue  # a broadcast operand or a constant block many tasks build alike: nothing to share
            for other in readers[source]:
                if len(group) >= GROUP_LIMIT:
                    break
                if other in grouped or any(other == g for g, _ in group):
                    continue
                axes = _relative_axes(views[k], views[other])
                # seen the same way, only tasks reading exactly the same blocks gain (not ones sharing
                # a small broadcast operand); through a transpose, the mirrored blocks are the big ones
                if axes is False or (axes is None and views[k].keys() != views[other].keys()):
                    continue
                group.append((other, axes))
        if len(group) > 1:
            grouped.update(g for g, _ in group)
            _replace(graph, group)
    return graph


def _views(leaves):
    """``{source: axes}`` for the leaves of a task (axes: the transpose that maps the source onto
    the output; None when the leaf is used as it is). Empty if a source is seen in two ways."""
    views = {}
    for leaf in leaves:
        if not (istask(leaf) or _is_key(leaf)):
            continue  # a literal: nothing to share
        axes = None
        if istask(leaf) and isinstance(leaf[0], functools.partial) and leaf[0].func is np.transpose:
            axes, leaf = tuple(leaf[0].keywords.get("axes") or ()), leaf[1]
            if not axes or len(leaf) < 1:
                return {}
        source = _hashable(leaf)
        if views.get(source, axes) != axes:
            return {}
        views[source] = axes
    return views


def _is_key(x):
    return type(x) is str or (type(x) is tuple and bool(x) and type(x[0]) is str)


def _hashable(task):
    if type(task) is tuple:
        try:
            hash(task)
            return task  # nothing inside needs converting (a key, or a task of literals)
        except TypeError:
            pass
    if type(task) in (tuple, list):
        return (type(task).__name__,) + tuple(_hashable(t) for t in task)
    if type(task) is slice:
        return ("slice", task.start, task.stop, task.step)
    try:
        hash(task)
    except TypeError:
        return ("id", id(task))
    return task


def _relative_axes(first, other):
    """Which axis of the other output each axis of the first one is (None: the same axes), if every
    source they share agrees; ``False`` if they disagree."""
    found = None
    shared = [s for s in first if s in other]
    for source in shared:
        a, b = first[source], other[source]
        if a is None and b is None:
            continue
        n = len(a if a is not None else b)
        a, b = a or tuple(range(n)), b or tuple(range(n))
        if len(a) != len(b):
            return False
        where_in_b = {s: d for d, s in enumerate(b)}
        mapping = tuple(where_in_b[s] for s in a)
        if found is not None and found != mapping:
            return False
        found = mapping
    if found == tuple(range(len(found or ()))):
        return None
    if found is not None and any(first[s] is None and other[s] is None for s in shared):
        return False  # a source seen as it is by both, yet others moved
    return found


def _replace(graph, group):
    from .tiling import TiledReduction, tiled_reductions

    reductions, leaves = [], []
    for key, axes in group:
        _, r, task_leaves = graph[key]
        reductions.append(TiledReduction(r.chunk, r.chunk_kwargs, r.expression, axes))
        leaves.append(task_leaves)
    first = group[0][0]
    name = (first[0] if type(first) is tuple else first) + "-together"
    group_key = (name,) + first[1:] if type(first) is tuple else name
    graph[group_key] = (tiled_reductions, reductions, leaves)
    for i, (key, _) in enumerate(group):
        graph[key] = (operator.getitem, group_key, i)
