"""repr and HTML repr: the "Dataframe Structure" table (columns, dtypes, npartitions, divisions)."""
from __future__ import annotations

import html

import pandas as pd


def _structure(frame) -> pd.DataFrame:
    meta = frame._meta
    divisions = frame.divisions
    if isinstance(meta, pd.DataFrame):
        dtypes = [str(d) for d in meta.dtypes]
        columns = list(meta.columns)
    else:
        dtypes = [str(meta.dtype)]
        columns = [meta.name]
    index = pd.Index(["..." if d is None else d for d in divisions[:-1]] + [divisions[-1] or "..."],
                     name=f"npartitions={frame.npartitions}", dtype=object)
    rows = [dtypes] + [["..."] * len(dtypes) for _ in range(len(index) - 1)]
    if len(index) > 6:
        index = pd.Index(list(index[:2]) + ["..."] + list(index[-2:]), name=index.name, dtype=object)
        rows = rows[:2] + [["..."] * len(dtypes)] + rows[-2:]
    return pd.DataFrame(rows, index=index, columns=columns)


def _footer(frame) -> str:
    try:
        ntasks = len(frame.__shoal_graph__())
    except Exception as e:  # an unbuildable graph should not break repr
        return f"Shoal Name: {frame._name.split('-')[0]}, (graph not available: {e})"
    return f"Shoal Name: {frame._name.split('-')[0]}, {ntasks} tasks"


def frame_repr(frame) -> str:
    kind = type(frame).__name__
    table = _structure(frame)
    if kind == "DataFrame":
        body = table.to_string()
    else:
        body = "\n".join(f"{i}    {row[0]}" for i, row in zip(table.index, table.values))
        body = f"{table.index.name}\n{body}\nName: {frame._meta.name}, dtype: {frame._meta.dtype}"
    return f"Shoal {kind} Structure:\n{body}\n{_footer(frame)}"


def frame_repr_html(frame) -> str:
    kind = type(frame).__name__
    table = _structure(frame).to_html()
    return (f"<div><strong>Shoal {kind} Structure:</strong></div>\n{table}\n"
            f"<div>{html.escape(_footer(frame))}</div>")
