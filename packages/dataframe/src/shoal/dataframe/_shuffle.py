"""Shuffles: moving rows between partitions by hash or by sorted ranges.

Two implementations with the same graph shape to the outside:
* ``tasks``: each input partition is split into pieces in memory, each output concatenates its
  pieces (fast when everything fits in memory);
* ``disk``: each input partition appends its pieces to files (one directory per output partition),
  and each output reads its directory back, so only one partition is in memory at a time and data
  larger than memory can be shuffled.  Chosen with ``shuffle_method='disk'`` or config
  ``dataframe.shuffle.method``.

set_index/sort_values sample quantiles of the key to pick divisions, then range-partition.
"""
from __future__ import annotations

import functools
import os
import pickle
import shutil
import tempfile

import numpy as np
import pandas as pd

import shoal.config

from ._expr import Blockwise, Expr, MapPartitions
from ._meta import concat, make_meta


def hash_partition(part, columns, npartitions):
    """Output partition of each row, by a hash of ``columns`` (None means the index)."""
    if columns is None:
        idx = part.index
        keys = idx.to_frame(index=False) if isinstance(idx, pd.MultiIndex) else \
            pd.Series(np.asarray(idx), dtype=idx.dtype)
    elif isinstance(part, pd.Series):
        keys = part
    elif len(columns) == 1:
        keys = part[columns[0]]
    else:
        keys = part[columns]
    hashes = pd.util.hash_pandas_object(keys, index=False)
    return (np.asarray(hashes) % npartitions).astype(np.int64)


def range_partition(part, column, boundaries, descending=False):
    """Output partition of each row by where ``column`` falls between sorted ``boundaries``;
    missing values go to the last partition."""
    values = part.index if column is None else part[column]
    isnull = np.asarray(pd.isna(values))
    n = len(boundaries) + 1
    # NumPy turns NaT into None, which does not compare with the boundaries: search without them
    present = np.asarray(values[~isnull]) if isnull.any() else np.asarray(values)
    found = np.searchsorted(np.asarray(boundaries), present, side="right").astype(np.int64)
    if descending:
        found = n - 1 - found
    out = np.full(len(isnull), n - 1, dtype=np.int64)
    out[~isnull] = found
    return out


def _split(part, partitioner, npartitions, ignore_index):
    ids = partitioner(part)
    if ignore_index:
        part = part.reset_index(drop=True)
    # small unsigned ints make NumPy's stable sort a linear-time radix sort
    small = np.uint8 if npartitions <= 256 else np.uint16 if npartitions <= 65536 else np.int64
    order = np.argsort(ids.astype(small, copy=False), kind="stable")
    counts = np.bincount(ids, minlength=npartitions)
    sorted_part = part.iloc[order]
    bounds = np.concatenate([[0], np.cumsum(counts)])
    return [sorted_part.iloc[bounds[j]:bounds[j + 1]] for j in range(npartitions)]


def _gather(pieces, meta):
    out = concat([p for p in pieces if len(p)])
    return meta if out is None else out


def _write_pieces(part, partitioner, npartitions, ignore_index, directory, i):
    for j, piece in enumerate(_split(part, partitioner, npartitions, ignore_index)):
        if len(piece):
            with open(os.path.join(directory, str(j), f"{i}.pkl"), "wb") as f:
                pickle.dump(piece, f, protocol=5)
    return i


def _prepare_directory(directory, npartitions):
    for j in range(npartitions):
        os.makedirs(os.path.join(directory, str(j)), exist_ok=True)
    return directory


def _barrier(*args):
    return None


def _read_pieces(_barrier_value, directory, j, meta):
    path = os.path.join(directory, str(j))
    pieces = []
    for fn in sorted(os.listdir(path), key=lambda s: int(s.split(".")[0])):
        with open(os.path.join(path, fn), "rb") as f:
            pieces.append(pickle.load(f))
    shutil.rmtree(path, ignore_errors=True)
    try:
        os.rmdir(directory)  # the last reader removes the shuffle directory
    except OSError:
        pass
    return _gather(pieces, meta)


