"""Leaving the bag world: ``to_delayed`` (one Delayed per partition) and ``to_dataframe`` (a
shoal.dataframe DataFrame, imported only when asked for)."""

from __future__ import annotations

from shoal.bag.optimize import optimize
from shoal.highlevelgraph import HighLevelGraph
from shoal.utils import import_required


def _graph(collection, keys, optimize_graph: bool):
    """The collection's graph for ``keys``; an optimised graph is wrapped as a one-layer
    HighLevelGraph, so Delayed values made from it can be passed on to other delayed calls."""
    graph = collection.__shoal_graph__()
    if not optimize_graph:
        return graph
    return HighLevelGraph({collection.name: optimize(graph, keys)}, {collection.name: set()})


def to_delayed(bag, optimize_graph: bool = True) -> list:
    from shoal.delayed import Delayed

    keys = bag.__shoal_keys__()
    graph = _graph(bag, keys, optimize_graph)
    return [Delayed(k, graph) for k in keys]


def item_to_delayed(item, optimize_graph: bool = True):
    from shoal.delayed import Delayed

    return Delayed(item.key, _graph(item, [item.key], optimize_graph))


def to_dataframe(bag, meta=None, columns=None, optimize_graph: bool = True):
    """A DataFrame with one partition per bag partition. Elements are dicts (keys become columns),
    tuples or lists (positions become ``columns``). ``meta`` is an empty DataFrame, a dict
    ``{column: dtype}`` or a list of ``(column, dtype)``; without it the first element is computed to
    learn the columns and dtypes."""
    dd = import_required("shoal.dataframe", "shoal-dataframe")
    import pandas as pd

    meta = _meta(bag, meta, columns, pd)
    frames = bag.map_partitions(records_to_frame, meta)
    return dd.from_delayed(to_delayed(frames, optimize_graph), meta=meta)


def _meta(bag, meta, columns, pd):
    if meta is None:
        first = bag.take(1, npartitions=-1, warn=False)
        if not first:
            raise ValueError("to_dataframe: the bag is empty; pass meta= to say the columns and dtypes")
        return pd.DataFrame(list(first), columns=columns).iloc[:0]
    if isinstance(meta, pd.DataFrame):
        return meta.iloc[:0]
    pairs = list(meta.items()) if isinstance(meta, dict) else list(meta)
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in pairs})


def records_to_frame(partition, meta):
    """One partition of dicts or tuples as a pandas DataFrame shaped like ``meta``."""
    import pandas as pd

    frame = pd.DataFrame(list(partition), columns=list(meta.columns))
    for name, dtype in meta.dtypes.items():
        if frame[name].dtype != dtype:
            try:
                frame[name] = frame[name].astype(dtype)
            except (TypeError, ValueError) as e:
                raise TypeError(
                    f"to_dataframe: column {name!r} cannot be converted to {dtype} ({e}); "
                    "fix meta= or the elements"
                ) from None
    return frame
