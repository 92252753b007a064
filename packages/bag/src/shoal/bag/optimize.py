"""Graph optimisation for bags: keep only what is needed, fuse each partition's chain into one task.

Every bag task is stored as ``(reify, task)`` so that its result is a concrete list whatever runs it.
After culling, every linear chain (``read -> map -> filter -> pluck -> count`` for one partition)
becomes a single nested task, and the inner ``reify`` wrappers are dropped: inside the fused task the
intermediate partitions stay lazy iterators, consumed element by element and never materialised or
sent between processes. Only the outermost result of each task is made concrete. The partitions a
``repartition`` merges, or ``zip`` and ``map`` combine, are computed inside the combining task too
(see ``_inline_combined_inputs``).
"""

from __future__ import annotations

from collections import Counter

import shoal.config
from shoal.bag.joins import zip_partitions
from shoal.bag.partition import map_with_arguments, reified, reify
from shoal.bag.sequence import chain_partitions
from shoal.core import flatten, iskey, istask
from shoal.optimization import cull, fuse
from shoal.utils import ensure_dict


def optimize(dsk, keys, fuse_chains: bool = True, **kwargs) -> dict:
    """Cull ``dsk`` to ``keys``, fuse linear chains, and stream inside each fused task."""
    out_keys = list(flatten(keys))
    culled, dependencies = cull(ensure_dict(dsk), out_keys)
    if not fuse_chains:
        return culled
    # values that are not tasks (persisted data, distributed futures) keep their own keys: a
    # scheduler recognises them there, not once substituted into another task
    stored = [k for k, v in culled.items() if not istask(v)]
    fused, fused_dependencies = fuse(culled, out_keys + stored, dependencies)
    if shoal.config.get("bag.inline-combined-inputs", True):
        fused = _inline_combined_inputs(fused, fused_dependencies, set(out_keys))
    return {k: reified(_lazy_inside(v)) for k, v in fused.items()}


def _inline_combined_inputs(dsk: dict, dependencies: dict, out_keys: set) -> dict:
    """Move input partitions into the one task that combines them partition by partition.

    ``filter(...).repartition(10)``, ``zip(a, b)`` or ``a.map(f, b)`` would otherwise compute each input
    partition in its own task and ship its elements to the combining task (with processes: pickled
    back to the caller and out again). Inlined, the combining task streams through its inputs.
    Only inputs used by that task alone (once), and not asked for themselves, are moved; the number
    of tasks running in parallel stays the number of output partitions."""
    users = Counter(d for deps in dependencies.values() for d in deps)
    moved: set = set()

    def movable(key, uses: Counter) -> bool:
        return (iskey(key) and key in dsk and key not in out_keys and users[key] == 1
                and uses[key] == 1 and istask(dsk[key]))

    def visit(task):
        if type(task) is list:
            return [visit(x) for x in task]
        if type(task) is not tuple or not task or not callable(task[0]):
            return task
        slots = _partition_slots(task)
        if slots:
            task = list(task)
            uses = Counter(task[i][j] for i, positions in slots for j in positions
                           if iskey(task[i][j]))
            for i, positions in slots:
                parts = list(task[i])
                for j in positions:
                    if movable(parts[j], uses):
                        moved.add(parts[j])
                        parts[j] = dsk[parts[j]]
                task[i] = parts
            task = tuple(task)
        return (task[0], *[visit(a) for a in task[1:]])

    out = {k: visit(v) for k, v in dsk.items()}
    for key in moved:
        del out[key]
    return out


def _partition_slots(task) -> list:
    """``[(argument index, [positions in that list argument])]`` where ``task`` takes whole
    partitions of other bags, each consumed once as an iterator."""
    func = task[0]
    if func is chain_partitions or func is zip_partitions:
        if len(task) > 1 and type(task[1]) is list:
            return [(1, range(len(task[1])))]
    elif func is map_with_arguments and len(task) == 8:
        return [(3, [j for j, is_bag in enumerate(task[4]) if is_bag]),
                (6, [j for j, is_bag in enumerate(task[7]) if is_bag])]
    return []


def _lazy_inside(task):
    """``task`` with every nested ``(reify, x)`` replaced by ``x`` (the top level is kept as is)."""
    if type(task) is not tuple or not task or not callable(task[0]):
        return task
    return (task[0], *[_unwrap(a) for a in task[1:]])


def _unwrap(arg):
    t = type(arg)
    if t is tuple and arg and callable(arg[0]):
        if arg[0] is reify and len(arg) == 2:
            return _unwrap(arg[1])
        return (arg[0], *[_unwrap(a) for a in arg[1:]])
    if t is list:
        return [_unwrap(a) for a in arg]
    return arg