class Shuffle(Expr):
    """Rows of ``frame`` moved to ``npartitions_out`` partitions by ``partitioner(part) -> ids``."""

    _parameters = ("frame", "partitioner", "npartitions_out", "method", "ignore_index")
    _defaults = {"method": None, "ignore_index": False}

    @functools.cached_property
    def _meta(self):
        meta = self.frame._meta
        return meta.reset_index(drop=True) if self.ignore_index else meta

    def _divisions(self):
        return (None,) * (self.npartitions_out + 1)

    def _column_needs(self, needed):
        yield self.frame, None

    def _method(self):
        method = self.method or shoal.config.get("dataframe.shuffle.method", None) or "auto"
        if method == "auto":
            return "disk" if _too_big_for_memory(self.frame._estimated_nbytes()) else "tasks"
        return method

    def _layer(self):
        if self._method() == "disk":
            return self._disk_layer()
        name, dep, nout = self._name, self.frame._name, self.npartitions_out
        split = f"{name}-split"
        layer = {(split, i): (_split, (dep, i), self.partitioner, nout, self.ignore_index)
                 for i in range(self.frame.npartitions)}
        for j in range(nout):
            pieces = [(_getitem, (split, i), j) for i in range(self.frame.npartitions)]
            layer[(name, j)] = (_gather, pieces, self._meta)
        return layer

    def _disk_layer(self):
        name, dep, nout = self._name, self.frame._name, self.npartitions_out
        root = shoal.config.get("temporary-directory", None) or tempfile.gettempdir()
        # named by the node's token: the same shuffle in several graphs uses the same files
        directory = os.path.join(root, f"shoal-{name}")
        prep, write, barrier = f"{name}-prepare", f"{name}-write", f"{name}-barrier"
        layer = {(prep, 0): (_prepare_directory, directory, nout)}
        for i in range(self.frame.npartitions):
            layer[(write, i)] = (_write_after, (prep, 0), (dep, i), self.partitioner, nout,
                                 self.ignore_index, i)
        layer[(barrier, 0)] = (_barrier, *[(write, i) for i in range(self.frame.npartitions)])
        for j in range(nout):
            layer[(name, j)] = (_read_pieces, (barrier, 0), directory, j, self._meta)
        return layer

    def _label(self):
        return f"Shuffle(npartitions={self.npartitions_out}, method={self._method()})"


def _too_big_for_memory(nbytes) -> bool:
    """Would an in-memory shuffle of ``nbytes`` (held about twice over) risk running out of RAM?"""
    if nbytes is None:
        return False
    limit = shoal.config.get("dataframe.shuffle.memory-limit", None)
    if limit is None:
        try:
            import psutil

            limit = psutil.virtual_memory().available // 2
        except ImportError:
            return False
    elif isinstance(limit, str):
        from shoal.utils import parse_bytes

        limit = parse_bytes(limit)
    return 2 * nbytes > limit


def _write_after(directory, part, partitioner, npartitions, ignore_index, i):
    return _write_pieces(part, partitioner, npartitions, ignore_index, directory, i)


def _identity(x):
    return x


def _getitem(x, j):
    return x[j]


# ------------------------------------------------------------------------------------------
# user-facing operations


def _hash_partitioner(columns, npartitions):
    return functools.partial(_hash_ids, columns=columns, npartitions=npartitions)


def _hash_ids(part, columns, npartitions):
    return hash_partition(part, columns, npartitions)


def shuffle_expr(expr: Expr, on, npartitions=None, method=None, ignore_index=False) -> Expr:
    npartitions = npartitions or expr.npartitions
    if isinstance(on, str) or not isinstance(on, (list, tuple, type(None))):
        on = [on]
    elif isinstance(on, tuple):
        on = list(on)
    if on is not None and isinstance(expr._meta, pd.DataFrame):
        missing = [c for c in on if c not in expr._meta.columns]
        if missing:
            raise KeyError(f"Cannot shuffle on column(s) {missing}: not in columns "
                           f"{list(expr._meta.columns)}")
    return Shuffle(expr, _hash_partitioner(on, npartitions), npartitions, method, ignore_index)


