"""Categoricals: astype('category') (categories unknown until computed), ``.cat``, categorize()."""
from __future__ import annotations

import pandas as pd

from ._expr import MapPartitions
from ._meta import clear_known_categories, has_unknown_categories


def _astype(part, dtype):
    return part.astype(dtype)


def astype(frame, dtype):
    """``astype`` partition by partition; 'category' without categories makes them unknown."""
    from ._collection import new_collection

    meta = frame._meta.astype(dtype)
    unknown = _unknown_category_columns(frame._meta, dtype)
    if unknown:
        meta = clear_known_categories(meta, columns=unknown if isinstance(meta, pd.DataFrame) else None)
    expr = MapPartitions(_astype, meta, "keep", {"dtype": dtype}, False, [frame.expr])
    return new_collection(expr)


def _unknown_category_columns(meta, dtype):
    def is_unknown(d):
        # a CategoricalDtype equals the string "category" too, so test the string first
        if isinstance(d, str):
            return d == "category"
        return isinstance(d, pd.CategoricalDtype) and d.categories is None

    if isinstance(dtype, dict):
        return [c for c, d in dtype.items() if is_unknown(d)]
    if is_unknown(dtype):
        return list(meta.columns) if isinstance(meta, pd.DataFrame) else [meta.name]
    return []


class CategoricalAccessor:
    def __init__(self, series):
        if not isinstance(series.dtype, pd.CategoricalDtype):
            raise AttributeError(f"Can only use .cat accessor with a 'category' dtype; "
                                 f"{series.name!r} has dtype {series.dtype}")
        self._series = series

    @property
    def known(self) -> bool:
        return not has_unknown_categories(self._series._meta)

    @property
    def categories(self):
        if not self.known:
            raise NotImplementedError("The categories of this column are unknown; call "
                                      "`.cat.as_known()` first")
        return self._series.dtype.categories

    @property
    def ordered(self):
        return self._series.dtype.ordered

    @property
    def codes(self):
        from ._collection import new_collection

        if not self.known:
            raise NotImplementedError("codes of unknown categories differ per partition; call "
                                      "`.cat.as_known()` first")
        meta = self._series._meta.cat.codes
        return new_collection(MapPartitions(_codes, meta, "keep", {}, False, [self._series.expr]))

    def as_known(self):
        categories = self._series.dropna().unique().compute()
        try:
            categories = sorted(categories)
        except TypeError:
            categories = list(categories)
        return self.set_categories(categories)

    def as_unknown(self):
        from ._collection import new_collection

        meta = clear_known_categories(self._series._meta)
        return new_collection(MapPartitions(_identity, meta, "keep", {}, False, [self._series.expr]))

    def set_categories(self, categories, ordered=None):
        from ._collection import new_collection

        ordered = self.ordered if ordered is None else ordered
        dtype = pd.CategoricalDtype(categories, ordered=ordered)
        meta = self._series._meta.astype(dtype)
        return new_collection(MapPartitions(_astype, meta, "keep", {"dtype": dtype}, False,
                                            [self._series.expr]))

    def remove_unused_categories(self):
        return self.as_known()

    def _known_categories(self, method):
        if not self.known:
            raise NotImplementedError(f"cat.{method} needs known categories; call "
                                      f"`.cat.as_known()` first")
        return self._series.dtype.categories

    def _recode(self, method, *args, **kwargs):
        """pandas' ``.cat.<method>`` on every partition; all share the known categories, so all
        come out with the same new categories."""
        from ._collection import new_collection

        if method not in ("as_ordered", "as_unordered"):
            self._known_categories(method)
        meta = getattr(self._series._meta.cat, method)(*args, **kwargs)
        return new_collection(MapPartitions(_call_cat, meta, "keep",
                                            {"method": method, "args": args, "kwargs": kwargs},
                                            False, [self._series.expr]))

    def rename_categories(self, new_categories):
        return self._recode("rename_categories", new_categories)

    def add_categories(self, new_categories):
        return self._recode("add_categories", new_categories)

    def remove_categories(self, removals):
        return self._recode("remove_categories", removals)

    def reorder_categories(self, new_categories, ordered=None):
        return self._recode("reorder_categories", new_categories, ordered=ordered)

    def as_ordered(self):
        return self._recode("as_ordered")

    def as_unordered(self):
        return self._recode("as_unordered")


def _call_cat(part, method, args, kwargs):
    return getattr(part.cat, method)(*args, **kwargs)


def _codes(part):
    return part.cat.codes


def _identity(x):
    return x


def categorize(frame, columns=None):
    """Make object/string columns categorical with known categories (one pass over the data)."""
    meta = frame._meta
    if columns is None:
        columns = [c for c in meta.columns if meta[c].dtype == object or
                   isinstance(meta[c].dtype, pd.StringDtype) or has_unknown_categories(meta[c])]
    out = frame
    for c in columns:
        col = out[c]
        if isinstance(col.dtype, pd.CategoricalDtype) and not has_unknown_categories(col._meta):
            continue
        col = col.astype("category").cat.as_known()
        out = out.assign(**{c: col})
    return out




def get_dummies(data, prefix=None, prefix_sep="_", dummy_na=False, columns=None, drop_first=False,
                dtype=bool):
    """``pd.get_dummies`` on a shoal collection; categorical columns must have known categories
    (the output columns depend on them)."""
    from ._collection import map_partitions

    meta = data._meta
    if columns is None:
        cats = [c for c, d in (meta.dtypes.items() if isinstance(meta, pd.DataFrame)
                               else [(meta.name, meta.dtype)]) if isinstance(d, pd.CategoricalDtype)]
        if not cats:
            raise NotImplementedError("get_dummies needs categorical columns with known categories: "
                                      "use .categorize() or astype(pd.CategoricalDtype(...)) first")
        strings = [c for c, d in meta.dtypes.items()
                   if pd.api.types.is_object_dtype(d) or isinstance(d, pd.StringDtype)] \
            if isinstance(meta, pd.DataFrame) else []
        if strings:
            raise NotImplementedError(f"get_dummies: columns {strings} are strings, whose categories "
                                      "are unknown; call .categorize() first or pass columns=")
    else:
        cats = columns
    for c in cats:
        dtype_c = (meta[c] if isinstance(meta, pd.DataFrame) else meta).dtype
        if not isinstance(dtype_c, pd.CategoricalDtype) or has_unknown_categories(dtype_c):
            raise NotImplementedError(f"get_dummies: column {c!r} must be categorical with known "
                                      "categories; call .categorize() first")
    kwargs = {"prefix": prefix, "prefix_sep": prefix_sep, "dummy_na": dummy_na, "columns": columns,
              "drop_first": drop_first, "dtype": dtype}
    return map_partitions(pd.get_dummies, data, meta=pd.get_dummies(meta, **kwargs), **kwargs)
