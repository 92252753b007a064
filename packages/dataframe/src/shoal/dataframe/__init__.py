"""shoal.dataframe: partitioned pandas DataFrames with a query optimizer.

``import shoal.dataframe as sd``; the API follows pandas and Dask's dataframe.
"""
from __future__ import annotations

import pathlib

import yaml

import shoal.config

shoal.config.update_defaults(yaml.safe_load((pathlib.Path(__file__).parent / "dataframe.yaml").read_text()))

from . import datasets  # noqa: E402
from ._aggregation import Aggregation  # noqa: E402
from ._collection import Scalar, map_partitions  # noqa: E402
from ._frame import DataFrame  # noqa: E402
from ._series import Index, Series  # noqa: E402
from ._categorical import get_dummies  # noqa: E402
from ._creation import from_array, from_delayed, from_dict, from_map, from_pandas  # noqa: E402
from .io.csv import read_csv, read_fwf, read_table, to_csv  # noqa: E402
from .io.json import read_json, to_json  # noqa: E402
from .io.parquet import read_parquet, to_parquet  # noqa: E402
from .io.orc import read_orc, to_orc  # noqa: E402
from .io.hdf import read_hdf, to_hdf  # noqa: E402
from .io.sql import read_sql, read_sql_query, read_sql_table, to_sql  # noqa: E402
from .multi import concat, merge  # noqa: E402
from ._merge_asof import merge_asof  # noqa: E402
from ._pivot import pivot_table  # noqa: E402
from ._shuffle import to_datetime, to_numeric  # noqa: E402
from ._conversions import to_timedelta  # noqa: E402
from ._optimizer import optimize  # noqa: E402
from .testing import assert_eq  # noqa: E402


from_dask_array = from_array  # Dask's name, for code moving over by changing imports


def repartition(df, divisions=None, npartitions=None, **kwargs):
    """``df.repartition(...)`` as a function, as in Dask."""
    return df.repartition(divisions=divisions, npartitions=npartitions, **kwargs)


def melt(frame, id_vars=None, value_vars=None, var_name=None, value_name="value"):
    """``frame.melt(...)`` as a function, as in pandas and Dask."""
    return frame.melt(id_vars=id_vars, value_vars=value_vars, var_name=var_name,
                      value_name=value_name)


def isna(obj):
    """``pd.isna`` for shoal collections (lazy) and anything else (at once)."""
    import pandas as pd

    return obj.isna() if isinstance(obj, (DataFrame, Series, Index)) else pd.isna(obj)


def compute(*args, **kwargs):
    """Compute several collections at once (shared inputs run once)."""
    import shoal.base

    return shoal.base.compute(*args, **kwargs)


__all__ = [
    "Aggregation", "DataFrame", "Series", "Index", "Scalar", "from_pandas", "from_dict", "from_array", "from_delayed",
    "read_csv", "read_parquet", "read_json", "to_csv", "to_parquet", "to_json", "concat", "merge", "merge_asof", "pivot_table",
    "map_partitions", "datasets", "assert_eq", "optimize", "compute", "to_datetime", "get_dummies",
    "from_dask_array", "to_numeric", "read_table", "to_timedelta", "read_fwf",
    "read_orc", "to_orc", "read_sql", "read_sql_query", "read_sql_table",
    "from_map", "repartition", "read_hdf", "to_hdf", "to_sql", "melt", "isna",
]
