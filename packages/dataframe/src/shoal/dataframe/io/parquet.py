"""read_parquet / to_parquet with pyarrow, through fsspec.

A partition is a file (or a row group with ``split_row_groups=True``) of a dataset directory, with
hive partition columns (``year=2020/``) restored.  ``columns=`` and downstream projections become
the columns read; ``filters=`` and pushed-down predicates prune files and row groups using
partition values and statistics.  Sorted index statistics become divisions.
"""
from __future__ import annotations

import functools
import glob
import re

import numpy as np
import pandas as pd

from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import clear_known_categories


def _pa():
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    return pa, ds, pq


def _dataset(path, fs):
    _, ds, _ = _pa()
    return ds.dataset(path, filesystem=fs, format="parquet", partitioning="hive")


def _filter_expression(filters):
    if not filters:
        return None
    _, _, pq = _pa()
    return pq.filters_to_expression(filters)


def _index_columns(schema):
    meta = schema.pandas_metadata or {}
    return [c for c in meta.get("index_columns", []) if isinstance(c, str)]


def _arrow_fs(fs):
    """A pyarrow filesystem for an fsspec one (pyarrow's own for local files: faster)."""
    import pyarrow.fs as pafs

    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    if protocol in ("file", "local"):
        return pafs.LocalFileSystem()
    return pafs.PyFileSystem(pafs.FSSpecHandler(fs))


def _read_part(info, fs, columns, filters, index, partition_columns, meta, dtype_backend=None):
    _, ds, _ = _pa()
    path, row_groups, keys = info
    fs = _arrow_fs(fs)
    fmt = ds.ParquetFileFormat()
    fragment = fmt.make_fragment(path, filesystem=fs)
    if row_groups is not None:
        fragment = fmt.make_fragment(path, filesystem=fs, row_groups=row_groups)
    file_columns = [c for c in columns if c not in partition_columns]
    expr = _filter_expression(_file_filters(filters, partition_columns))
    table = fragment.to_table(columns=file_columns, filter=expr)
    df = _to_pandas(table, dtype_backend)
    for col in partition_columns:
        if col in meta.columns:
            df[col] = pd.Series([keys.get(col)] * len(df), index=df.index).astype(meta[col].dtype)
    if index and _stored_index_names(df.index) != list(index):
        df = _index_to_columns(df).set_index(index)  # the stored index becomes a column again
    elif index is False:
        df = _index_to_columns(df)
    cols = list(meta.columns)
    if list(df.columns) != cols:
        df = df[cols]
    return df


def _to_pandas(table, dtype_backend):
    """An arrow table as pandas, with pandas' ``dtype_backend`` choices."""
    if dtype_backend is None:
        return table.to_pandas()
    if dtype_backend == "pyarrow":
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if dtype_backend == "numpy_nullable":
        return table.to_pandas(types_mapper=_nullable_dtype)
    raise ValueError(f"read_parquet: dtype_backend={dtype_backend!r} is not 'numpy_nullable' or "
                     "'pyarrow'")


def _nullable_dtype(arrow_type):
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return pd.api.types.pandas_dtype(str(arrow_type.to_pandas_dtype().__name__).capitalize()
                                         .replace("Uint", "UInt"))
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype()
    return None


def _file_filters(filters, partition_columns):
    """Drop predicates on partition columns (already applied when choosing files)."""
    if not filters:
        return None
    out = []
    for conj in filters:
        kept = [p for p in conj if p[0] not in partition_columns]
        if len(kept) != len(conj) and not kept:
            return None
        out.append(kept)
    return out if all(out) else None


