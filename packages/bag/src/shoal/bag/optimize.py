"""Graph optimisation for bags: keep only what is needed, fuse each partition's chain into one task.

Every bag task is stored as ``(reify, task)`` so that its result is a concrete list whatever runs it.
After culling, every linear chain (``read -> map -> filter -> pluck -> count`` for one partition)
becomes a single nested task, and the inner ``reify`` wrappers are dropped: inside the fused task the
intermediate partitions stay lazy iterators, consumed element by element and never materialised or
sent between processes. Only the outermost result of each task is made concrete.
"""

from __future__ import annotations

from shoal.bag.partition import reified, reify
from shoal.core import flatten, istask
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
    fused, _ = fuse(culled, out_keys + stored, dependencies)
    return {k: reified(_lazy_inside(v)) for k, v in fused.items()}


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
