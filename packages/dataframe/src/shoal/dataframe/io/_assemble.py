"""Computing a whole read_csv into one pandas frame, copying each block in as soon as it is parsed.

``read_csv(...).compute()`` otherwise keeps every parsed block alive until all are done and then
concatenates them into fresh memory: twice the result's size in new pages, and a copy that starts
only when the last block ends.  On the threaded scheduler a chain of tasks instead appends block
``i`` to growing column arrays right after it is parsed (while other threads parse the next
blocks) and frees it, so the next blocks are parsed into memory that is already mapped and the
copy overlaps the parsing.  The result equals the concatenation of the partitions: same columns,
dtypes, values and index.  A block whose columns, dtypes or index do not fit the arrays ends the
fast path; it and the blocks after it are concatenated with the general ``concat``.
"""
from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from .._expr import Expr
from .._meta import concat

# below this many bytes of text a plain concat is as fast
MIN_BYTES = 32 * 2**20
# room for this many more rows per byte than the first block had before the arrays must grow
HEADROOM = 1.25


class Assembly:
    """Blocks appended in order: numeric columns in growing arrays, anything else as frames."""

    def __init__(self, nblocks):
        self.nblocks = nblocks
        self.columns = self.dtypes = self.arrays = self.index = None
        self.rows = 0
        self.blocks_in = 0
        self.consecutive = True  # every block's RangeIndex continues the one before
        self.index_name = None
        self._next = 0  # where the next block's RangeIndex must start to continue
        self._ramp = np.arange(0, dtype=np.int64)
        self.rest = []  # frames after the first block that did not fit the arrays

    def add(self, part):
        self.blocks_in += 1
        if self.rest or not self._fits(part):
            self._flush()
            self.rest.append(part)
            return self
        if self.arrays is None:
            self._start(part)
        self._grow(len(part))
        start, stop = self.rows, self.rows + len(part)
        for j, out in enumerate(self.arrays):
            out[start:stop] = part.iloc[:, j].to_numpy()
        self._add_index(part.index, start, stop)
        self.rows = stop
        return self

    def _fits(self, part) -> bool:
        if type(part) is not pd.DataFrame or not part.columns.is_unique:
            return False
        if not _plain_index(part.index):
            return False
        dtypes = list(part.dtypes)
        if not all(isinstance(d, np.dtype) and d.kind in "biufcmM" for d in dtypes):
            return False
        return self.columns is None or (part.columns.equals(self.columns) and dtypes == self.dtypes
                                        and part.index.name == self.index_name)

    def _start(self, part):
        self.columns, self.dtypes = part.columns, list(part.dtypes)
        self.index_name = part.index.name
        capacity = max(int(len(part) * self.nblocks * HEADROOM), 1024)
        self.arrays = [np.empty(capacity, dtype=d) for d in self.dtypes]
        self.index = np.empty(capacity, dtype=np.int64)

    def _grow(self, n):
        needed = self.rows + n
        if needed <= len(self.index):
            return
        # rows per byte varied more than the headroom allows: move to arrays half as large again
        capacity = max(needed, int(len(self.index) * 1.5))
        self.arrays = [_resized(a, capacity, self.rows) for a in self.arrays]
        self.index = _resized(self.index, capacity, self.rows)

    def _add_index(self, index, start, stop):
        if start == stop:
            return  # pandas skips empty pieces when it joins RangeIndexes
        if isinstance(index, pd.RangeIndex) and index.step == 1:
            self.consecutive = self.consecutive and (start == 0 or index.start == self._next)
            self._next = index.stop
            np.add(self._ramp_to(stop - start), index.start, out=self.index[start:stop])
            return
        self.consecutive = False
        self.index[start:stop] = index.to_numpy()

    def _ramp_to(self, n):
        """0..n-1, from one array reused for every block (blocks have similar row counts)."""
        if len(self._ramp) < n:
            self._ramp = np.arange(max(n, 2 * len(self._ramp)), dtype=np.int64)
        return self._ramp[:n]

    def _flush(self):
        """Turn the arrays filled so far into the first of the ``rest`` frames."""
        if self.arrays is not None:
            self.rest.insert(0, self._frame())
            self.arrays = None

    def _frame(self):
        n = self.rows
        arrays = [_shrunk(a, n) for a in self.arrays]
        if n == 0:
            index = pd.RangeIndex(0, name=self.index_name)
        elif self.consecutive:
            index = pd.RangeIndex(self._next - n, self._next, name=self.index_name)
        else:
            index = pd.Index(_shrunk(self.index, n), name=self.index_name, copy=False)
        out = pd.DataFrame(dict(enumerate(arrays)), index=index, copy=False)
        out.columns = self.columns
        return out

    def result(self, meta):
        if self.blocks_in != self.nblocks:
            raise RuntimeError(f"read_csv assembled {self.blocks_in} of {self.nblocks} blocks")
        if not self.rest:
            return meta if self.arrays is None else self._frame()
        return concat(self.rest)


def _plain_index(index) -> bool:
    return isinstance(index, pd.RangeIndex) or (type(index) is pd.Index and index.dtype == np.int64)


def _resized(array, capacity, filled):
    out = np.empty(capacity, dtype=array.dtype)
    out[:filled] = array[:filled]
    return out


def _shrunk(array, n):
    """The first n values, giving the unused tail back (realloc shrinks in place, no copy)."""
    if n == len(array):
        return array
    try:
        array.resize((n,), refcheck=False)
        return array
    except ValueError:  # not owning its memory: a view it is
        return array[:n]


def _add_block(assembly, part, nblocks):
    if assembly is None:
        assembly = Assembly(nblocks)
    return assembly.add(part)


def _finish(assembly, meta):
    return assembly.result(meta)


class AssembledCSV(Expr):
    """All partitions of a read_csv, appended in order into one partition as they are parsed."""

    _parameters = ("frame",)

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _divisions(self):
        return (None, None)

    def _layer(self):
        frame, name = self.frame, self._name
        n = frame.npartitions
        chain = f"{name}-add"
        layer = {(chain, i): (_add_block, (chain, i - 1) if i else None, (frame._name, i), n)
                 for i in range(n)}
        layer[(name, 0)] = (_finish, (chain, n - 1), frame._meta)
        return layer

    def _label(self):
        return "AssembledCSV"


def _reader_below(expr, reader_type):
    """The reader whose blocks are, one to one, the partitions of ``expr`` (a reader, or
    partition-wise steps on it: projections, filters, assigns), or None."""
    if not (expr._is_blockwise or isinstance(expr, reader_type)):
        return None
    for node in expr.topo():
        if isinstance(node, reader_type) and node.npartitions == expr.npartitions:
            return node
    return None


def assembled(collection, scheduler_get):
    """The collection as one streamed-together partition, or None where that does not pay."""
    import shoal.local
    import shoal.threaded

    from .._collection import _threaded_get, new_collection
    from .csv import ReadCSV

    if scheduler_get not in (shoal.threaded.get, _threaded_get, shoal.local.get_sync):
        return None
    expr = collection._lowered().expr
    if not isinstance(expr._meta, pd.DataFrame):
        return None
    reader = _reader_below(expr, ReadCSV)
    if reader is None or expr.npartitions != reader.npartitions or expr.npartitions < 2:
        return None
    nbytes = reader._estimated_nbytes()
    if nbytes is None or nbytes < MIN_BYTES:
        return None
    return new_collection(AssembledCSV(expr))
