"""The task graph spec: what a key, a task and a graph are, and how to check a graph.

A graph is a mapping ``key -> task or literal``. A key is a ``str`` or a tuple ``(name, i, j, ...)``
whose first element is a ``str`` and whose other elements are ints, floats or strs. A task is a tuple
whose first element is callable: ``(func, arg, ...)``. Arguments may be keys (replaced by their values),
literals, lists (traversed) or nested tasks. This is Dask's classic spec, accepted as written by hand.
"""

from __future__ import annotations

from collections.abc import Mapping


class GraphError(ValueError):
    """A graph that cannot be run: a cycle, a missing dependency or a bad key."""


def istask(x) -> bool:
    """Is ``x`` a runnable task, i.e. a tuple whose first element is callable?"""
    return type(x) is tuple and bool(x) and callable(x[0])


def iskey(x) -> bool:
    """Can ``x`` be a key? A str, or a tuple ``(str, ...)`` of strs, ints and floats."""
    t = type(x)
    if t is str:
        return True
    if t is tuple and x and type(x[0]) is str:
        return all(type(i) in (int, float, str) or iskey(i) for i in x[1:])
    return False


def _is_hashable_key(x, dsk) -> bool:
    try:
        return x in dsk
    except TypeError:
        return False


def _find_deps(arg, dsk, out: list) -> None:
    """Append to ``out`` every key of ``dsk`` mentioned in ``arg`` (iteratively, for deep nesting)."""
    stack = [arg]
    pop, push = stack.pop, stack.extend
    while stack:
        a = pop()
        t = type(a)
        if t is tuple:
            if a and callable(a[0]):
                push(reversed(a[1:]))  # reversed: the stack pops arguments in their written order
                continue
            if _is_hashable_key(a, dsk):
                out.append(a)
        elif t is list:
            push(reversed(a))
        elif t is str:
            if a in dsk:
                out.append(a)
        else:
            try:
                if a in dsk:
                    out.append(a)
            except TypeError:
                pass


def get_dependencies(dsk: Mapping, key=None, task=None, as_list: bool = False):
    """The keys of ``dsk`` that ``dsk[key]`` (or ``task``) refers to."""
    if key is not None:
        task = dsk[key]
    out: list = []
    _find_deps(task, dsk, out)
    if as_list:
        return out
    return set(out)


def keys_in_tasks(keys, tasks) -> set:
    """The members of ``keys`` that any of ``tasks`` refers to."""
    out: list = []
    for t in tasks:
        _find_deps(t, keys, out)
    return set(out)


def get_all_dependencies(dsk: Mapping) -> dict:
    """``{key: set of dependency keys}`` for every key of ``dsk``."""
    return {k: get_dependencies(dsk, task=v) for k, v in dsk.items()}


def reverse_dict(deps: Mapping) -> dict:
    """Invert ``{key: dependencies}`` into ``{key: dependents}`` (every key appears)."""
    out: dict = {k: set() for k in deps}
    for k, vs in deps.items():
        for v in vs:
            out.setdefault(v, set()).add(k)
    return out


def flatten(seq, container=list):
    """Yield the non-list leaves of a nested list (keys in ``__shoal_keys__`` results)."""
    if isinstance(seq, str) or not isinstance(seq, container):
        yield seq
        return
    stack = [iter(seq)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, container) and not isinstance(item, str):
                stack.append(iter(item))
                break
            yield item
        else:
            stack.pop()


def subs(task, key, val):
    """``task`` with every occurrence of the key ``key`` replaced by ``val``."""
    t = type(task)
    if t is tuple and task and callable(task[0]):
        return (task[0],) + tuple(subs(a, key, val) for a in task[1:])
    if t is list:
        return [subs(a, key, val) for a in task]
    try:
        if t is type(key) and task == key:
            return val
    except Exception:
        pass
    return task


def _identity(x):
    return x


def quote(x):
    """Wrap a literal so a scheduler does not run it as a task or look it up as a key."""
    return (_identity, Literal(x))


class Literal:
    """A value that schedulers pass through untouched (see :func:`quote`)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return (Literal, (self.value,))

    def __repr__(self):
        return f"literal<{type(self.value).__name__}>"


def as_literal(value):
    """``value`` made safe to store in a graph as data: lists, tuples and strs (which a scheduler would
    read as tasks, keys or lists of keys) are quoted, everything else is stored as it is."""
    if type(value) in (tuple, list, str):
        return quote(value)
    return value


def validate_graph(dsk: Mapping, dependencies: Mapping | None = None) -> dict:
    """Check that ``dsk`` can run; return its dependencies.

    Raises :class:`GraphError` naming the offending keys for a key that cannot be a key, a dependency
    that is not in the graph (a task argument that is a tuple key absent from the graph), or a cycle.
    """
    for k in dsk:
        if not iskey(k):
            raise GraphError(
                f"{k!r} ({type(k).__name__}) cannot be a key: keys are str or tuples (name, i, ...) "
                "whose first element is a str"
            )
    if dependencies is None:
        dependencies = get_all_dependencies(dsk)
    _check_missing(dsk)
    cycle = find_cycle(dependencies)
    if cycle:
        raise GraphError("the graph has a cycle: " + " -> ".join(repr(k) for k in cycle))
    return dict(dependencies)


def _key_like(a) -> bool:
    return len(a) > 1 and type(a[0]) is str and type(a[1]) is int


def check_task_arguments(key, task, dsk) -> None:
    """A task argument shaped like a key, ``(f, ('x', 1))``, that is not in the graph is a missing input.

    Only direct arguments of tasks are checked: tuples inside lists are ordinary data (pairs, records).
    """
    stack = [task]
    while stack:
        t = stack.pop()
        if type(t) is not tuple or not t or not callable(t[0]):
            continue
        for a in t[1:]:
            if type(a) is tuple and a:
                if callable(a[0]):
                    stack.append(a)
                elif _key_like(a) and a not in dsk:
                    raise GraphError(f"task {key!r} depends on key {a!r}, which is not in the graph")


def _check_missing(dsk: Mapping) -> None:
    for k, task in dsk.items():
        check_task_arguments(k, task, dsk)


def toposort(dependencies: Mapping) -> list:
    """Keys in an order where each comes after its dependencies (iterative DFS; dependencies that
    are not keys of ``dependencies`` are ignored)."""
    order, seen = [], set()
    for root in dependencies:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(dependencies[root]))]
        while stack:
            key, it = stack[-1]
            for d in it:
                if d not in seen and d in dependencies:
                    seen.add(d)
                    stack.append((d, iter(dependencies[d])))
                    break
            else:
                order.append(key)
                stack.pop()
    return order


def find_cycle(dependencies: Mapping) -> list | None:
    """A list of keys forming a cycle (first key repeated at the end), or None. Iterative DFS."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(dependencies, WHITE)
    for root in dependencies:
        if colour[root] != WHITE:
            continue
        path = [root]
        iters = [iter(dependencies[root])]
        colour[root] = GREY
        while iters:
            for dep in iters[-1]:
                c = colour.get(dep, BLACK)
                if c == GREY:
                    return path[path.index(dep):] + [dep]
                if c == WHITE:
                    colour[dep] = GREY
                    path.append(dep)
                    iters.append(iter(dependencies[dep]))
                    break
            else:
                colour[path.pop()] = BLACK
                iters.pop()
    return None