def shuffle(frame, on=None, npartitions=None, ignore_index=False, method=None):
    """Hash-partition rows so equal values of ``on`` (columns, or the index) share a partition."""
    from ._collection import FrameBase, new_collection

    if isinstance(on, FrameBase):
        tmp = "__shuffle_key__"
        expr = frame.assign(**{tmp: on}).expr
        out = shuffle_expr(expr, tmp, npartitions, method, ignore_index)
        return new_collection(out)[list(frame.columns)]
    return new_collection(shuffle_expr(frame.expr, on, npartitions, method, ignore_index))


def _quantile_chunk(part, npoints):
    values = np.asarray(part.dropna())
    if len(values) == 0:
        return None
    count = len(values)
    if count > 20 * npoints:
        # a random sample is enough to place division boundaries, and much cheaper to sort
        picks = np.random.default_rng(count).choice(count, 20 * npoints, replace=False)
        values = values[picks]
    values = np.sort(values)
    qs = np.linspace(0, 1, npoints)
    idx = (qs * (len(values) - 1)).round().astype(int)
    return values[idx], count


def _merge_quantiles(chunks, npartitions):
    chunks = [c for c in chunks if c is not None]
    if not chunks:
        return None
    values = np.concatenate([c[0] for c in chunks])
    weights = np.concatenate([np.full(len(c[0]), c[1] / len(c[0])) for c in chunks])
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cum = np.cumsum(weights)
    targets = np.linspace(0, cum[-1], npartitions + 1)[1:-1]
    inner = values[np.minimum(np.searchsorted(cum, targets, side="left"), len(values) - 1)]
    out = [values[0], *inner, values[-1]]
    uniq = []
    for v in out:
        if not uniq or v > uniq[-1]:
            uniq.append(v)
    if len(uniq) == 1:
        uniq.append(uniq[0])
    return [_to_python(v) for v in uniq]


def _to_python(v):
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v)
    return v.item() if hasattr(v, "item") else v


def compute_divisions(series_expr: Expr, npartitions: int):
    """Approximate quantile divisions of a Series expression (computes it)."""
    from ._collection import new_collection
    from ._reductions import reduction

    points = max(npartitions * 20, 100)
    expr = reduction(series_expr, _quantile_chunk, _merge_quantiles_list, None,
                     chunk_kwargs={"npoints": points},
                     aggregate_kwargs={"npartitions": npartitions},
                     combine=_keep_chunks)
    divisions = new_collection(expr).compute()
    if divisions is None:
        return None
    return tuple(divisions)


def _keep_chunks(parts):
    from ._reductions import _Chunks, _flatten_chunks

    return _Chunks(_flatten_chunks(parts))


def _merge_quantiles_list(parts, npartitions):
    from ._reductions import _flatten_chunks

    return _merge_quantiles(_flatten_chunks(parts), npartitions)


def _set_index_partition(part, column, drop):
    keys = part[column]
    if keys.dtype.kind in "iuM" and not keys.hasnans:
        # NumPy's default sort is several times faster than pandas' stable sort and releases the
        # GIL; set_index never promised an order among equal keys
        order = np.argsort(keys.to_numpy())
        return part.take(order).set_index(column, drop=drop)
    return part.set_index(column, drop=drop).sort_index(kind="stable")


def set_index(frame, other, drop=True, sorted=False, npartitions=None, divisions=None, method=None):
    """Set (and sort by) a new index, shuffling rows into range partitions."""
    from ._collection import FrameBase, new_collection

    if isinstance(other, FrameBase):
        name = other.name if other.name is not None else "__index__"
        frame = frame.assign(**{"__shoal_index__": other})
        out = set_index(frame, "__shoal_index__", drop=True, sorted=sorted, npartitions=npartitions,
                        divisions=divisions, method=method)
        return out.map_partitions(_rename_index, name, meta=_rename_index(out._meta, name))
    if isinstance(other, list):
        if len(other) != 1:
            raise NotImplementedError(_several_columns_message(other))
        other = other[0]
    frame._check_columns([other])
    dtype = frame._meta[other].dtype
    if isinstance(dtype, pd.CategoricalDtype) and not dtype.ordered and not sorted:
        raise TypeError(f"set_index({other!r}): the column is an unordered categorical, whose "
                        f"values cannot be compared to cut ranges of partitions; order it first: "
                        f"df.assign({other}=df[{other!r}].cat.as_ordered()).set_index({other!r})")
    meta = frame._meta.set_index(other, drop=drop)
    if sorted:
        expr = MapPartitions(_set_index_unsorted, meta, "clear", {"column": other, "drop": drop},
                             False, [frame.expr])
        if divisions is None:
            divisions = _sorted_divisions(new_collection(expr), other)
        return new_collection(_WithDivisions(expr, tuple(divisions)))
    npartitions = npartitions or frame.npartitions
    if divisions is None:
        divisions = compute_divisions(frame[other].expr, npartitions)
        if divisions is None:
            return new_collection(MapPartitions(_set_index_partition, meta, "clear",
                                                {"column": other, "drop": drop}, False, [frame.expr]))
    boundaries = list(divisions[1:-1])
    partitioner = functools.partial(range_partition, column=other, boundaries=boundaries)
    shuffled = Shuffle(frame.expr, partitioner, len(divisions) - 1, method, False)
    expr = MapPartitions(_set_index_partition, meta, "clear", {"column": other, "drop": drop},
                         False, [shuffled])
    return new_collection(_WithDivisions(expr, tuple(divisions)))


