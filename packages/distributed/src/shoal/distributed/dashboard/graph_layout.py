"""A layered layout of the task graph: each task one column right of its deepest dependency.

Plain data in and out (no Bokeh), at most ``limit`` tasks: the first ones the scheduler knows, which
are the oldest graph submitted.
"""

from itertools import islice

NODE_LIMIT = 5000


def layered_layout(tasks, limit=NODE_LIMIT):
    """``tasks`` is the scheduler's ``{key: TaskState}``. Returns ``(nodes, edges, total)``: nodes as
    ``{"key", "x", "y", "ts"}`` dicts, edges as ``(index of dependency, index of dependent)``."""
    total = len(tasks)
    chosen = list(islice(tasks.values(), limit))
    index = {ts: i for i, ts in enumerate(chosen)}  # TaskStates hash by identity
    deps = [[index[d] for d in ts.dependencies if d in index] for ts in chosen]
    layer = _layers(deps)
    rows = {}
    nodes = []
    for i, ts in enumerate(chosen):
        y = rows.get(layer[i], 0)
        rows[layer[i]] = y + 1
        nodes.append({"key": ts.key, "x": layer[i], "y": y, "ts": ts})
    edges = [(j, i) for i, ds in enumerate(deps) for j in ds]
    _center_columns(nodes, rows)
    return nodes, edges, total


def _layers(deps):
    """Longest path from a root for every task, in topological order (Kahn's algorithm)."""
    dependents = [[] for _ in deps]
    missing = [len(ds) for ds in deps]
    for i, ds in enumerate(deps):
        for j in ds:
            dependents[j].append(i)
    layer = [0] * len(deps)
    ready = [i for i, n in enumerate(missing) if n == 0]
    while ready:
        j = ready.pop()
        for i in dependents[j]:
            layer[i] = max(layer[i], layer[j] + 1)
            missing[i] -= 1
            if missing[i] == 0:
                ready.append(i)
    return layer


def _center_columns(nodes, rows):
    """Centre each column vertically so a narrow layer sits in the middle of a wide neighbour."""
    for node in nodes:
        node["y"] = node["y"] - (rows[node["x"]] - 1) / 2
