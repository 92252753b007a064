"""The Array collection: a grid of NumPy blocks described by a task graph.

An Array is four things: a HighLevelGraph (``dask``), the ``name`` of its own layer (its keys are
``(name, i, j, ...)``), ``chunks`` (block sizes per axis, NaN where unknown) and a ``dtype``.
Operations build new Arrays; nothing runs until ``compute``/``persist``. This file holds the class,
its collection protocol and thin method wrappers; each operation lives in its own module.
"""

import math
import numbers
import operator

import numpy as np

from shoal.base import ShoalMethodsMixin

from shoal.base import tokenize
from shoal.highlevelgraph import HighLevelGraph

from .chunks import is_unknown, normalize_chunks, shape_from_chunks, unknown_chunks_message


def _threaded_get(*args, **kwargs):
    from shoal.threaded import get

    return get(*args, **kwargs)


class Array(ShoalMethodsMixin):
    """A chunked n-dimensional array with the NumPy interface."""

    __array_priority__ = 11

    def __init__(self, dask, name, chunks, dtype=None, meta=None, shape=None):
        if not isinstance(dask, HighLevelGraph):
            dask = HighLevelGraph({name: dict(dask)}, {name: set()})
        self.dask = dask
        self._name = name
        self._chunks = normalize_chunks(chunks, shape, dtype=dtype)
        if dtype is None and meta is not None:
            dtype = getattr(meta, "dtype", None)
        self._dtype = np.dtype(dtype) if dtype is not None else np.dtype(float)

    # -- description -------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def chunks(self):
        return self._chunks

    @chunks.setter
    def chunks(self, value):
        raise TypeError("chunks cannot be assigned; use x.rechunk(chunks) to change the blocks")

    @property
    def dtype(self):
        return self._dtype

    @property
    def _meta(self):
        return np.empty((0,) * self.ndim, dtype=self.dtype)

    @property
    def shape(self):
        return shape_from_chunks(self.chunks)

    @property
    def ndim(self):
        return len(self.chunks)

    @property
    def size(self):
        return math.prod(self.shape)

    @property
    def nbytes(self):
        return self.size * self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def numblocks(self):
        return tuple(len(c) for c in self.chunks)

    @property
    def npartitions(self):
        return math.prod(self.numblocks)

    @property
    def chunksize(self):
        return tuple(max(c, default=0) if not any(is_unknown(s) for s in c) else math.nan for c in self.chunks)

    def __len__(self):
        if not self.chunks:
            raise TypeError("len() of unsized object (a 0-d array)")
        n = sum(self.chunks[0])
        if is_unknown(n):
            raise ValueError(unknown_chunks_message(self.shape, "len()"))
        return int(n)

    # -- collection protocol -----------------------------------------------------------------
    def __shoal_graph__(self):
        return self.dask

    def __shoal_keys__(self):
        return block_keys(self.name, self.numblocks)

    def __shoal_layer__(self):
        return self.name

    def __shoal_postcompute__(self):
        return finalize, (self.ndim,)

    def __shoal_postpersist__(self):
        return _rebuild, (self.name, self.chunks, self.dtype)

    def __shoal_tokenize__(self):
        return self.name

    @staticmethod
    def __shoal_optimize__(dsk, keys, **kwargs):
        from .optimization import optimize

        return optimize(dsk, keys, **kwargs)

    __shoal_scheduler__ = staticmethod(_threaded_get)

    def __getstate__(self):
        return self.dask, self.name, self.chunks, self.dtype

    def __setstate__(self, state):
        self.dask, self._name, self._chunks, self._dtype = state

    def to_delayed(self, optimize_graph=True):
        """A NumPy object array (shape ``numblocks``) of Delayed objects, one per block."""
        from shoal.delayed import Delayed

        graph = self.__shoal_graph__()
        keys = self.__shoal_keys__()
        if optimize_graph:
            graph = self.__shoal_optimize__(graph, keys)
        graph = dict(graph)

        def wrap(k):
            if isinstance(k, list):
                return [wrap(i) for i in k]
            return Delayed(k, graph)

        out = np.empty(self.numblocks, dtype=object)
        for idx in np.ndindex(*self.numblocks):
            out[idx] = wrap(_key_at(keys, idx))
        return out

    # -- NumPy protocols ---------------------------------------------------------------------
    def __array__(self, dtype=None, copy=None):
        x = np.asarray(self.compute())
        return x.astype(dtype) if dtype is not None else x

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from .numpy_protocol import array_ufunc

        return array_ufunc(self, ufunc, method, *inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        from .numpy_protocol import array_function

        return array_function(func, types, args, kwargs)

    def __bool__(self):
        if self.size != 1:
            raise ValueError(
                f"The truth value of an array with shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self.compute())

    def __int__(self):
        return int(self.compute())

    def __float__(self):
        return float(self.compute())

    def __complex__(self):
        return complex(self.compute())

    def __index__(self):
        return operator.index(self.compute())

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __repr__(self):
        from .display import array_repr

        return array_repr(self)

    def to_svg(self, size=500):
        """An SVG picture of the chunk grid (as shown by ``_repr_html_``)."""
        from .display import chunk_grid_svg

        return chunk_grid_svg(self.chunks, size=size)

    def _repr_html_(self):
        from .display import array_html

        return array_html(self)

    # -- indexing ----------------------------------------------------------------------------
    def __getitem__(self, index):
        from .slicing import getitem

        return getitem(self, index)

    def __setitem__(self, index, value):
        from .setitem import setitem

        out = setitem(self, index, value)
        self.dask, self._name, self._chunks, self._dtype = out.dask, out.name, out.chunks, out.dtype

    @property
    def blocks(self):
        from .slicing import BlockView

        return BlockView(self)

    @property
    def partitions(self):
        return self.blocks

    @property
    def vindex(self):
        from .slicing import VIndex

        return VIndex(self)

    def compute_chunk_sizes(self):
        """Replace unknown (NaN) block sizes by their computed values, in place; returns self."""
        from .unknown import compute_chunk_sizes

        self._chunks = compute_chunk_sizes(self)
        return self

    # -- shape -------------------------------------------------------------------------------
    def reshape(self, *shape, merge_chunks=True, limit=None):
        from .reshape import reshape

        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = shape[0]
        return reshape(self, shape, merge_chunks=merge_chunks, limit=limit)

    def transpose(self, *axes):
        from .shape import transpose

        if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], numbers.Integral)):
            axes = axes[0]
        return transpose(self, axes or None)

    @property
    def T(self):
        return self.transpose()

    @property
    def mT(self):
        return self.swapaxes(-1, -2)

    def swapaxes(self, axis1, axis2):
        from .shape import swapaxes

        return swapaxes(self, axis1, axis2)

    def squeeze(self, axis=None):
        from .shape import squeeze

        return squeeze(self, axis)

    def ravel(self):
        from .reshape import ravel

        return ravel(self)

    flatten = ravel

    def rechunk(self, chunks="auto", threshold=None, block_size_limit=None, balance=False, method=None):
        from .rechunk import rechunk

        return rechunk(self, chunks, threshold=threshold, block_size_limit=block_size_limit, balance=balance)

    def repeat(self, repeats, axis=None):
        from .routines import repeat

        return repeat(self, repeats, axis)

    # -- elementwise -------------------------------------------------------------------------
    def astype(self, dtype, casting="unsafe", copy=True, **kwargs):
        from .elementwise import astype

        return astype(self, dtype, casting=casting, copy=copy)

    def clip(self, min=None, max=None):
        from .elementwise import clip

        return clip(self, min, max)

    def round(self, decimals=0):
        from .elementwise import round_

        return round_(self, decimals)

    def conj(self):
        return np.conj(self)

    conjugate = conj

    @property
    def real(self):
        return np.real(self)

    @property
    def imag(self):
        return np.imag(self)

    def copy(self):
        return Array(self.dask, self.name, self.chunks, self.dtype)

    def __copy__(self):
        return self.copy()

    def __deepcopy__(self, memo):
        return self.copy()

    def view(self, dtype=None, order="C"):
        from .elementwise import view

        return view(self, dtype)

    def map_blocks(self, func, *args, **kwargs):
        from .map_blocks import map_blocks

        return map_blocks(func, self, *args, **kwargs)

    def map_overlap(self, func, depth, boundary=None, trim=True, **kwargs):
        from .overlap import map_overlap

        return map_overlap(func, self, depth=depth, boundary=boundary, trim=trim, **kwargs)

    # -- reductions --------------------------------------------------------------------------
    def sum(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        from .reductions import sum as f

        return f(self, axis=axis, dtype=dtype, keepdims=keepdims, split_every=split_every)

    def prod(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        from .reductions import prod as f

        return f(self, axis=axis, dtype=dtype, keepdims=keepdims, split_every=split_every)

    def mean(self, axis=None, dtype=None, keepdims=False, split_every=None, out=None):
        from .reductions import mean as f

        return f(self, axis=axis, dtype=dtype, keepdims=keepdims, split_every=split_every)

    def var(self, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
        from .reductions import var as f

        return f(self, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every)

    def std(self, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None, out=None):
        from .reductions import std as f

        return f(self, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every)

    def min(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import min as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def max(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import max as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def any(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import any as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def all(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import all as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def argmin(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import argmin as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def argmax(self, axis=None, keepdims=False, split_every=None, out=None):
        from .reductions import argmax as f

        return f(self, axis=axis, keepdims=keepdims, split_every=split_every)

    def moment(self, order, axis=None, dtype=None, keepdims=False, ddof=0, split_every=None):
        from .reductions import moment as f

        return f(self, order, axis=axis, dtype=dtype, keepdims=keepdims, ddof=ddof, split_every=split_every)

    def cumsum(self, axis=None, dtype=None, out=None):
        from .cumulative import cumsum

        return cumsum(self, axis=axis, dtype=dtype)

    def cumprod(self, axis=None, dtype=None, out=None):
        from .cumulative import cumprod

        return cumprod(self, axis=axis, dtype=dtype)

    def topk(self, k, axis=-1, split_every=None):
        from .routines import topk

        return topk(self, k, axis=axis, split_every=split_every)

    def argtopk(self, k, axis=-1, split_every=None):
        from .routines import argtopk

        return argtopk(self, k, axis=axis, split_every=split_every)

    def shuffle(self, indexer, axis, chunks="auto"):
        from .shuffle import shuffle

        return shuffle(self, indexer, axis, chunks=chunks)

    def nonzero(self):
        from .routines import nonzero

        return nonzero(self)

    def choose(self, choices):
        from .elementwise import choose

        return choose(self, choices)

    def trace(self, offset=0, axis1=0, axis2=1, dtype=None):
        from .routines import trace

        return trace(self, offset, axis1, axis2, dtype)

    # -- linear algebra ----------------------------------------------------------------------
    def dot(self, other):
        from .products import dot

        return dot(self, other)

    def __matmul__(self, other):
        from .products import matmul

        return matmul(self, other)

    def __rmatmul__(self, other):
        from .products import matmul

        return matmul(other, self)

    # -- storage -----------------------------------------------------------------------------
    def store(self, target, **kwargs):
        from .io import store

        return store([self], [target], **kwargs)

    def to_zarr(self, *args, **kwargs):
        from .io import to_zarr

        return to_zarr(self, *args, **kwargs)

    def to_hdf5(self, filename, datapath, **kwargs):
        from .io import to_hdf5

        return to_hdf5(filename, {datapath: self}, **kwargs)

    def tolist(self):
        return self.compute().tolist()


def _binary(op, reflected=False):
    def method(self, other):
        from .chunk_types import should_defer
        from .elementwise import elemwise

        if not _is_operand(other) or should_defer(other):
            return NotImplemented
        return elemwise(op, other, self) if reflected else elemwise(op, self, other)

    method.__name__ = op.__name__
    return method


def _unary(op):
    def method(self):
        from .elementwise import elemwise

        return elemwise(op, self)

    method.__name__ = op.__name__
    return method


def _is_operand(x):
    return isinstance(x, (Array, np.ndarray, numbers.Number, np.generic, list)) or hasattr(x, "__array__")


for _name, _op in [
    ("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("truediv", operator.truediv),
    ("floordiv", operator.floordiv), ("mod", operator.mod), ("pow", operator.pow),
    ("and", operator.and_), ("or", operator.or_), ("xor", operator.xor),
    ("lshift", operator.lshift), ("rshift", operator.rshift),
]:
    setattr(Array, f"__{_name}__", _binary(_op))
    setattr(Array, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
                   ("gt", operator.gt), ("ge", operator.ge)]:
    setattr(Array, f"__{_name}__", _binary(_op))
for _name, _op in [("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs),
                   ("invert", operator.invert)]:
    setattr(Array, f"__{_name}__", _unary(_op))
Array.__hash__ = object.__hash__


def _divmod(self, other):
    return np.divmod(self, other)


def _rdivmod(self, other):
    return np.divmod(other, self)


Array.__divmod__ = _divmod
Array.__rdivmod__ = _rdivmod


def block_keys(name, numblocks):
    """Nested lists of keys, one nesting level per axis (a 0-d array gives ``[(name,)]``)."""
    if not numblocks:
        return [(name,)]

    def build(prefix, rest):
        if not rest:
            return (name,) + prefix
        return [build(prefix + (i,), rest[1:]) for i in range(rest[0])]

    return build((), tuple(numblocks))


def finalize(results, ndim):
    """Assemble computed blocks (nested lists) into one NumPy array."""
    from .blockwise import concatenate_axes

    if ndim == 0:
        out = results[0]
        while isinstance(out, list):
            out = out[0]
        return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out
    return concatenate_axes(results, list(range(ndim)))


def _rebuild(graph, name, chunks, dtype):
    if not isinstance(graph, HighLevelGraph):
        graph = HighLevelGraph({name: dict(graph)}, {name: set()})
    return Array(graph, name, chunks, dtype)


def asarray_for_graph(x):
    """Wrap anything array-like as an Array so it can join a graph (NumPy data becomes one block)."""
    if isinstance(x, Array):
        return x
    from .chunk_types import is_registered_duck_array
    from .io import from_array

    if is_registered_duck_array(x):
        return from_array(x, chunks=x.shape, name=f"array-{tokenize(x)}", asarray=False)
    a = np.asarray(x)
    return from_array(a, chunks=a.shape or (), name=f"array-{tokenize(a)}")


def is_array_like(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


__all__ = ["Array", "block_keys", "finalize"]


def _key_at(nested, idx):
    for i in idx:
        nested = nested[i]
    return nested
