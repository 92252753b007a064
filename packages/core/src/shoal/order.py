"""Static priorities that keep memory low while a graph runs.

The order is a depth-first post-order from the graph's outputs: to produce an output, first produce
its inputs one branch at a time, so a branch is finished (and its intermediates can be released) before
the next one starts. Outputs are visited in key order, and the inputs of a task in argument order, which
gives the natural left-to-right order of chunked collections. Schedulers run the ready task with the
lowest number first.
"""

from __future__ import annotations

from collections.abc import Mapping

from shoal.core import get_dependencies, reverse_dict


def order(dsk: Mapping, dependencies: Mapping | None = None) -> dict:
    """``{key: priority}`` with priorities ``0 .. len(dsk) - 1`` (lower runs first)."""
    if dependencies is None:
        dependencies = {
            k: list(dict.fromkeys(get_dependencies(dsk, task=v, as_list=True))) for k, v in dsk.items()
        }
    return order_dependencies(dependencies)


def _sort_key(key):
    # keys may mix str and tuples: compare by (name, indices) with a type tag to stay comparable
    if type(key) is tuple:
        return (key[0], tuple((0, i, "") if type(i) in (int, float) else (1, 0, str(i)) for i in key[1:]))
    return (key, ())


def order_dependencies(dependencies: Mapping) -> dict:
    """The same as :func:`order`, from ``{key: iterable of dependency keys}``."""
    dependents = reverse_dict(dependencies)
    outputs = [k for k, v in dependents.items() if not v]
    try:
        outputs.sort(key=_sort_key)
    except TypeError:
        outputs.sort(key=str)
    result: dict = {}
    n = 0
    for root in outputs:
        if root in result:
            continue
        # iterative post-order DFS: (key, iterator over its dependencies)
        stack = [(root, iter(dependencies.get(root, ())))]
        onstack = {root}
        while stack:
            key, it = stack[-1]
            for dep in it:
                if dep not in result and dep not in onstack and dep in dependencies:
                    onstack.add(dep)
                    stack.append((dep, iter(dependencies[dep])))
                    break
            else:
                stack.pop()
                result[key] = n
                n += 1
    for key in dependencies:  # keys on a cycle are never outputs; number them so callers can report it
        if key not in result:
            result[key] = n
            n += 1
    return result
