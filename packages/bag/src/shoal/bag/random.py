"""Random sampling from a bag: ``sample`` (without replacement), ``choices`` (with replacement) and
``random_sample`` (keep each element with a probability).

``sample`` gives every element an independent uniform random key and keeps the ``k`` smallest keys, per
partition and then overall, which is a uniform sample without replacement computed in one streaming
pass. ``choices`` keeps, per partition, ``k`` draws and the partition's size; merging picks each draw's
partition in proportion to the sizes.
"""

from __future__ import annotations

import heapq
import operator
import random as _random
from functools import partial

from shoal.bag.graph import new_bag
from shoal.bag.reductions import tree_reduce
from shoal.base import tokenize

_key = operator.itemgetter(0)


def _keyed_smallest(k, partition):
    rng = _random.Random()
    return heapq.nsmallest(k, ((rng.random(), x) for x in partition), key=_key)


def _merge_smallest(k, results):
    return heapq.nsmallest(k, (pair for r in results for pair in r), key=_key)


def _sample_final(k, results):
    chosen = _merge_smallest(k, results)
    if len(chosen) < k:
        raise ValueError(f"sample: k={k} is larger than the bag ({len(chosen)} elements)")
    return [x for _, x in chosen]


def sample(population, k: int, split_every=None):
    """A bag of ``k`` distinct elements of ``population`` chosen uniformly at random (like
    ``random.sample``)."""
    if k < 0:
        raise ValueError(f"sample: k must be non-negative, got {k}")
    name = f"sample-{tokenize(population, k, _random.random())}"
    return tree_reduce(population, name, partial(_keyed_smallest, k), partial(_merge_smallest, k),
                       partial(_sample_final, k), split_every, out_bag=True)


def _partition_choices(k, partition):
    items = list(partition)
    return len(items), (_random.Random().choices(items, k=k) if items else [])


def _merge_choices(k, results):
    results = [r for r in results if r[0]]
    if not results:
        return 0, []
    rng = _random.Random()
    sizes = [n for n, _ in results]
    picks = rng.choices(range(len(results)), weights=sizes, k=k)
    return sum(sizes), [results[p][1][slot] for slot, p in enumerate(picks)]


def _choices_final(k, results):
    n, chosen = _merge_choices(k, results)
    if n == 0 and k:
        raise IndexError("choices: cannot choose from an empty bag")
    return chosen


def choices(population, k: int = 1, split_every=None):
    """A bag of ``k`` elements drawn uniformly at random with replacement (like ``random.choices``)."""
    name = f"choices-{tokenize(population, k, _random.random())}"
    return tree_reduce(population, name, partial(_partition_choices, k), partial(_merge_choices, k),
                       partial(_choices_final, k), split_every, out_bag=True)


def random_sample(bag, prob: float, random_state=None):
    """Each element kept independently with probability ``prob``; an int or a ``random.Random``
    ``random_state`` makes the result reproducible."""
    if not 0 <= prob <= 1:
        raise ValueError(f"random_sample: prob must be between 0 and 1, got {prob}")
    if random_state is None:
        seed = _random.random()
    elif isinstance(random_state, _random.Random):  # as in Dask: draw the seed from the user's generator
        seed = random_state.getrandbits(64)
    else:
        seed = random_state
    name = f"random-sample-{tokenize(bag, prob, seed)}"
    layer = {(name, i): (keep_with_probability, prob, f"{seed}-{i}", (bag.name, i))
             for i in range(bag.npartitions)}
    return new_bag(name, layer, [bag], bag.npartitions)


def keep_with_probability(prob, seed: str, partition):
    rng = _random.Random(seed)
    return (x for x in partition if rng.random() < prob)
