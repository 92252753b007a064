"""DataFrame.agg / Series.agg: several whole-column reductions gathered into pandas' result shape.

Each (column, reduction) pair is an ordinary shoal reduction; one final task puts the values into
a frame shaped like ``pandas.DataFrame.agg`` would return it.  That shape (index, columns and
dtypes) is taken from running the same ``agg`` on a tiny fake partition.
"""
from __future__ import annotations

import pandas as pd

from ._expr import MapPartitions
from ._meta import make_meta, meta_nonempty


def _func_name(func) -> str:
    name = func if isinstance(func, str) else getattr(func, "__name__", None)
    if not isinstance(name, str):
        raise TypeError(f"agg: cannot reduce with {func!r}; pass reduction names such as 'sum'")
    return name


def _reduce(series, func, column):
    name = _func_name(func)
    method = getattr(series, name, None)
    if method is None or not callable(method) or name.startswith("_"):
        raise AttributeError(f"agg: {name!r} is not a reduction of column {column!r} "
                             f"(dtype {series.dtype})")
    return method()


def _cells(frame, func):
    """[(row label, column, shoal Scalar)] for a DataFrame.agg spec."""
    if isinstance(func, dict):
        missing = [c for c in func if c not in frame.columns]
        if missing:
            raise KeyError(f"agg: column(s) {missing} not found; columns are {list(frame.columns)}")
        cells = []
        for col, funcs in func.items():
            if isinstance(funcs, (list, tuple)):
                cells.extend((_func_name(f), col, _reduce(frame[col], f, col)) for f in funcs)
            else:
                cells.append((_func_name(funcs), col, _reduce(frame[col], funcs, col)))
        return cells
    funcs = list(func)
    return [(_func_name(f), col, _reduce(frame[col], f, col)) for f in funcs for col in frame.columns]


def _assemble(*values, template, cells):
    if isinstance(template, pd.Series):
        out = pd.Series(list(values), index=template.index, name=template.name, dtype=object)
        return out.astype(template.dtype)
    out = pd.DataFrame(index=template.index, columns=template.columns, dtype=object)
    for (row, col), value in zip(cells, values):
        out.loc[row, col] = value
    return out.astype(template.dtypes.to_dict())


def frame_agg(frame, func):
    """``DataFrame.agg(func)`` for a name, a list of names or a dict of column -> name(s)."""
    from ._collection import new_collection

    if isinstance(func, str) or callable(func) and not isinstance(func, (list, dict)):
        return _reduce(frame, func, "<all>")
    cells = _cells(frame, func)  # first: its errors name the column
    template = meta_nonempty(frame._meta).agg(func)
    template_cells = [(r, c) for r, c, _ in cells]
    exprs = [s.expr for _, _, s in cells]
    return new_collection(MapPartitions(_assemble, make_meta(template), "clear",
                                        {"template": template, "cells": template_cells}, False,
                                        exprs))


def series_agg(series, func):
    """``Series.agg(func)``: a scalar for one name, a Series for a list or a dict of names."""
    from ._collection import new_collection

    if isinstance(func, str) or callable(func) and not isinstance(func, (list, dict)):
        return _reduce(series, func, series.name)
    template = meta_nonempty(series._meta).agg(func)
    funcs = list(func.values()) if isinstance(func, dict) else list(func)
    scalars = [_reduce(series, f, series.name) for f in funcs]
    return new_collection(MapPartitions(_assemble, make_meta(template), "clear",
                                        {"template": template, "cells": None}, False,
                                        [s.expr for s in scalars]))