def _several_columns_message(columns):
    first = columns[0]
    return (f"set_index({columns!r}): an index of several columns (a pandas MultiIndex) is not "
            f"supported by partitioned frames. Either sort by the columns and index by one of them: "
            f"df.sort_values({columns!r}).set_index({first!r}, sorted=True), or index by a single "
            f"combined key: df.assign(key=df[{first!r}].astype(str) + '-' + "
            f"df[{columns[1]!r}].astype(str)).set_index('key')")


def _rename_index(df, name):
    df = df.copy(deep=False)
    df.index.name = name
    return df


def _set_index_unsorted(part, column, drop):
    return part.set_index(column, drop=drop)


def _min_max(part, partition_info=None):
    idx = part.index
    empty = len(idx) == 0
    row = {"i": partition_info["number"], "min": None if empty else idx.min(),
           "max": None if empty else idx.max(), "sorted": bool(idx.is_monotonic_increasing)}
    return pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in row.items()})


def _sorted_divisions(frame, column):
    from ._collection import map_partitions

    meta = pd.DataFrame({k: pd.Series([], dtype=object) for k in ("i", "min", "max", "sorted")})
    stats = map_partitions(_min_max, frame, meta=meta, enforce_metadata=False).compute()
    mins, maxes = [], []
    for row in stats.itertuples():
        if row.min is None:
            raise ValueError(f"set_index(..., sorted=True): partition {row.i} is empty, so its "
                             "division is unknown; pass divisions= or repartition first")
        if not row.sorted:
            raise ValueError(f"set_index(..., sorted=True): column {column!r} is not sorted within "
                             f"partition {row.i}. Use sorted=False to sort it.")
        if maxes and row.min < maxes[-1]:
            raise ValueError(f"set_index(..., sorted=True): column {column!r} is not sorted across "
                             f"partitions ({maxes[-1]!r} comes before {row.min!r}). Use sorted=False.")
        mins.append(_to_python(row.min))
        maxes.append(_to_python(row.max))
    return tuple(mins) + (maxes[-1],)


class _WithDivisions(Blockwise):
    """An expression with divisions that were computed (or given) separately."""

    _parameters = ("frame", "divisions_")
    operation = staticmethod(_identity)

    def _partition_args(self, i):
        return [self.frame]

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _divisions(self):
        return self.divisions_

    def _label(self):
        return "WithDivisions"


def _sort_partition(part, by, ascending, na_position):
    return part.sort_values(by, ascending=ascending, na_position=na_position, kind="stable")


def sort_values(frame, by, ascending=True, npartitions=None, na_position="last", method=None):
    from ._collection import new_collection

    by_list = [by] if not isinstance(by, list) else by
    frame._check_columns(by_list)
    if not isinstance(ascending, bool):
        if len(ascending) != len(by_list):
            raise ValueError(f"sort_values: {len(ascending)} ascending flags for {len(by_list)} columns "
                             f"{by_list}")
        ascending = list(ascending)
    # rows are range-partitioned on the first column only, so its flag orders the partitions
    first_ascending = ascending if isinstance(ascending, bool) else ascending[0]
    npartitions = npartitions or frame.npartitions
    divisions = compute_divisions(frame[by_list[0]].expr, npartitions)
    kwargs = {"by": by, "ascending": ascending, "na_position": na_position}
    if divisions is None or len(divisions) == 2:
        one = frame.repartition(npartitions=1)
        return new_collection(MapPartitions(_sort_partition, frame._meta, "clear", kwargs, False,
                                            [one.expr]))
    partitioner = functools.partial(range_partition, column=by_list[0],
                                    boundaries=list(divisions[1:-1]), descending=not first_ascending)
    shuffled = Shuffle(frame.expr, partitioner, len(divisions) - 1, method, False)
    return new_collection(MapPartitions(_sort_partition, frame._meta, "clear", kwargs, False,
                                        [shuffled]))


