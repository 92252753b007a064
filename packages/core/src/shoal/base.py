"""The collection protocol and the functions that work on any mix of collections:
``compute``, ``persist``, ``optimize``, ``visualize``, and choosing a scheduler.

A collection is any object with ``__shoal_graph__()``, ``__shoal_keys__()``,
``__shoal_postcompute__()`` and ``__shoal_postpersist__()``, and optionally ``__shoal_optimize__``
and ``__shoal_scheduler__`` (see DESIGN.md §3). Collections from different packages computed together
share one graph, so common inputs run once.
"""

from __future__ import annotations

from collections.abc import Mapping

from shoal.core import as_literal, flatten
from shoal.highlevelgraph import HighLevelGraph
from shoal.tokens import normalize_token, tokenize
from shoal.utils import ensure_dict

__all__ = [
    "ShoalMethodsMixin", "collections_to_graph", "compute", "get_scheduler", "is_shoal_collection",
    "named_schedulers", "normalize_token", "optimize", "persist", "tokenize", "unpack_collections",
    "visualize",
]


def is_shoal_collection(x) -> bool:
    """Does ``x`` implement the collection protocol?"""
    if isinstance(x, type):
        return False
    graph = getattr(x, "__shoal_graph__", None)
    return callable(graph)


def _sync():
    from shoal.local import get_sync

    return get_sync


def _threads():
    from shoal.threaded import get

    return get


def _processes():
    from shoal.multiprocessing import get

    return get


# name -> function returning the get function (so no scheduler module is imported before use)
named_schedulers: dict = {
    "sync": _sync, "synchronous": _sync, "single-threaded": _sync,
    "threads": _threads, "threading": _threads,
    "processes": _processes, "multiprocessing": _processes,
}


def get_scheduler(scheduler=None, collections=None, get=None):
    """The get function to run with: an explicit ``scheduler``, else config ``scheduler``, else the
    collections' own default (``__shoal_scheduler__``), else threads."""
    if get is not None:
        return get
    if scheduler is None:
        from shoal import config

        scheduler = config.get("scheduler", None)
    if scheduler is None:
        defaults = {getattr(type(c), "__shoal_scheduler__", None) for c in collections or ()}
        defaults.discard(None)
        if len(defaults) == 1:
            return _unwrap(defaults.pop())
        return _threads()
    if isinstance(scheduler, str):
        try:
            return named_schedulers[scheduler.lower()]()
        except KeyError:
            raise ValueError(
                f"unknown scheduler {scheduler!r}; expected one of {sorted(named_schedulers)}, "
                "a get function, or a distributed Client"
            ) from None
    from concurrent.futures import ThreadPoolExecutor

    if isinstance(scheduler, ThreadPoolExecutor):
        import functools

        return functools.partial(_threads(), pool=scheduler, num_workers=scheduler._max_workers + 1)
    if hasattr(scheduler, "get") and callable(scheduler.get):
        return scheduler.get
    if callable(scheduler):
        return scheduler
    raise ValueError(f"cannot use {scheduler!r} as a scheduler")


def _unwrap(f):
    return f.__func__ if isinstance(f, staticmethod) else f


# -- finding collections inside arguments ----------------------------------------------------------

def unpack_collections(*args, traverse: bool = True):
    """Find the collections in ``args`` (inside lists, tuples, sets and dicts when ``traverse``).

    Returns ``(collections, repack)`` where ``repack(results)`` rebuilds ``args`` with each collection
    replaced by its result.
    """
    collections: list = []
    index: dict = {}

    def scan(x):
        if is_shoal_collection(x):
            if id(x) not in index:
                index[id(x)] = len(collections)
                collections.append(x)
            return ("c", index[id(x)])
        if traverse:
            t = type(x)
            if t in (list, tuple, set, frozenset):
                return ("s", t, [scan(i) for i in x])
            if t is dict:
                return ("d", [(k, scan(v)) for k, v in x.items()])
        return ("v", x)

    plan = [scan(a) for a in args]

    def build(p, results):
        kind = p[0]
        if kind == "c":
            return results[p[1]]
        if kind == "s":
            return p[1](build(i, results) for i in p[2])
        if kind == "d":
            return {k: build(v, results) for k, v in p[1]}
        return p[1]

    def repack(results):
        return tuple(build(p, results) for p in plan)

    return collections, repack


# -- graphs of many collections --------------------------------------------------------------------

def _default_optimize(dsk, keys, **kwargs):
    from shoal import config
    from shoal.optimization import cull, fuse

    dsk, deps = cull(ensure_dict(dsk), keys)
    if config.get("optimization.fuse.active", True):
        dsk, deps = fuse(dsk, keys, dependencies=deps)
    return dsk


def _merge_graphs(graphs: list) -> Mapping:
    if len(graphs) == 1:
        return graphs[0]
    if all(isinstance(g, HighLevelGraph) for g in graphs):
        return HighLevelGraph.merge(*graphs)
    out: dict = {}
    for g in graphs:
        out.update(ensure_dict(g))
    return out


