"""The Blockwise layer: one task per output block, built lazily from an index pattern.

``blockwise(func, 'ij', x, 'ij', y, 'ji')`` applies ``func`` to matching blocks of its inputs, with
the block each input contributes read off its index letters: a letter of the output selects the same
block index (or block 0 on an axis where the input has a single, broadcast block); a letter absent
from the output is contracted — its blocks are either concatenated into one argument
(``concatenate=True``), passed as a list, or, with ``contract='sum'``, the function is applied per
block combination and the results are summed (used by dot/tensordot/einsum).

The layer stores only this description; keys and tasks are produced on demand, and the optimizer
(``optimization.py``) fuses chains of Blockwise layers into one task per block.
"""

import functools
import itertools
import math
from collections.abc import Mapping

import numpy as np

from shoal.base import tokenize
from shoal.highlevelgraph import HighLevelGraph
from shoal.utils import funcname

from .chunks import common_refinement, is_unknown


class Blockwise(Mapping):
    """A lazy task layer; see the module docstring. ``args`` is a list of (name or literal, index)."""

    fusible = True

    def __init__(self, output, out_ind, func, args, numblocks, new_axes=None, concatenate=False,
                 contract=None):
        self.output = output
        self.out_ind = tuple(out_ind)
        self.func = func
        self.args = [(a, tuple(i) if i is not None else None) for a, i in args]
        self.numblocks = dict(numblocks)
        self.new_axes = dict(new_axes or {})
        self.concatenate = concatenate
        self.contract = contract
        self._dims = self._index_sizes()
        self._numblocks = tuple(self._dims[i] for i in self.out_ind)
        self._dict = None
        self._plan = self._direct_plan()

    def _direct_plan(self):
        """Per argument, which output index position gives each of its block indices (None: block 0
        of a broadcast axis) — the same for every block, so tasks are built without re-deriving it.
        None when letters are contracted (those tasks take nested lists)."""
        plan = []
        for arg, ind in self.args:
            if ind is None:
                plan.append((arg, None))
                continue
            if any(i not in self.out_ind for i in ind):
                return None
            nb = self.numblocks[arg]
            # an axis of one block reads block 0: the output's index there when it is one block too
            where = tuple(self.out_ind.index(i) if n > 1 or self._dims[i] == 1 else None for i, n in zip(ind, nb))
            plan.append((arg, True if where == tuple(range(len(self.out_ind))) else where))
        return plan

    def _index_sizes(self):
        dims = dict(self.new_axes)
        for arg, ind in self.args:
            if ind is None:
                continue
            for letter, n in zip(ind, self.numblocks[arg]):
                dims[letter] = max(dims.get(letter, 1), n)
        return dims

    @property
    def out_numblocks(self):
        return self._numblocks

    def _arg_task(self, arg, ind, where, contracted):
        nb = self.numblocks[arg]
        free = [i for i in ind if i not in where]
        if not free:
            return (arg,) + tuple(where[i] if n > 1 else 0 for i, n in zip(ind, nb))
        # nested lists over the contracted letters, in the order they appear in this argument
        ranges = [range(nb[ind.index(letter)]) for letter in free]
        def build(level, fixed):
            if level == len(free):
                spot = dict(where, **fixed)
                return (arg,) + tuple(spot[i] if n > 1 else 0 for i, n in zip(ind, nb))
            return [build(level + 1, dict(fixed, **{free[level]: j})) for j in ranges[level]]
        nested = build(0, {})
        if self.concatenate:
            axes = [ind.index(letter) for letter in free]
            return (concatenate_axes, nested, axes)
        return nested

    def task(self, out_index):
        if self._plan is not None:
            return (self.func,) + tuple(a if where is None else _block_key(a, where, out_index)
                                        for a, where in self._plan)
        where = dict(zip(self.out_ind, out_index))
        contracted = sorted({i for _, ind in self.args if ind for i in ind} - set(self.out_ind))
        if self.contract == "sum" and contracted:
            terms = []
            for combo in itertools.product(*(range(self._dims[c]) for c in contracted)):
                spot = dict(where, **dict(zip(contracted, combo)))
                terms.append((self.func,) + tuple(
                    a if ind is None else self._arg_task(a, ind, spot, ()) for a, ind in self.args))
            return (sum_blocks, terms)
        return (self.func,) + tuple(
            a if ind is None else self._arg_task(a, ind, where, contracted) for a, ind in self.args)

    def _materialize(self):
        if self._dict is None:
            self._dict = {
                (self.output,) + idx: self.task(idx)
                for idx in itertools.product(*(range(n) for n in self.out_numblocks))
            }
        return self._dict

    def __getitem__(self, key):
        if self._dict is None and key in self:  # one block, without building the whole layer
            index = key[1:]
            return self.task(index if all(type(i) is int for i in index) else tuple(int(i) for i in index))
        return self._materialize()[key]

    def to_dict(self):
        return self._materialize()

    def __iter__(self):
        if self._dict is not None:
            return iter(self._dict)
        return ((self.output,) + idx for idx in itertools.product(*(range(n) for n in self._numblocks)))

    def __len__(self):
        return math.prod(self.out_numblocks)

    def __contains__(self, key):
        if self._dict is not None:
            return key in self._dict
        if type(key) is not tuple or len(key) != len(self._numblocks) + 1 or key[0] != self.output:
            return False
        for i, n in zip(key[1:], self._numblocks):
            if not ((type(i) is int or isinstance(i, np.integer)) and 0 <= i < n):
                return False
        return True

    def dependency_names(self):
        return {a for a, ind in self.args if ind is not None}


