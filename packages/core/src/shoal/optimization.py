"""Graph rewrites applied before a graph runs: cull, fuse linear chains, inline.

Each takes a plain dict graph and returns a new one. Collections choose which to apply through
``__shoal_optimize__``; plain graphs (delayed) get :func:`cull` and :func:`fuse`.
"""

from __future__ import annotations

from collections.abc import Mapping

from shoal.core import as_literal, flatten, get_dependencies, istask, subs, toposort


def cull(dsk: Mapping, keys) -> tuple[dict, dict]:
    """Only the tasks needed for ``keys``; returns ``(graph, {key: set of dependencies})``."""
    wanted = list(flatten(keys)) if isinstance(keys, list) else [keys]
    out: dict = {}
    dependencies: dict = {}
    stack = [k for k in wanted if k in dsk]
    while stack:
        k = stack.pop()
        if k in out:
            continue
        task = dsk[k]
        out[k] = task
        deps = get_dependencies(dsk, task=task)
        dependencies[k] = deps
        stack.extend(d for d in deps if d not in out)
    return out, dependencies


def fuse(dsk: Mapping, keys=None, dependencies: Mapping | None = None, max_length: int | None = None):
    """Fuse linear chains of tasks ``a -> b -> c`` (each link the only input of the next and used only
    there) into one task under the last key. Requested ``keys`` are never fused away.
    Returns ``(graph, {key: set of dependencies})``."""
    if max_length is None:
        from shoal import config

        max_length = config.get("optimization.fuse.max-length", 100)
    keep = _key_set(keys)
    if dependencies is None:
        dependencies = {k: get_dependencies(dsk, task=v) for k, v in dsk.items()}
    dependents: dict = {k: [] for k in dsk}
    for k, deps in dependencies.items():
        for d in deps:
            dependents[d].append(k)
    # child[d] = k when d fuses into k; only tasks fuse: data (including objects a scheduler resolves
    # itself, like a distributed Future) stays under its own key
    child = {}
    for k, deps in dependencies.items():
        if len(deps) == 1:
            (d,) = deps
            if (len(dependents[d]) == 1 and d not in keep and istask(dsk[d])
                    and len(get_dependencies(dsk, task=dsk[k], as_list=True)) == 1):  # used once, not twice
                child[d] = k
    if not child:
        return dict(dsk), {k: set(v) for k, v in dependencies.items()}
    parents = {k: d for d, k in child.items()}
    out = dict(dsk)
    new_deps = {k: set(v) for k, v in dependencies.items()}
    for top in [d for d in child if d not in parents]:  # the first link of each chain
        chain = [top]
        while chain[-1] in child:
            chain.append(child[chain[-1]])
        for start in range(0, len(chain), max_length):
            piece = chain[start:start + max_length]
            if len(piece) < 2:
                continue
            task = out[piece[0]]
            for prev, key in zip(piece, piece[1:]):
                task = subs(out[key], prev, _as_argument(task))
            last = piece[-1]
            out[last] = task
            new_deps[last] = set(new_deps[piece[0]])
            for k in piece[:-1]:
                del out[k]
                del new_deps[k]
    return out, new_deps


def inline(dsk: Mapping, keys=None, inline_constants: bool = True, dependencies=None, output=None) -> dict:
    """Substitute the values of ``keys`` (and, with ``inline_constants``, of every non-task value)
    into the tasks that use them, and drop them from the graph unless they are in ``output``."""
    keys = _key_set(keys)
    keep = _key_set(output)
    if inline_constants:
        keys |= {k for k, v in dsk.items() if not istask(v) and not isinstance(v, (list, str))}
    if not keys:
        return dict(dsk)
    if dependencies is None:
        dependencies = {k: get_dependencies(dsk, task=v) for k, v in dsk.items()}
    values = {}
    out = {}
    for k in toposort(dependencies):
        task = dsk[k]
        for d in dependencies[k] & keys:
            task = subs(task, d, values[d])
        if k in keys:
            values[k] = _as_argument(task)
        out[k] = task
    for k in keys - keep:
        out.pop(k, None)
    return out


def inline_functions(dsk: Mapping, output, fast_functions=(), dependencies=None) -> dict:
    """Inline tasks whose function is one of ``fast_functions`` into their dependents
    (cheap work duplicated rather than stored), keeping ``output`` keys."""
    if not fast_functions:
        return dict(dsk)
    fast = set(fast_functions)
    keep = _key_set(output)
    if dependencies is None:
        dependencies = {k: get_dependencies(dsk, task=v) for k, v in dsk.items()}
    used = {d for deps in dependencies.values() for d in deps}
    chosen = [k for k, v in dsk.items() if istask(v) and v[0] in fast and k not in keep and k in used]
    return inline(dsk, chosen, inline_constants=False, dependencies=dependencies, output=keep)


def _as_argument(value):
    """A value to put where a key was: tasks as they are, data made literal."""
    return value if istask(value) else as_literal(value)


def _key_set(keys) -> set:
    """Keys given as None, one key, a (nested) list or a set, as a set."""
    if keys is None:
        return set()
    if isinstance(keys, (list, set, frozenset)):
        return set(flatten(list(keys)))
    return {keys}