def _drop_duplicates_partition(part, subset, keep):
    if isinstance(part, pd.Series):
        return part.drop_duplicates(keep=keep)
    return part.drop_duplicates(subset=subset, keep=keep)


def drop_duplicates(frame, subset=None, keep="first", npartitions=None):
    from ._collection import new_collection

    on = subset if subset is not None else (list(frame.columns) if hasattr(frame, "columns")
                                            and not isinstance(frame._meta, pd.Series) else None)
    expr = frame.expr
    if isinstance(expr._meta, pd.Series):
        shuffled = Shuffle(expr, _hash_partitioner([expr._meta.name], npartitions or expr.npartitions),
                           npartitions or expr.npartitions)
        kwargs = {"subset": None, "keep": keep}
    else:
        shuffled = shuffle_expr(expr, on, npartitions)
        kwargs = {"subset": subset, "keep": keep}
    return new_collection(MapPartitions(_drop_duplicates_partition, frame._meta, "clear", kwargs,
                                        False, [shuffled]))


def _reset_index_partition(part, drop):
    return part.reset_index(drop=drop)


def reset_index(frame, drop=False):
    from ._collection import new_collection

    meta = frame._meta.reset_index(drop=drop)
    return new_collection(MapPartitions(_reset_index_partition, meta, "clear", {"drop": drop}, False,
                                        [frame.expr]))


def to_datetime(arg, meta=None, **kwargs):
    """``pd.to_datetime`` partition by partition, every partition in meta's unit."""
    from ._collection import FrameBase, map_partitions
    from ._meta import meta_nonempty
    from ._time_units import at_least_unit

    if not isinstance(arg, FrameBase):
        return pd.to_datetime(arg, **kwargs)
    if meta is None:
        sample = arg._meta
        if isinstance(sample, pd.Series) and (sample.dtype == object or
                                              isinstance(sample.dtype, pd.StringDtype)):
            # a string that parses with the user's format; pandas parses strings to 'us' at least
            sample = pd.Series([_sample_date_string(kwargs.get("format"))], name=sample.name)
            meta = at_least_unit(make_meta(pd.to_datetime(sample, **kwargs)), "us")
        else:
            meta = make_meta(pd.to_datetime(meta_nonempty(sample), **kwargs))
    else:
        meta = make_meta(meta)
    return map_partitions(_to_datetime_in_meta_unit, arg, meta, meta=meta, enforce_metadata=False,
                          **kwargs)


def _sample_date_string(fmt) -> str:
    stamp = pd.Timestamp("2000-01-01")
    if fmt is None or fmt in ("ISO8601", "mixed"):
        return str(stamp)
    return stamp.strftime(fmt)


def _to_datetime_in_meta_unit(part, meta, **kwargs):
    from ._time_units import match_time_units

    return match_time_units(pd.to_datetime(part, **kwargs), meta)


def to_numeric(arg, errors="raise", meta=None):
    """``pd.to_numeric`` partition by partition."""
    from ._collection import FrameBase, map_partitions
    from ._meta import meta_nonempty

    if not isinstance(arg, FrameBase):
        return pd.to_numeric(arg, errors=errors)
    if meta is None:
        sample = meta_nonempty(arg._meta)
        if sample.dtype == object or isinstance(sample.dtype, pd.StringDtype):
            sample = pd.Series(["1.5"], name=sample.name)
        meta = make_meta(pd.to_numeric(sample, errors="coerce"))
    return map_partitions(pd.to_numeric, arg, meta=meta, enforce_metadata=False, errors=errors)