class ReadParquet(Blockwise):
    _parameters = ("path", "columns_", "filters", "index", "storage_options", "split_row_groups",
                   "calculate_divisions", "dtype_backend")
    _defaults = {"columns_": None, "filters": None, "index": None, "storage_options": None,
                 "split_row_groups": False, "calculate_divisions": True, "dtype_backend": None}

    @functools.cached_property
    def _fs_root(self):
        import fsspec

        path = self.path
        fs, root = fsspec.core.url_to_fs(path if isinstance(path, str) else path[0],
                                         **(self.storage_options or {}))
        if not isinstance(path, str):
            root = [fsspec.core.url_to_fs(p, **(self.storage_options or {}))[1] for p in path]
        elif glob.has_magic(root):
            root = sorted(fs.glob(root), key=_natural_key)
            if not root:
                raise FileNotFoundError(f"read_parquet: no files match {path!r}")
        return fs, root

    @functools.cached_property
    def _info(self):
        pa, _, _ = _pa()
        fs, root = self._fs_root
        dataset = _dataset(root, fs)
        schema = dataset.schema
        all_fragments = list(dataset.get_fragments())
        partition_columns = []
        for frag in all_fragments:
            partition_columns.extend(k for k in _partition_keys(frag) if k not in partition_columns)
        index_cols = _index_columns(schema)
        if self.index is False:
            index_cols = []
        elif self.index is not None:
            index_cols = [self.index] if isinstance(self.index, str) else list(self.index)
        full_meta = _to_pandas(schema.empty_table(), self.dtype_backend)
        for col in partition_columns:
            if col in full_meta.columns:
                values = pd.Index(_partition_values(dataset, col))
                field_type = schema.field(col).type
                if not (pa.types.is_string(field_type) or pa.types.is_large_string(field_type)):
                    values = values.astype(field_type.to_pandas_dtype())
                full_meta[col] = full_meta[col].astype(pd.CategoricalDtype(values))
        # the schema does not hold the categories of stored categoricals: unknown until computed
        stored_cats = [c for c in full_meta.columns if c not in partition_columns
                       and isinstance(full_meta[c].dtype, pd.CategoricalDtype)]
        if stored_cats:
            full_meta = clear_known_categories(full_meta, columns=stored_cats)
        restored = _stored_index_names(full_meta.index)
        if index_cols and restored != index_cols:
            # a different index than the one pandas metadata restores was asked for
            full_meta = _index_to_columns(full_meta).set_index(index_cols)
        elif self.index is False:
            full_meta = _index_to_columns(full_meta)
            order = [n for n in schema.names if n in full_meta.columns]
            full_meta = full_meta[order + [c for c in full_meta.columns if c not in order]]
        expr = _filter_expression(self.filters)
        fragments = list(dataset.get_fragments(filter=expr))
        if isinstance(root, str):  # a directory: part.10 comes after part.9, as the writer numbered them
            fragments.sort(key=lambda f: _natural_key(f.path))
        expr = _filter_expression(_file_filters(self.filters, partition_columns))
        parts = []
        for frag in fragments:
            keys = _partition_keys(frag)
            if self.split_row_groups or expr is not None:
                groups = frag.split_by_row_group(expr) if expr is not None else \
                    frag.split_by_row_group()
                ids = [rg.id for g in groups for rg in g.row_groups]
                if not ids:
                    continue
                if self.split_row_groups:
                    parts.extend((frag.path, [i], keys) for i in ids)
                    continue
                parts.append((frag.path, ids if expr is not None else None, keys))
            else:
                parts.append((frag.path, None, keys))
        return {"fs": fs, "parts": parts, "meta": full_meta, "partition_columns": partition_columns,
                "index_cols": index_cols, "fragments": fragments}

    @functools.cached_property
    def _meta(self):
        meta = self._info["meta"]
        if self.columns_ is not None:
            missing = [c for c in self.columns_ if c not in meta.columns]
            if missing:
                raise KeyError(f"read_parquet: column(s) {missing} not in the dataset's columns "
                               f"{list(meta.columns)}")
            meta = meta[list(self.columns_)]
        return meta

    def _divisions(self):
        parts = self._info["parts"]
        n = max(len(parts), 1)
        index_cols = self._info["index_cols"]
        if self.calculate_divisions and len(index_cols) == 1 and parts:
            divisions = _statistics_divisions(self._info, index_cols[0])
            if divisions is not None:
                return divisions
        return (None,) * (n + 1)

    @property
    def _partition_func(self):
        return _read_part if self._info["parts"] else _empty_part

    def _partition_args(self, i):
        info = self._info
        if not info["parts"]:
            return [self._meta]
        index_cols = info["index_cols"]
        columns = list(self._meta.columns) + [c for c in index_cols if c not in self._meta.columns]
        return [info["parts"][i], info["fs"], columns, self.filters,
                index_cols if index_cols else (False if self.index is False else None),
                info["partition_columns"], self._meta, self.dtype_backend]

    def _estimated_nbytes(self):
        """Uncompressed bytes from the files' metadata, scaled to the columns read."""
        try:
            total = sum(f.metadata.serialized_size + sum(
                f.metadata.row_group(g).total_byte_size for g in range(f.metadata.num_row_groups))
                for f in self._info["fragments"])
        except Exception:  # an estimate only
            return None
        ncols = max(len(self._info["meta"].columns), 1)
        return int(total * len(self._meta.columns) / ncols) if self.columns_ is not None else total

    def _project_columns(self, columns):
        return ReadParquet(self.path, list(columns), self.filters, self.index, self.storage_options,
                           self.split_row_groups, self.calculate_divisions, self.dtype_backend)

    def _with_filters(self, filters):
        combined = filters if not self.filters else _and_filters(self.filters, filters)
        return ReadParquet(self.path, self.columns_, combined, self.index, self.storage_options,
                           self.split_row_groups, self.calculate_divisions, self.dtype_backend)

    def _label(self):
        cols = f", columns={self.columns_}" if self.columns_ is not None else ""
        filt = f", filters={self.filters}" if self.filters else ""
        return f"ReadParquet({self.path!r}{cols}{filt})"


