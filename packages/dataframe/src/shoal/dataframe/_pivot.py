"""pivot_table: a groupby over (index, columns) reduced across partitions, then unstacked so
each category of ``columns`` becomes an output column (the categories must be known)."""
from __future__ import annotations

import pandas as pd

from ._meta import has_unknown_categories, make_meta, meta_nonempty

_AGGFUNCS = ("mean", "sum", "count", "first", "last", "min", "max")


def _unstack(part, columns, categories, values_list, zero_fill=False):
    # missing (index, category) pairs: 0 for sum/count (as pandas), else NaN, so numbers become
    # floats (stable meta)
    fill = 0 if zero_fill else None
    wide = part.unstack(columns, fill_value=fill)
    if not zero_fill:
        wide = wide.astype({c: "float64" for c in wide.columns if wide[c].dtype.kind in "iub"})
    labels = pd.CategoricalIndex(categories, categories=categories, name=columns)
    if values_list is None:
        wide = wide.reindex(columns=labels, fill_value=fill)
        return wide.astype(part.dtype) if zero_fill else wide
    target = pd.MultiIndex.from_product([values_list, labels], names=[None, columns])
    wide = wide.reindex(columns=target, fill_value=fill)
    # an empty partition has no values to fix the dtypes: take them from the grouped values
    return wide.astype({c: part[c[0]].dtype for c in wide.columns}) if zero_fill else wide


def pivot_table(df, index=None, columns=None, values=None, aggfunc="mean"):
    """Spreadsheet-style pivot: rows by ``index``, one column per category of ``columns``."""
    for what, name in (("index", index), ("columns", columns)):
        if not isinstance(name, str) or name not in df.columns:
            raise ValueError(f"pivot_table: '{what}' must be the name of a column of {list(df.columns)}, "
                             f"got {name!r}")
    dtype = df._meta[columns].dtype
    if not isinstance(dtype, pd.CategoricalDtype) or has_unknown_categories(dtype):
        raise ValueError(f"pivot_table: column {columns!r} must be categorical with known categories "
                         f"(it is {dtype}); use df.{columns}.astype('category').cat.as_known()")
    if aggfunc not in _AGGFUNCS:
        raise ValueError(f"pivot_table: aggfunc must be one of {_AGGFUNCS}, got {aggfunc!r}")
    if values is None:
        values = [c for c in df.columns if c not in (index, columns)]
    df._check_columns([values] if not isinstance(values, list) else values)
    grouped = getattr(df.groupby([index, columns], observed=True)[values], aggfunc)()
    categories = list(dtype.categories)
    kwargs = {"columns": columns, "categories": categories,
              # pandas sorts the result's columns (sort=True), so the values come in order
              "values_list": sorted(values) if isinstance(values, list) else None,
              "zero_fill": aggfunc in ("sum", "count")}
    meta = make_meta(_unstack(meta_nonempty(grouped._meta), **kwargs))
    return grouped.map_partitions(_unstack, meta=meta, **kwargs)