def _block_key(name, where, out_index):
    if where is True:  # the argument's blocks line up with the output's
        return (name,) + out_index
    return (name,) + tuple([0 if p is None else out_index[p] for p in where])


def sum_blocks(terms):
    """Add per-block partial products (the contraction of ``contract='sum'`` layers)."""
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def concatenate_axes(nested, axes):
    """Concatenate a nested list of blocks along ``axes`` (outermost list level = axes[0])."""
    if not axes:
        return nested
    if len(axes) == 1:
        return _concat(nested, axes[0])
    return _concat([concatenate_axes(n, axes[1:]) for n in nested], axes[0])


def _concat(blocks, axis):
    if len(blocks) == 1:
        return blocks[0]
    if isinstance(blocks[0], dict):
        return {k: _concat([b[k] for b in blocks], axis) for k in blocks[0]}
    if any(isinstance(b, np.ma.MaskedArray) for b in blocks):
        return np.ma.concatenate(blocks, axis=axis)
    return np.concatenate(blocks, axis=axis)


def unify_chunks(*pairs):
    """Rechunk arrays so that axes sharing an index letter share block boundaries.

    ``pairs`` alternate arrays (or literals) and index strings. Axes of length 1 broadcast and are
    left alone. Returns (chunks per letter, list of the rechunked arguments).
    """
    args = list(zip(pairs[::2], pairs[1::2]))
    chunks_per_letter = {}
    for arg, ind in args:
        if ind is None or not hasattr(arg, "chunks"):
            continue
        for letter, c in zip(ind, arg.chunks):
            if len(c) == 1 and c[0] == 1:
                continue
            chunks_per_letter.setdefault(letter, []).append(c)
    unified = {}
    for letter, options in chunks_per_letter.items():
        if any(any(is_unknown(s) for s in c) for c in options):
            first = options[0]
            if any(c != first for c in options):
                raise ValueError(
                    f"cannot align blocks with unknown (NaN) sizes: {options}. Call "
                    "x.compute_chunk_sizes() on the inputs first."
                )
            unified[letter] = first
            continue
        lengths = {sum(c) for c in options}
        if len(lengths) > 1:
            shapes = ", ".join(f"{arg.shape} as {ind!r}" for arg, ind in args if ind is not None and hasattr(arg, "shape"))
            raise ValueError(
                f"axes labelled {letter!r} have different lengths {sorted(lengths)} in arrays of shapes {shapes}"
            )
        unified[letter] = options[0] if all(c == options[0] for c in options) else common_refinement(*options)
    out = []
    for arg, ind in args:
        if ind is None or not hasattr(arg, "chunks"):
            out.append(arg)
            continue
        target = tuple(
            unified.get(letter, c) if not (len(c) == 1 and c[0] == 1) else c
            for letter, c in zip(ind, arg.chunks)
        )
        out.append(arg.rechunk(target) if target != arg.chunks else arg)
    for arg, ind in args:
        if ind is not None and hasattr(arg, "chunks"):
            for letter, c in zip(ind, arg.chunks):
                unified.setdefault(letter, c)
    return unified, out


