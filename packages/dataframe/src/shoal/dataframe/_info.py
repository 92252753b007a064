"""DataFrame.info: pandas' summary (class, columns, dtypes; with verbose=True the row count,
non-null counts and index range, which are computed; memory_usage=True adds the bytes used)."""
from __future__ import annotations

import sys
from collections import Counter


def _dtype_counts(dtypes):
    counts = Counter(str(d) for d in dtypes)
    return ", ".join(f"{name}({n})" for name, n in sorted(counts.items()))


def info(frame, buf=None, verbose=False, memory_usage=False):
    import shoal.base

    out = buf or sys.stdout
    columns = list(frame.columns)
    lines = [f"<class '{type(frame).__module__.rsplit('.', 1)[0]}.{type(frame).__name__}'>"]
    if not verbose:
        span = f", {columns[0]} to {columns[-1]}" if columns else ""
        lines.append(f"Columns: {len(columns)} entries{span}")
    else:
        index = frame.index
        todo = [frame.count(), index.count()] + ([index.min(), index.max()] if columns else [])
        if memory_usage:
            todo.append(frame.memory_usage(deep=True).sum())
        results = shoal.base.compute(*todo)
        counts, nrows = results[0], results[1]
        span = f", {results[2]} to {results[3]}" if nrows else ""
        lines.append(f"{type(frame._meta.index).__name__}: {nrows} entries{span}")
        lines.append(f"Data columns (total {len(columns)} columns):")
        width = max([len("Column")] + [len(str(c)) for c in columns])
        lines.append(f" #   {'Column':<{width}}  Non-Null Count  Dtype")
        lines.append(f"---  {'-' * width}  --------------  -----")
        for i, c in enumerate(columns):
            lines.append(f" {i:<3} {str(c):<{width}}  {f'{counts[c]} non-null':<14}  "
                         f"{frame.dtypes[c]}")
    lines.append(f"dtypes: {_dtype_counts(frame.dtypes)}")
    if memory_usage:
        from shoal.utils import format_bytes

        used = results[-1] if verbose else frame.memory_usage(deep=True).sum().compute()
        lines.append(f"memory usage: {format_bytes(int(used))}")
    print("\n".join(lines), file=out)