def collections_to_graph(collections, optimize_graph: bool = True, **kwargs) -> tuple[dict, list]:
    """One plain graph for all ``collections`` and the list of their ``__shoal_keys__()``.

    With ``optimize_graph``, collections sharing an ``__shoal_optimize__`` are optimised together.
    """
    keys = [c.__shoal_keys__() for c in collections]
    if not optimize_graph:
        return ensure_dict(_merge_graphs([c.__shoal_graph__() for c in collections])), keys
    groups: dict = {}
    for c, k in zip(collections, keys):
        opt = getattr(type(c), "__shoal_optimize__", None) or _default_optimize
        group = groups.setdefault(opt, ([], []))
        group[0].append(c.__shoal_graph__())
        group[1].append(k)
    graphs = []
    for opt, (gs, ks) in groups.items():
        graphs.append(ensure_dict(opt(_merge_graphs(gs), ks, **kwargs)))
    return ensure_dict(_merge_graphs(graphs)), keys


# -- the user-facing functions ---------------------------------------------------------------------

def compute(*args, traverse: bool = True, optimize_graph: bool = True, scheduler=None, get=None, **kwargs):
    """Compute several collections at once, sharing their common work. Returns a tuple of results;
    arguments that are not collections come back unchanged."""
    collections, repack = unpack_collections(*args, traverse=traverse)
    if not collections:
        return args
    schedule = get_scheduler(scheduler=scheduler, collections=collections, get=get)
    dsk, keys = collections_to_graph(collections, optimize_graph, **_optimize_options(kwargs))
    postcomputes = [c.__shoal_postcompute__() for c in collections]
    results = schedule(dsk, keys, **kwargs)
    return repack([f(r, *a) for r, (f, a) in zip(results, postcomputes)])


def _optimize_options(kwargs: dict) -> dict:
    """Options meant for the optimisers (``optimize_*`` and ``fuse_*`` prefixed) leave ``kwargs``."""
    return {k: kwargs.pop(k) for k in list(kwargs) if k.startswith(("optimize_", "fuse_"))}


def persist(*args, traverse: bool = True, optimize_graph: bool = True, scheduler=None, get=None, **kwargs):
    """Compute collections and return new collections of the same types whose graphs hold the results
    (in memory, or on a cluster when the scheduler is a distributed Client)."""
    collections, repack = unpack_collections(*args, traverse=traverse)
    if not collections:
        return args
    schedule = get_scheduler(scheduler=scheduler, collections=collections, get=get)
    persist_method = getattr(getattr(schedule, "__self__", None), "persist", None)
    if persist_method is not None and hasattr(schedule.__self__, "submit"):
        # a distributed Client keeps results on the cluster
        return repack(persist_method(collections, optimize_graph=optimize_graph, **kwargs))
    dsk, keys = collections_to_graph(collections, optimize_graph, **_optimize_options(kwargs))
    flat = [list(flatten(k)) if isinstance(k, list) else [k] for k in keys]
    results = schedule(dsk, flat, **kwargs)
    out = []
    for c, ks, rs in zip(collections, flat, results):
        rebuild, extra = c.__shoal_postpersist__()
        out.append(rebuild({k: as_literal(r) for k, r in zip(ks, rs)}, *extra))
    return repack(out)


def optimize(*args, traverse: bool = True, **kwargs):
    """Collections of the same types whose graphs are optimised (culled, fused, ...)."""
    collections, repack = unpack_collections(*args, traverse=traverse)
    if not collections:
        return args
    dsk, _ = collections_to_graph(collections, True, **kwargs)
    out = []
    for c in collections:
        rebuild, extra = c.__shoal_postpersist__()
        out.append(rebuild(dsk, *extra))
    return repack(out)


def visualize(*args, filename: str | None = "mydask", format: str | None = None,
              optimize_graph: bool = False, traverse: bool = True, **kwargs):
    """Draw the graph of the given collections (or plain graphs) into ``filename``, and only that file.

    The format is ``format``, else the extension of ``filename``, else png (so the default writes
    ``mydask.png``); ``'dot'`` writes the DOT source, png/svg/pdf/jpeg/... are rendered by graphviz's
    ``dot`` program (a RuntimeError says how to install it when missing). ``filename=None`` writes
    nothing. Returns the DOT source as a ``str`` (where Dask returns an IPython image or a graphviz
    object); in a Jupyter notebook it displays as the rendered picture."""
    from shoal.dot import write_graph

    graphs = [a for a in args if isinstance(a, Mapping) and not is_shoal_collection(a)]
    collections, _ = unpack_collections(*[a for a in args if not isinstance(a, Mapping)], traverse=traverse)
    dsk: dict = {}
    for g in graphs:
        dsk.update(ensure_dict(g))
    if collections:
        dsk.update(collections_to_graph(collections, optimize_graph)[0])
    return write_graph(dsk, filename=filename, format=format, **kwargs)


class ShoalMethodsMixin:
    """``.compute()``, ``.persist()`` and ``.visualize()`` for a class implementing the protocol."""

    __slots__ = ()

    def compute(self, **kwargs):
        (result,) = compute(self, traverse=False, **kwargs)
        return result

    def persist(self, **kwargs):
        (result,) = persist(self, traverse=False, **kwargs)
        return result

    def visualize(self, filename="mydask", format=None, optimize_graph=False, **kwargs):
        return visualize(self, filename=filename, format=format, optimize_graph=optimize_graph, **kwargs)