def blockwise(func, out_ind, *args, name=None, token=None, dtype=None, adjust_chunks=None,
              new_axes=None, align_arrays=True, concatenate=None, meta=None, contract=None, **kwargs):
    """Apply ``func`` blockwise following an index pattern, like ``np.einsum`` letters for blocks.

    ``blockwise(np.add, 'ij', x, 'ij', y, 'ij')`` adds matching blocks; literals are given with index
    ``None``. ``new_axes={'k': 3}`` adds an output axis of length 3; ``adjust_chunks`` maps a letter
    to new block sizes (a tuple, or a function of the old size).
    """
    from .core import Array, asarray_for_graph

    new_axes = dict(new_axes or {})
    pairs = list(args)
    for i in range(0, len(pairs), 2):
        if pairs[i + 1] is not None:
            pairs[i] = asarray_for_graph(pairs[i])
            if pairs[i].ndim != len(pairs[i + 1]):
                raise ValueError(
                    f"index {pairs[i + 1]!r} has {len(pairs[i + 1])} letters but the array has shape "
                    f"{pairs[i].shape}"
                )
    if align_arrays:
        letter_chunks, arrays = unify_chunks(*pairs)
    else:
        arrays = pairs[::2]
        letter_chunks = {}
        for arg, ind in zip(pairs[::2], pairs[1::2]):
            if ind is not None:
                for letter, c in zip(ind, arg.chunks):
                    if letter not in letter_chunks or len(c) > len(letter_chunks[letter]):
                        letter_chunks[letter] = c
    inds = pairs[1::2]
    if kwargs:
        func = functools.partial(func, **kwargs)
    if name is None:
        name = f"{token or funcname(func)}-" + tokenize(
            func, out_ind, *[a.name if isinstance(a, Array) else a for a in arrays], inds, new_axes,
            adjust_chunks, concatenate, contract, dtype)
    for letter, size in new_axes.items():
        letter_chunks[letter] = tuple(size) if isinstance(size, tuple) else (size,)
    out_chunks = []
    for letter in out_ind:
        if letter not in letter_chunks:
            raise ValueError(f"output index {letter!r} is not in any input index nor in new_axes")
        c = letter_chunks[letter]
        if adjust_chunks and letter in adjust_chunks:
            adj = adjust_chunks[letter]
            if callable(adj):
                c = tuple(adj(s) for s in c)
            elif isinstance(adj, (int, np.integer)):
                c = (int(adj),) * len(c)
            else:
                if len(adj) != len(c):
                    raise ValueError(f"adjust_chunks for {letter!r} gives {len(adj)} blocks, expected {len(c)}")
                c = tuple(adj)
        out_chunks.append(c)
    graph_args = []
    numblocks = {}
    deps = []
    for arg, ind in zip(arrays, inds):
        if ind is None:
            graph_args.append((arg, None))
        else:
            graph_args.append((arg.name, ind))
            numblocks[arg.name] = arg.numblocks
            deps.append(arg)
    layer = Blockwise(name, out_ind, func, graph_args, numblocks,
                      new_axes={k: len(letter_chunks[k]) for k in new_axes},
                      concatenate=concatenate, contract=contract)
    graph = HighLevelGraph.from_collections(name, layer, deps)
    if dtype is None and meta is not None:
        dtype = meta.dtype
    return Array(graph, name, tuple(out_chunks), dtype=dtype)
