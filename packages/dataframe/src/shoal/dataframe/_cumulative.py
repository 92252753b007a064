"""cumsum/cumprod/cummin/cummax/ffill across partitions: per-partition results, then a carry of
the last running value from all earlier partitions (bfill carries the first value from later ones)."""
from __future__ import annotations

import functools

import pandas as pd

from ._expr import Expr


class Cumulative(Expr):
    _parameters = ("frame", "how", "skipna")

    @functools.cached_property
    def _meta(self):
        return _chunk(self.frame._meta, self.how, self.skipna)

    def _divisions(self):
        return self.frame.divisions

    def _column_needs(self, needed):
        yield self.frame, needed

    def _layer(self):
        name, dep = self._name, self.frame._name
        n = self.frame.npartitions
        step = 1 if self.how == "bfill" else -1  # bfill carries values back from later partitions
        layer = {}
        for i in range(n):
            prev = i + step
            has_prev = 0 <= prev < n
            layer[(f"{name}-chunk", i)] = (_chunk, (dep, i), self.how, self.skipna)
            layer[(f"{name}-carry", i)] = (
                _carry, (f"{name}-carry", prev) if has_prev else None,
                (f"{name}-chunk", prev) if has_prev else None, self.how, self.skipna)
            layer[(name, i)] = (_apply_carry, (f"{name}-chunk", i), (f"{name}-carry", i), self.how,
                                self.skipna)
        return layer

    def _label(self):
        return f"Cumulative({self.how})"


def _chunk(part, how, skipna):
    if how in ("ffill", "bfill"):
        return getattr(part, how)()
    return getattr(part, how)(skipna=skipna)


def _last_values(chunk):
    """The running value at the end of a partition (per column), skipping trailing NaNs."""
    if len(chunk) == 0:
        return None
    return chunk.ffill().iloc[-1]


def _first_values(chunk):
    """The value a backward fill carries into the previous partition (per column)."""
    if len(chunk) == 0:
        return None
    return chunk.bfill().iloc[0]


_COMBINE = {"cumsum": "sum", "cumprod": "prod", "cummin": "min", "cummax": "max"}


def _carry(prev_carry, prev_chunk, how, skipna=True):
    if prev_chunk is None:
        return None
    if how in _COMBINE and not skipna:
        # a missing value poisons everything after it, so the carry must keep it
        last = prev_chunk.iloc[-1] if len(prev_chunk) else None
    else:
        last = _first_values(prev_chunk) if how == "bfill" else _last_values(prev_chunk)
    if last is None:
        return prev_carry
    if prev_carry is None:
        return last
    if how in ("ffill", "bfill"):
        return last.fillna(prev_carry) if isinstance(last, pd.Series) else \
            (prev_carry if pd.isna(last) else last)
    if isinstance(last, pd.Series):
        both = pd.DataFrame([prev_carry, last])
        return getattr(both, _COMBINE[how])(skipna=skipna)
    both = pd.Series([prev_carry, last])
    return getattr(both, _COMBINE[how])(skipna=skipna)


def _apply_carry(chunk, carry, how, skipna):
    if carry is None or len(chunk) == 0:
        return chunk
    if how in ("ffill", "bfill"):
        return chunk.fillna(carry)
    if how in ("cumsum", "cumprod") and skipna:
        carry = carry.fillna(0 if how == "cumsum" else 1) if isinstance(carry, pd.Series) else \
            (carry if carry == carry else (0 if how == "cumsum" else 1))
    if how in ("cumsum", "cumprod"):
        out = chunk + carry if how == "cumsum" else chunk * carry
        return out.astype(chunk.dtypes) if isinstance(chunk, pd.DataFrame) else out.astype(chunk.dtype)
    if isinstance(chunk, pd.DataFrame):
        first = pd.DataFrame([carry], columns=chunk.columns)
        first.index = chunk.index[:1]
        stacked = pd.concat([first, chunk])
    else:
        stacked = pd.concat([pd.Series([carry], index=chunk.index[:1], dtype=chunk.dtype,
                                       name=chunk.name), chunk])
    out = getattr(stacked, how)(skipna=skipna).iloc[1:]
    if skipna:
        out = out.mask(chunk.isna())
    return out.astype(chunk.dtypes) if isinstance(chunk, pd.DataFrame) else out.astype(chunk.dtype)


def cumulative(frame, how, skipna=True):
    from ._collection import new_collection

    return new_collection(Cumulative(frame.expr, how, skipna))