def _stored_index_names(index):
    """Index names as Parquet stores them (pandas writes unnamed levels as ``__index_level_i__``)."""
    return [n if n is not None else f"__index_level_{i}__" for i, n in enumerate(index.names)]


def _natural_key(path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def _index_to_columns(df):
    named = any(n is not None for n in df.index.names)
    return df.reset_index() if named else df.reset_index(drop=True)


def _empty_part(meta):
    return meta


def _and_filters(a, b):
    a = a if isinstance(a[0], list) else [a]
    b = b if isinstance(b[0], list) else [b]
    return [x + y for x in a for y in b]


def _partition_keys(fragment):
    _, ds, _ = _pa()
    return ds.get_partition_keys(fragment.partition_expression) or {}


def _partition_values(dataset, column):
    values = set()
    for frag in dataset.get_fragments():
        keys = _partition_keys(frag)
        if column in keys:
            values.add(keys[column])
    return sorted(values)


def _statistics_divisions(info, column):
    _, _, pq = _pa()
    fs = info["fs"]
    mins, maxes = [], []
    for path, row_groups, _ in info["parts"]:
        with fs.open(path, "rb") as f:
            md = pq.ParquetFile(f).metadata
        names = [md.schema.column(j).name for j in range(md.num_columns)]
        if column not in names:
            return None
        j = names.index(column)
        groups = row_groups if row_groups is not None else range(md.num_row_groups)
        lo = hi = None
        for g in groups:
            stats = md.row_group(g).column(j).statistics
            if stats is None or not stats.has_min_max:
                return None
            lo = stats.min if lo is None else min(lo, stats.min)
            hi = stats.max if hi is None else max(hi, stats.max)
        if lo is None:
            return None
        mins.append(lo)
        maxes.append(hi)
    for a, b in zip(maxes, mins[1:]):
        if not a < b:
            return None
    divisions = tuple(_python(v) for v in mins) + (_python(maxes[-1]),)
    return divisions


def _python(v):
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v)
    if hasattr(v, "isoformat") and not isinstance(v, pd.Timestamp):
        return pd.Timestamp(v)
    return v


def read_parquet(path, columns=None, filters=None, index=None, storage_options=None,
                 split_row_groups=False, calculate_divisions=True, engine="pyarrow",
                 dtype_backend=None, **kwargs):
    """Read a Parquet file, list of files or dataset directory into a DataFrame."""
    from .._collection import new_collection

    if engine not in ("pyarrow", "auto"):
        raise ValueError(f"read_parquet: only engine='pyarrow' is supported, not {engine!r}")
    if filters is not None and filters and not isinstance(filters[0], list):
        filters = [list(filters)]
    single = isinstance(columns, str)
    expr = ReadParquet(path, [columns] if single else (list(columns) if columns is not None else None),
                       filters, index, storage_options, split_row_groups, calculate_divisions,
                       dtype_backend)
    out = new_collection(expr)
    return out[columns] if single else out


# ------------------------------------------------------------------------------------------


def _write_part(part, fs, root, i, write_index, partition_on, compression, name_function, schema,
                write_kwargs):
    pa, _, pq = _pa()
    # a default range index is kept as metadata (each partition's own 0.., 17.., ...), as pandas does
    preserve = write_index if write_index is not None else (_meaningful_index(part.index) or None)
    table = pa.Table.from_pandas(part, preserve_index=preserve, schema=schema)
    name = name_function(i)
    if partition_on:
        pq.write_to_dataset(table, root, partition_cols=partition_on, filesystem=fs,
                            basename_template=name.replace(".parquet", "") + ".{i}.parquet",
                            compression=compression, **write_kwargs)
    else:
        with fs.open(f"{root}/{name}", "wb") as f:
            pq.write_table(table, f, compression=compression, **write_kwargs)
    return name


def _written(names):
    """The task a ``compute=False`` write returns: done when every part is written."""
    return None


