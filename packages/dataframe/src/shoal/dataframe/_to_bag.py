"""to_bag: the rows of each partition as a shoal.bag partition (tuples or dicts)."""
from __future__ import annotations

import pandas as pd


def _rows(part, index, format):
    if isinstance(part, pd.Series):
        return list(part.items()) if index else part.tolist()
    if format == "dict":
        records = part.reset_index() if index else part
        return records.to_dict(orient="records")
    return list(part.itertuples(index=index, name=None))


def to_bag(frame, index=False, format="tuple"):
    try:
        import shoal.bag as sb
    except ImportError as e:
        raise ImportError("to_bag needs shoal-bag: pip install 'shoal-dataframe[bag]'") from e
    from shoal.delayed import delayed

    if format not in ("tuple", "dict"):
        raise ValueError(f"to_bag: format must be 'tuple' or 'dict', got {format!r}")
    rows = delayed(_rows, pure=True)
    return sb.from_delayed([rows(p, index, format) for p in frame.to_delayed()])
