"""Bag: an unordered collection of Python objects split into partitions, processed in parallel.

The class holds the graph (a HighLevelGraph whose keys ``(name, i)`` are the partitions), implements
the shoal collection protocol, and exposes the toolz-style API. Each method is a thin entry point into
the module that implements that family of operations.
"""

from __future__ import annotations

from collections.abc import Iterable

from shoal.bag import convert, elementwise, joins, reductions, scheduler, sequence, write
from shoal.bag.optimize import optimize
from shoal.bag.partition import no_default
from shoal.bag.shuffle import groupby as shuffle_groupby
from shoal.bag.strings import StringAccessor
from shoal.base import ShoalMethodsMixin
from shoal.utils import key_split


class Bag(ShoalMethodsMixin):
    """A parallel collection of Python objects: partition ``i`` is the value of key ``(name, i)``.

    ``origins`` (optional, one per partition) records where text partitions came from, as
    ``(path, lines_before)``, so errors can name a file and line.
    """

    def __init__(self, dsk, name: str, npartitions: int, origins=None):
        self.dask = dsk
        self.name = name
        self.npartitions = npartitions
        self.origins = origins

    # -- collection protocol -------------------------------------------------------------------
    def __shoal_graph__(self):
        return self.dask

    def __shoal_keys__(self):
        return [(self.name, i) for i in range(self.npartitions)]

    def __shoal_tokenize__(self):
        return self.name

    def __shoal_postcompute__(self):
        return _concatenate, ()

    def __shoal_postpersist__(self):
        return _rebuild, (self.name, self.npartitions)

    __shoal_optimize__ = staticmethod(optimize)
    __shoal_scheduler__ = staticmethod(scheduler.get)

    def __repr__(self):
        return f"shoal.bag<{key_split(self.name)}, npartitions={self.npartitions}>"

    def __iter__(self):
        return iter(self.compute())

    @property
    def str(self) -> StringAccessor:
        """String methods applied to every element: ``b.str.lower()``, ``b.str.match('*.json')``."""
        return StringAccessor(self)

    # -- element-wise ----------------------------------------------------------------------------
    def map(self, func, *args, **kwargs) -> Bag:
        """``func(x, *args, **kwargs)`` for every element; bag arguments are zipped element-wise,
        Items and delayed values are computed first, other values passed as they are."""
        return elementwise.map(func, self, *args, **kwargs)

    def starmap(self, func, **kwargs) -> Bag:
        """``func(*x, **kwargs)`` for every element ``x`` (a tuple of arguments)."""
        return elementwise.starmap(func, self, **kwargs)

    def filter(self, predicate) -> Bag:
        """The elements for which ``predicate(x)`` is true."""
        return elementwise.filter(self, predicate)

    def remove(self, predicate) -> Bag:
        """The elements for which ``predicate(x)`` is false."""
        return elementwise.filter(self, predicate, keep=False)

    def pluck(self, key, default=no_default) -> Bag:
        """``x[key]`` of every element; a list of keys gives tuples."""
        return elementwise.pluck(self, key, default)

    def flatten(self) -> Bag:
        """Concatenate the elements, each an iterable, into one bag."""
        return elementwise.flatten(self)

    def unzip(self, n: int) -> tuple:
        """``n`` bags from a bag of ``n``-tuples."""
        return tuple(self.pluck(i) for i in range(n))

    def map_partitions(self, func, *args, **kwargs) -> Bag:
        """``func(partition, *args, **kwargs)`` for every partition (given as a list)."""
        return elementwise.map_partitions(func, self, *args, **kwargs)

    # -- reductions ------------------------------------------------------------------------------
    def reduction(self, perpartition, aggregate, split_every=None, out_type=None, name=None):
        """``aggregate([perpartition(p) for p in partitions])`` as a tree (``aggregate`` is applied to
        groups of ``split_every`` results, then to those results)."""
        return reductions.reduction(self, perpartition, aggregate, split_every, out_type, name)

    def fold(self, binop, combine=None, initial=no_default, split_every=None, out_type=None):
        """``functools.reduce(binop, partition[, initial])`` per partition, then ``combine`` (default
        ``binop``) across partitions."""
        return reductions.fold(self, binop, combine, initial, split_every, out_type)

    def count(self, split_every=None):
        return reductions.count(self, split_every)

    def sum(self, split_every=None):
        return reductions.sum(self, split_every)

    def min(self, split_every=None):
        return reductions.min(self, split_every)

    def max(self, split_every=None):
        return reductions.max(self, split_every)

    def any(self, split_every=None):
        return reductions.any(self, split_every)

    def all(self, split_every=None):
        return reductions.all(self, split_every)

    def mean(self):
        return reductions.mean(self)

    def var(self, ddof: int = 0):
        return reductions.var(self, ddof)

    def std(self, ddof: int = 0):
        return reductions.std(self, ddof)

    def frequencies(self, split_every=None, sort: bool = False) -> Bag:
        """``(element, count)`` pairs, most frequent first when ``sort=True``."""
        return reductions.frequencies(self, split_every, sort)

    def topk(self, k: int, key=None, split_every=None) -> Bag:
        """The ``k`` largest elements (by ``key``, a function or an index), largest first."""
        return reductions.topk(self, k, key, split_every)

    def distinct(self, key=None) -> Bag:
        """One element per distinct value (or per distinct ``key(x)``)."""
        return reductions.distinct(self, key)

    def foldby(self, key, binop, initial=no_default, combine=None, combine_initial=no_default,
               split_every=None) -> Bag:
        """Group by ``key`` and fold each group with ``binop`` without a shuffle: ``(key, value)``
        pairs. ``combine`` (default ``binop``) merges the values of one key from different partitions."""
        return reductions.foldby(self, key, binop, initial, combine, combine_initial, split_every)

    # -- whole-bag reorganisation ----------------------------------------------------------------
    def groupby(self, grouper, method=None, npartitions=None, blocksize=None, max_branch=None,
                shuffle=None) -> Bag:
        """``(key, [elements])`` pairs, all elements of a key together, by a full shuffle
        (prefer ``foldby`` when the groups are then reduced). ``grouper`` is a function or a key to
        look up in each element; ``shuffle`` (or ``method``) is ``'disk'``, ``'tasks'`` or ``'auto'``."""
        return shuffle_groupby(self, grouper, npartitions, shuffle, method, max_branch, blocksize)

    def join(self, other, on_self, on_other=None) -> Bag:
        """``(other_element, element)`` for each pair with ``on_other(o) == on_self(x)``; ``other`` is an
        iterable, a single-partition bag or a delayed value."""
        return joins.join(self, other, on_self, on_other)

    def product(self, other) -> Bag:
        """Every pair ``(x, y)`` with ``x`` from this bag and ``y`` from ``other``."""
        return joins.product(self, other)

    def accumulate(self, binop, initial=no_default) -> Bag:
        """Running ``binop`` over the elements in order, like ``itertools.accumulate``."""
        return sequence.accumulate(self, binop, initial)

    def take(self, k: int, npartitions: int = 1, compute: bool = True, warn: bool = True):
        """The first ``k`` elements of the first ``npartitions`` partitions (``-1``: as many as needed)."""
        return sequence.take(self, k, npartitions, compute, warn)

    def repartition(self, npartitions=None, partition_size=None) -> Bag:
        """The same elements in ``npartitions`` partitions, or in partitions of about
        ``partition_size`` bytes (an int or a string such as ``'100 MB'``; this computes the bag)."""
        return sequence.repartition(self, npartitions, partition_size)

    def random_sample(self, prob: float, random_state=None) -> Bag:
        """Each element kept independently with probability ``prob``."""
        from shoal.bag.random import random_sample

        return random_sample(self, prob, random_state)

    # -- output ----------------------------------------------------------------------------------
    def to_textfiles(self, path, name_function=None, compression="infer", encoding="utf-8",
                     compute=True, storage_options=None, last_endline=False, **kwargs):
        """Write each partition to a text file, one element per line."""
        return write.to_textfiles(self, path, name_function, compression, encoding, compute,
                                  storage_options, last_endline, **kwargs)

    def to_dataframe(self, meta=None, columns=None, optimize_graph: bool = True):
        """A shoal.dataframe DataFrame from a bag of dicts, tuples or lists."""
        return convert.to_dataframe(self, meta, columns, optimize_graph)

    def to_delayed(self, optimize_graph: bool = True) -> list:
        """One Delayed per partition."""
        return convert.to_delayed(self, optimize_graph)



def _concatenate(results):
    """The computed bag: its partitions concatenated. When ``map_partitions`` returned a single value
    per partition (not an iterable), those values are the result."""
    if results and (isinstance(results[0], str) or not isinstance(results[0], Iterable)):
        return list(results)
    out = []
    for part in results:
        out.extend(part)
    return out


def _rebuild(dsk, name, npartitions):
    return Bag(dsk, name, npartitions)