def to_parquet(df, path, compression="snappy", write_index=None, partition_on=None,
               storage_options=None, compute=True, name_function=None, overwrite=False, schema=None,
               append=False, ignore_divisions=False, **write_kwargs):
    """Write one Parquet file per partition into directory ``path`` (hive dirs with partition_on).

    ``append=True`` adds files after those already there (same columns and dtypes required; with
    known divisions the new index must start after the stored one unless ``ignore_divisions``).
    Other keywords go to ``pyarrow.parquet.write_table`` (``row_group_size``, ...).
    ``compute=False`` returns a Delayed that writes everything when computed.
    """
    import fsspec

    import shoal.base
    from shoal.delayed import Delayed

    if append and overwrite:
        raise ValueError("to_parquet: append=True and overwrite=True contradict each other")
    fs, root = fsspec.core.url_to_fs(path, **(storage_options or {}))
    if overwrite and fs.exists(root):
        fs.rm(root, recursive=True)
    first = 0
    if append and fs.exists(root) and fs.ls(root):
        first = _check_append(df, fs, root, ignore_divisions)
    fs.makedirs(root, exist_ok=True)
    if isinstance(partition_on, str):
        partition_on = [partition_on]
    if schema is None:
        pa, _, _ = _pa()
        meta = df._meta
        preserve = write_index if write_index is not None else _meaningful_index(meta.index)
        if preserve:
            schema = pa.Schema.from_pandas(meta, preserve_index=preserve)
    name_function = name_function or _default_name
    graph = dict(df.__shoal_graph__())
    token = tokenize(df._name, path, write_index, partition_on, compression, first, write_kwargs)
    keys = []
    for i, key in enumerate(df.__shoal_keys__()):
        out = (f"to-parquet-{token}", i)
        graph[out] = (_write_part, key, fs, root, first + i, write_index, partition_on, compression,
                      name_function, schema, write_kwargs)
        keys.append(out)
    done = f"to-parquet-done-{token}"
    graph[done] = (_written, keys)
    result = Delayed(done, graph)
    if not compute:
        return result
    shoal.base.compute(result)
    return None


def _check_append(df, fs, root, ignore_divisions):
    """Refuse appends that would make a dataset pandas cannot read back as one frame; the number
    the new files start from (after the highest ``part.N``)."""
    _, ds, _ = _pa()
    dataset = ds.dataset(root, filesystem=_arrow_fs(fs), format="parquet", partitioning="hive")
    stored = dataset.schema.empty_table().to_pandas()
    new = df._meta
    if list(_index_to_columns(stored).columns) != list(_index_to_columns(new).columns) or any(
            stored[c].dtype != new[c].dtype for c in new.columns if c in stored.columns):
        raise ValueError(
            f"to_parquet(append=True): the stored dataset has columns {dict(stored.dtypes.astype(str))} "
            f"and index {stored.index.names}, the new data {dict(new.dtypes.astype(str))} and index "
            f"{new.index.names}; they must match")
    if not ignore_divisions and df.known_divisions and len(new.index.names) == 1:
        index_name = new.index.name
        if index_name in dataset.schema.names:
            stored_max = _column_max(dataset, index_name)
            if stored_max is not None and df.divisions[0] <= stored_max:
                raise ValueError(
                    f"to_parquet(append=True): the new index starts at {df.divisions[0]!r}, not after "
                    f"the stored maximum {stored_max!r}; pass ignore_divisions=True to append anyway")
    numbers = [int(m.group(1)) for f in fs.find(root)
               if (m := re.search(r"part\.(\d+)(?:\.\d+)?\.parquet$", f))]
    return max(numbers) + 1 if numbers else len(fs.find(root))


def _column_max(dataset, column):
    """The largest stored value of ``column``, from row-group statistics (reading the column only
    where a file has none)."""
    import pyarrow.compute as pc

    best = None
    for fragment in dataset.get_fragments():
        metadata = fragment.metadata
        j = metadata.schema.names.index(column)
        for r in range(metadata.num_row_groups):
            stats = metadata.row_group(r).column(j).statistics
            if stats is not None and stats.has_min_max:
                value = stats.max
            else:
                values = fragment.to_table(columns=[column]).column(column)
                value = pc.max(values).as_py()
            if value is not None and (best is None or value > best):
                best = value
    return _python(best) if best is not None else None


def _meaningful_index(index) -> bool:
    """Write the index unless it is the default unnamed 0..n-1 range."""
    return not (isinstance(index, pd.RangeIndex) and index.name is None)


def _default_name(i):
    return f"part.{i}.parquet"
