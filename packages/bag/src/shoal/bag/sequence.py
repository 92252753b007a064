"""Operations that care about the order of partitions: ``accumulate``, ``take`` and ``repartition``."""

from __future__ import annotations

import itertools
import operator
import sys
import warnings

from shoal.bag.graph import new_bag
from shoal.bag.partition import no_default, take_partition
from shoal.base import tokenize
from shoal.utils import funcname, parse_bytes


# -- accumulate: each partition continues from the last value of the one before ------------------
def accumulate(bag, binop, initial=no_default):
    name = f"accumulate-{funcname(binop)}-{tokenize(bag, binop, initial)}"
    state = f"{name}-state"
    layer = {}
    carry = initial
    for i in range(bag.npartitions):
        layer[(state, i)] = (accumulate_partition, binop, (bag.name, i), carry, i == 0)
        layer[(name, i)] = (operator.getitem, (state, i), 0)
        carry = (operator.getitem, (state, i), 1)
    return new_bag(name, layer, [bag], bag.npartitions)


def accumulate_partition(binop, partition, carry, first: bool):
    """``(running values, last value)``; the carried value is only emitted as the very first element
    (when it is the user's ``initial``)."""
    if carry is no_default:
        values = list(itertools.accumulate(partition, binop))
    else:
        values = list(itertools.accumulate(partition, binop, initial=carry))
        last = values[-1]
        if not first:
            values = values[1:]
        return values, last
    return values, (values[-1] if values else no_default)


# -- take: only the first partitions, and only their first k elements ------------------------------
def take(bag, k: int, npartitions: int = 1, compute: bool = True, warn: bool = True):
    if npartitions == -1 and compute:
        return _take_growing(bag, k, warn)
    if npartitions == -1:
        npartitions = bag.npartitions
    if not 1 <= npartitions <= bag.npartitions:
        raise ValueError(
            f"take: npartitions={npartitions}, but bag {bag.name} has {bag.npartitions} partitions "
            "(use -1 for as many as needed)"
        )
    first = _first_k(bag, k, range(npartitions))
    if not compute:
        return first
    result = tuple(first.compute())
    if warn and len(result) < k:
        _warn_short(k, len(result), npartitions)
    return result


def _first_k(bag, k, partitions):
    name = f"take-{tokenize(bag, k, list(partitions))}"
    parts = {(f"{name}-part", i): (take_partition, k, (bag.name, i)) for i in partitions}
    layer = dict(parts)
    layer[(name, 0)] = (_first_of, k, list(parts))
    return new_bag(name, layer, [bag], 1)


def _first_of(k, partitions) -> list:
    return list(itertools.islice(itertools.chain.from_iterable(partitions), k))


def _take_growing(bag, k, warn):
    """Compute 1, then 2, 4, ... more partitions until ``k`` elements are found."""
    found: list = []
    start, batch = 0, 1
    while len(found) < k and start < bag.npartitions:
        stop = min(start + batch, bag.npartitions)
        found.extend(_first_k(bag, k - len(found), range(start, stop)).compute())
        start, batch = stop, batch * 2
    if warn and len(found) < k:
        _warn_short(k, len(found), bag.npartitions, stacklevel=5)
    return tuple(found[:k])


def _warn_short(k, n, npartitions, stacklevel=4):
    warnings.warn(
        f"take: {k} elements requested but only {n} found in the first {npartitions} partitions; "
        "pass a larger npartitions (or -1 for all)",
        UserWarning,
        stacklevel=stacklevel,  # the user's call of Bag.take
    )


# -- repartition -------------------------------------------------------------------------------------
def repartition(bag, npartitions=None, partition_size=None):
    if (npartitions is None) == (partition_size is None):
        raise ValueError("repartition: give exactly one of npartitions or partition_size")
    if partition_size is not None:
        return _repartition_by_size(bag, partition_size)
    if npartitions < 1:
        raise ValueError(f"repartition: npartitions must be at least 1, got {npartitions}")
    if npartitions == bag.npartitions:
        return bag
    if npartitions < bag.npartitions:
        return _merge_neighbours(bag, npartitions)
    return _split_each(bag, npartitions)


def _merge_neighbours(bag, npartitions):
    name = f"repartition-{tokenize(bag, npartitions)}"
    cuts = [bag.npartitions * j // npartitions for j in range(npartitions + 1)]
    layer = {(name, j): (chain_partitions, [(bag.name, i) for i in range(a, b)])
             for j, (a, b) in enumerate(zip(cuts, cuts[1:]))}
    return new_bag(name, layer, [bag], npartitions)


def chain_partitions(partitions):
    return itertools.chain.from_iterable(partitions)


def _split_each(bag, npartitions):
    name = f"repartition-{tokenize(bag, npartitions)}"
    split = f"{name}-split"
    base, extra = divmod(npartitions, bag.npartitions)
    layer, j = {}, 0
    for i in range(bag.npartitions):
        pieces = base + (1 if i < extra else 0)
        layer[(split, i)] = (split_partition, (bag.name, i), pieces)
        for p in range(pieces):
            layer[(name, j)] = (operator.getitem, (split, i), p)
            j += 1
    return new_bag(name, layer, [bag], npartitions)


def split_partition(partition, pieces: int) -> list:
    """``partition`` cut into ``pieces`` lists of nearly equal length."""
    items = list(partition)
    cuts = [len(items) * p // pieces for p in range(pieces + 1)]
    return [items[a:b] for a, b in zip(cuts, cuts[1:])]


def _repartition_by_size(bag, partition_size):
    """Partitions of about ``partition_size`` bytes (an int, or a string such as ``'100 MB'``), as in
    Dask; the bag's partition lengths and element sizes are computed first."""
    size_bytes = parse_bytes(partition_size) if isinstance(partition_size, str) else partition_size
    if size_bytes < 1:
        raise ValueError(f"repartition: partition_size must be at least 1 byte, got {partition_size}")
    stats = bag.map_partitions(_length_and_bytes).compute()
    lengths = [n for n, _ in stats]
    total = sum(lengths)
    average = sum(b for _, b in stats) / total if total else 1
    size = max(1, int(size_bytes / max(average, 1)))
    name = f"repartition-size-{tokenize(bag, partition_size)}"
    starts = list(itertools.accumulate(lengths, initial=0))
    layer = {}
    for j, lo in enumerate(range(0, max(total, 1), size)):
        hi = min(lo + size, total)
        slices = [(_slice, (bag.name, i), max(lo - starts[i], 0), min(hi, starts[i + 1]) - starts[i])
                  for i in range(bag.npartitions) if starts[i] < hi and starts[i + 1] > lo]
        layer[(name, j)] = (chain_partitions, slices)
    return new_bag(name, layer, [bag], len(layer))


def _length_and_bytes(partition):
    return [(len(partition), sum(sys.getsizeof(x) for x in partition))]


def _slice(partition, start, stop):
    return itertools.islice(partition, start, stop)
