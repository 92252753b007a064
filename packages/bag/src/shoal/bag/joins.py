"""Combining bags: ``join`` with a small collection, ``product``, ``zip`` and ``concat``."""

from __future__ import annotations

import builtins
import itertools
import operator

from shoal.bag.graph import is_bag, new_bag, value_argument
from shoal.base import tokenize


def _key_function(key):
    return key if callable(key) else operator.itemgetter(key)


def join(bag, other, on_self, on_other=None):
    """``(other_element, element)`` for every pair whose keys match; ``other`` must fit in memory: an
    iterable, a single-partition bag or a delayed value."""
    on_other = on_self if on_other is None else on_other
    deps = [bag]
    if is_bag(other):
        if other.npartitions != 1:
            raise ValueError(
                f"join: bag {other.name} has {other.npartitions} partitions; the other side of a join "
                "must fit in one (use other.repartition(1)), or group both bags with foldby/groupby"
            )
        other_arg = (other.name, 0)
        deps.append(other)
    else:
        if not hasattr(other, "__shoal_graph__"):
            other = list(other)
        other_arg, collection = value_argument(other, "join")
        if collection is not None:
            deps.append(collection)
    name = f"join-{tokenize(bag, other_arg, on_self, on_other)}"
    layer = {(name, i): (join_partition, _key_function(on_self), _key_function(on_other),
                         (bag.name, i), other_arg)
             for i in builtins.range(bag.npartitions)}
    return new_bag(name, layer, deps, bag.npartitions)


def join_partition(on_self, on_other, partition, other):
    """Stream ``partition`` against an in-memory index of ``other``."""
    index: dict = {}
    for o in other:
        index.setdefault(on_other(o), []).append(o)
    for x in partition:
        for o in index.get(on_self(x), ()):
            yield o, x


def product(bag, other):
    """The cartesian product: one partition per pair of partitions."""
    name = f"product-{tokenize(bag, other)}"
    layer = {(name, i * other.npartitions + j): (product_partitions, (bag.name, i), (other.name, j))
             for i in builtins.range(bag.npartitions) for j in builtins.range(other.npartitions)}
    return new_bag(name, layer, [bag, other], bag.npartitions * other.npartitions)


def product_partitions(a, b):
    return itertools.product(a, list(b))


def zip(*bags):  # noqa: A001 - the name users know
    """Tuples of corresponding elements of bags partitioned alike."""
    n = bags[0].npartitions
    for b in bags[1:]:
        if b.npartitions != n:
            raise ValueError(
                f"zip: bag {b.name} has {b.npartitions} partitions but bag {bags[0].name} has {n}; "
                "zipped bags need the same partitioning"
            )
    name = f"zip-{tokenize(*bags)}"
    layer = {(name, i): (zip_partitions, [(b.name, i) for b in bags], i)
             for i in builtins.range(n)}
    return new_bag(name, layer, bags, n)


def zip_partitions(partitions, i):
    try:
        yield from builtins.zip(*partitions, strict=True)
    except ValueError as e:
        raise ValueError(
            f"zip: partition {i} of the zipped bags have different lengths ({e}); zipped bags must "
            "have the same number of elements in each partition"
        ) from None


def concat(bags):
    """One bag with the partitions of all ``bags``, in order."""
    bags = list(bags)
    if not bags:
        raise ValueError("concat needs at least one bag")
    name = f"concat-{tokenize(*bags)}"
    layer, origins = {}, []
    for b in bags:
        for i in builtins.range(b.npartitions):
            layer[(name, len(layer))] = (same_partition, (b.name, i))
            origins.append(b.origins[i] if b.origins is not None else None)
    keep_origins = any(o is not None for o in origins)
    return new_bag(name, layer, bags, len(layer), origins if keep_origins else None)


def same_partition(partition):
    return partition
