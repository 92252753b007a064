"""is_monotonic_increasing / is_monotonic_decreasing across partitions: each partition reports
whether it is monotonic and its first and last values; the edges must then be in order too."""
from __future__ import annotations

import pandas as pd


def _edges(part, increasing):
    values = part if isinstance(part, pd.Index) else pd.Index(part)
    if len(values) == 0:
        return None
    ok = values.is_monotonic_increasing if increasing else values.is_monotonic_decreasing
    return (bool(ok), values[0], values[-1])


def _all_in_order(parts, increasing):
    from ._reductions import _flatten_chunks

    edges = [e for e in _flatten_chunks(parts) if e is not None]
    if not all(ok for ok, _, _ in edges):
        return False
    pairs = zip([last for _, _, last in edges[:-1]], [first for _, first, _ in edges[1:]])
    return all(a <= b if increasing else a >= b for a, b in pairs)


def is_monotonic(series, increasing: bool):
    """A lazy bool: are the values of ``series`` (a Series or Index) monotonic over all rows?"""
    from ._collection import new_collection
    from ._reductions import reduction

    return new_collection(reduction(series.expr, _edges, _all_in_order, True,
                                    chunk_kwargs={"increasing": increasing},
                                    aggregate_kwargs={"increasing": increasing},
                                    skip_empty=False))
