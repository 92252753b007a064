"""read_sql_table / read_sql_query / read_sql through SQLAlchemy, partitioned on an index column.

The rows are cut into ranges of ``index_col`` (from ``divisions=``, or ``npartitions=`` evenly
spaced ranges between its min and max, or enough ranges for ``bytes_per_chunk`` each, judged
from the first ``head_rows`` rows); each partition runs the query restricted to its range.
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import make_meta


def _sqlalchemy():
    try:
        import sqlalchemy as sa
    except ImportError as e:
        raise ImportError("read_sql needs SQLAlchemy: pip install 'shoal-dataframe[sql]'") from e
    return sa


def _engine(con, engine_kwargs):
    sa = _sqlalchemy()
    if not isinstance(con, str):
        raise TypeError(f"con must be a database URI string (like 'sqlite:///data.db'), not a "
                        f"{type(con).__name__}: connections cannot be sent to other processes")
    return sa.create_engine(con, **(engine_kwargs or {}))


def _read_range(query, con, engine_kwargs, index_col, meta, kwargs):
    engine = _engine(con, engine_kwargs)
    try:
        with engine.connect() as conn:
            df = pd.read_sql(query, conn, index_col=index_col, **kwargs)
    finally:
        engine.dispose()
    if len(df) == 0:
        return meta
    changed = {c: meta[c].dtype for c in meta.columns if df[c].dtype != meta[c].dtype}
    df = df.astype(changed) if changed else df
    # ranges are whole partitions of the index: sorting makes label slicing within them work
    return df.sort_index(kind="stable")


class ReadSQL(Blockwise):
    _parameters = ("queries", "con", "engine_kwargs", "index_col", "meta_", "divisions_", "kwargs")

    @functools.cached_property
    def _meta(self):
        return self.meta_

    def _divisions(self):
        return self.divisions_

    @property
    def _partition_func(self):
        return _read_range

    def _partition_args(self, i):
        return [self.queries[i], self.con, self.engine_kwargs, self.index_col, self.meta_,
                self.kwargs]

    @functools.cached_property
    def _name(self):
        texts = [str(q) for q in self.queries]
        return "readsql-" + tokenize(texts, self.con, self.index_col, self.divisions_, self.kwargs)

    def _label(self):
        return f"ReadSQL(index_col={self.index_col!r}, {len(self.queries)} ranges)"


def _split_points(low, high, npartitions):
    if isinstance(low, (pd.Timestamp, np.datetime64)) or hasattr(low, "isoformat"):
        return list(pd.date_range(pd.Timestamp(low), pd.Timestamp(high), periods=npartitions + 1))
    if isinstance(low, (int, np.integer)) and isinstance(high, (int, np.integer)):
        points = np.unique(np.linspace(low, high, npartitions + 1).round().astype("int64"))
        return [int(p) for p in points] if len(points) > 1 else [int(low), int(high)]
    return [float(p) for p in np.linspace(low, high, npartitions + 1)]


def read_sql_query(sql, con, index_col, divisions=None, npartitions=None, limits=None,
                   bytes_per_chunk="256 MiB", head_rows=5, meta=None, engine_kwargs=None,
                   **kwargs):
    """Read an SQLAlchemy ``select(...)`` into a DataFrame partitioned on ``index_col``."""
    from shoal.utils import parse_bytes

    from .._collection import new_collection

    sa = _sqlalchemy()
    if isinstance(sql, str):
        raise TypeError("read_sql_query needs an SQLAlchemy Selectable (sqlalchemy.select(...)) so "
                        "that it can add a range condition; for a table name use read_sql_table")
    if divisions is not None and npartitions is not None:
        raise TypeError("read_sql: pass divisions= or npartitions=, not both")
    sub = sql.subquery()
    if index_col not in sub.c:
        raise KeyError(f"read_sql: index_col {index_col!r} is not a column of the query; "
                       f"columns are {list(sub.c.keys())}")
    index = sub.c[index_col]
    engine = _engine(con, engine_kwargs)
    try:
        with engine.connect() as conn:
            head = pd.read_sql(sa.select(sub).limit(head_rows), conn, index_col=index_col, **kwargs)
            if divisions is None:
                low, high = limits if limits is not None else conn.execute(
                    sa.select(sa.func.min(index), sa.func.max(index))).one()
                if low is None:
                    divisions = []
                else:
                    if npartitions is None:
                        rows = conn.execute(sa.select(sa.func.count()).select_from(sub)).scalar()
                        per_row = head.memory_usage(deep=True, index=True).sum() / max(len(head), 1)
                        npartitions = max(1, math.ceil(rows * per_row / parse_bytes(bytes_per_chunk)))
                    divisions = _split_points(low, high, npartitions)
    finally:
        engine.dispose()
    meta = make_meta(meta if meta is not None else head)
    if len(divisions) < 2:
        divisions = [None, None]
        queries = [sa.select(sub)]
    else:
        divisions = list(divisions)
        queries = []
        for i, (lo, hi) in enumerate(zip(divisions[:-1], divisions[1:])):
            upper = index <= hi if i == len(divisions) - 2 else index < hi
            queries.append(sa.select(sub).where(index >= lo, upper))
    if isinstance(meta.index, pd.DatetimeIndex) and divisions[0] is not None:
        divisions = [pd.Timestamp(d) for d in divisions]
    return new_collection(ReadSQL(queries, con, engine_kwargs, index_col, meta, tuple(divisions),
                                  kwargs))


def read_sql_table(table_name, con, index_col, divisions=None, npartitions=None, limits=None,
                   columns=None, bytes_per_chunk="256 MiB", head_rows=5, schema=None, meta=None,
                   engine_kwargs=None, **kwargs):
    """Read a database table into a DataFrame partitioned on ``index_col``."""
    sa = _sqlalchemy()
    engine = _engine(con, engine_kwargs)
    try:
        table = sa.Table(table_name, sa.MetaData(schema=schema), autoload_with=engine)
    except sa.exc.NoSuchTableError as e:
        raise ValueError(f"read_sql_table: no table {table_name!r} in {con}") from e
    finally:
        engine.dispose()
    names = list(table.c.keys())
    wanted = names if columns is None else [c if isinstance(c, str) else c.name for c in columns]
    missing = [c for c in wanted + [index_col] if c not in names]
    if missing:
        raise KeyError(f"read_sql_table: column(s) {missing} not in table {table_name!r} "
                       f"(columns: {names})")
    if index_col not in wanted:
        wanted = wanted + [index_col]
    query = sa.select(*[table.c[c] for c in wanted])
    return read_sql_query(query, con, index_col, divisions=divisions, npartitions=npartitions,
                          limits=limits, bytes_per_chunk=bytes_per_chunk, head_rows=head_rows,
                          meta=meta, engine_kwargs=engine_kwargs, **kwargs)


def read_sql(sql, con, index_col, **kwargs):
    """read_sql_table for a table name, read_sql_query for an SQLAlchemy query."""
    if isinstance(sql, str):
        return read_sql_table(sql, con, index_col, **kwargs)
    return read_sql_query(sql, con, index_col, **kwargs)


def _write_sql(part, name, uri, if_exists, index, kwargs, engine_kwargs, after=None):
    engine = _engine(uri, engine_kwargs)
    try:
        part.to_sql(name, engine, if_exists=if_exists, index=index, **kwargs)
    finally:
        engine.dispose()
    return len(part)


def to_sql(df, name, uri, schema=None, if_exists="fail", index=True, index_label=None,
           chunksize=None, dtype=None, method=None, compute=True, parallel=False,
           engine_kwargs=None):
    """Write partitions into table ``name`` of database ``uri``: the first one as pandas would
    (``if_exists``), the rest appended after it (or all at once with ``parallel=True``, once the
    first has created the table)."""
    import shoal.base
    from shoal.delayed import Delayed

    _sqlalchemy()
    if if_exists not in ("fail", "replace", "append"):
        raise ValueError(f"to_sql: if_exists must be 'fail', 'replace' or 'append', not {if_exists!r}")
    kwargs = {"schema": schema, "index_label": index_label, "chunksize": chunksize, "dtype": dtype,
              "method": method}
    graph = dict(df.__shoal_graph__())
    token = tokenize(df._name, name, uri, if_exists, index, kwargs)
    keys = []
    for i, part in enumerate(df.__shoal_keys__()):
        key = (f"to-sql-{token}", i)
        after = keys[0] if parallel and i else (keys[-1] if keys else None)
        graph[key] = (_write_sql, part, name, uri, if_exists if i == 0 else "append", index, kwargs,
                      engine_kwargs, after)
        keys.append(key)
    values = [Delayed(k, graph) for k in keys]
    if not compute:
        return values
    shoal.base.compute(*values)
    return None
