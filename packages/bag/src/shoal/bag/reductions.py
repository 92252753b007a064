"""Reductions: a per-partition step fused into each partition's task, then a tree of combine steps.

Every reduction here is ``tree_reduce(bag, name, perpartition, combine, finalize)``: ``perpartition``
reads one partition (lazily), ``combine`` merges a list of such results into one (applied in groups of
``split_every``), ``finalize`` turns the last list of results into the answer. Only the small
per-partition results move between tasks.
"""

from __future__ import annotations

import builtins
import heapq
import itertools
import math
import operator
from collections import Counter, deque
from functools import partial, reduce

import shoal.config
from shoal.bag.errors import add_where
from shoal.bag.graph import new_bag, new_item
from shoal.bag.partition import no_default
from shoal.base import tokenize
from shoal.utils import funcname, key_split
from toolz import reduceby


def tree_reduce(bag, name, perpartition, combine, finalize, split_every=None, out_bag=False):
    """An Item (or a one-partition Bag when ``out_bag``) with value ``finalize([...])``."""
    split_every = split_every or shoal.config.get("bag.split-every", 8)
    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, got {split_every}")
    step = key_split(name)
    layer = {(f"{name}-part", i): (reduce_partition, perpartition, (bag.name, i), step,
                                   f"partition {i} of {name}")
             for i in range(bag.npartitions)}
    keys = list(layer)
    depth = 0
    while len(keys) > split_every:
        level = f"{name}-combine-{depth}"
        groups = [keys[j:j + split_every] for j in range(0, len(keys), split_every)]
        for j, group in enumerate(groups):
            layer[(level, j)] = (combine, list(group))
        keys = [(level, j) for j in range(len(groups))]
        depth += 1
    if out_bag:
        layer[(name, 0)] = (finalize, keys)
        return new_bag(name, layer, [bag], 1)
    return new_item(name, (finalize, keys), [bag], layer)


def reduce_partition(perpartition, partition, step: str, label: str):
    """``perpartition(partition)``, naming the reduction and partition if a user function fails."""
    try:
        return perpartition(partition)
    except Exception as e:
        add_where(e, step, label)
        raise


def _wants_bag(out_type) -> bool:
    from shoal.bag.bag import Bag

    return out_type is Bag or out_type == "bag"


def reduction(bag, perpartition, aggregate, split_every=None, out_type=None, name=None):
    """Public ``Bag.reduction``: ``aggregate`` is used both between tree levels and at the top."""
    name = f"{name or funcname(aggregate)}-{tokenize(bag, perpartition, aggregate, split_every)}"
    return tree_reduce(bag, name, perpartition, aggregate, aggregate, split_every,
                       _wants_bag(out_type))


# -- folds that may see empty partitions: partial results are [] or [value] ------------------------
def _fold_partition(binop, initial, partition):
    if initial is no_default:
        it = iter(partition)
        for first in it:
            return [reduce(binop, it, first)]
        return []
    return [reduce(binop, partition, initial)]


def _fold_results(combine, initial, results):
    values = [v for r in results for v in r]
    if not values:
        return [] if initial is no_default else [initial]
    return [reduce(combine, values)]


def _fold_final(combine, initial, what, results):
    values = _fold_results(combine, initial, results)
    if not values:
        raise ValueError(f"{what} of an empty bag (give an initial value)")
    return values[0]


def fold(bag, binop, combine=None, initial=no_default, split_every=None, out_type=None):
    """``reduce(binop)`` per partition, then ``reduce(combine)`` across them."""
    combine = combine or binop
    name = f"fold-{funcname(binop)}-{tokenize(bag, binop, combine, initial, split_every)}"
    return tree_reduce(bag, name, partial(_fold_partition, binop, initial),
                       partial(_fold_results, combine, initial),
                       partial(_fold_final, combine, initial, "fold"), split_every,
                       _wants_bag(out_type))


def _extreme(pick, what, bag, split_every):
    name = f"{what}-{tokenize(bag, split_every)}"
    return tree_reduce(bag, name, partial(_extreme_of_partition, pick),
                       partial(_fold_results, pick, no_default),
                       partial(_fold_final, pick, no_default, what), split_every)


def _extreme_of_partition(pick, partition) -> list:
    """``[builtins.min(partition)]`` (or max), ``[]`` for an empty partition: the C loop, not a
    Python ``reduce``."""
    value = pick(partition, default=no_default)
    return [] if value is no_default else [value]


def min(bag, split_every=None):  # noqa: A001 - the name users know
    """The smallest element."""
    return _extreme(builtins.min, "min", bag, split_every)


def max(bag, split_every=None):  # noqa: A001 - the name users know
    """The largest element."""
    return _extreme(builtins.max, "max", bag, split_every)


# -- simple aggregates ---------------------------------------------------------------------------
def _count(partition) -> int:
    if isinstance(partition, (list, tuple, range)):
        return len(partition)
    numbers = itertools.count()
    deque(zip(partition, numbers), maxlen=0)  # consumes a lazy partition in C, numbering as it goes
    return next(numbers)


def count(bag, split_every=None):
    """The number of elements."""
    return tree_reduce(bag, f"count-{tokenize(bag, split_every)}", _count, builtins.sum,
                       builtins.sum, split_every)


def sum(bag, split_every=None):  # noqa: A001 - the name users know
    """The sum of the elements."""
    return tree_reduce(bag, f"sum-{tokenize(bag, split_every)}", builtins.sum, builtins.sum,
                       builtins.sum, split_every)


def any(bag, split_every=None):  # noqa: A001 - the name users know
    """Whether any element is true."""
    return tree_reduce(bag, f"any-{tokenize(bag, split_every)}", builtins.any, builtins.any,
                       builtins.any, split_every)


def all(bag, split_every=None):  # noqa: A001 - the name users know
    """Whether all elements are true."""
    return tree_reduce(bag, f"all-{tokenize(bag, split_every)}", builtins.all, builtins.all,
                       builtins.all, split_every)


# -- moments: (count, mean, sum of squared deviations), merged with Chan's formula ----------------
def _moments(partition):
    n, mean, m2 = 0, 0.0, 0.0
    for x in partition:  # Welford: stable for large values, one pass over a lazy partition
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
    return n, mean, m2


def _merge_moments(results):
    n, mean, m2 = 0, 0.0, 0.0
    for nb, mb, m2b in results:
        if nb == 0:
            continue
        total = n + nb
        delta = mb - mean
        mean += delta * nb / total
        m2 += m2b + delta * delta * n * nb / total
        n = total
    return n, mean, m2


def _final_mean(results):
    n, mean, _ = _merge_moments(results)
    if n == 0:
        raise ValueError("mean of an empty bag")
    return mean


def _final_var(ddof, results):
    n, _, m2 = _merge_moments(results)
    if n - ddof <= 0:
        raise ValueError(f"variance of a bag of {n} elements with ddof={ddof}")
    return m2 / (n - ddof)


def mean(bag):
    """The arithmetic mean of the elements."""
    return tree_reduce(bag, f"mean-{tokenize(bag)}", _moments, _merge_moments, _final_mean)


def var(bag, ddof=0):
    """The variance of the elements (``ddof=1`` for the sample variance)."""
    return tree_reduce(bag, f"var-{tokenize(bag, ddof)}", _moments, _merge_moments,
                       partial(_final_var, ddof))


def std(bag, ddof=0):
    """The standard deviation of the elements."""
    return var(bag, ddof).apply(math.sqrt)


# -- reductions whose answer is a (small) bag ----------------------------------------------------
def _counts(partition) -> dict:
    return Counter(partition)


def _add_counts(results) -> dict:
    total = Counter()
    for r in results:
        total.update(r)
    return total


def _counts_list(sort, results) -> list:
    total = _add_counts(results)
    if sort:
        return total.most_common()
    return list(total.items())


def frequencies(bag, split_every=None, sort=False):
    """``(element, count)`` pairs, most frequent first with ``sort=True``."""
    name = f"frequencies-{tokenize(bag, split_every, sort)}"
    return tree_reduce(bag, name, _counts, _add_counts, partial(_counts_list, sort), split_every,
                       out_bag=True)


def _key_function(key):
    """A callable key from a function, or from an index/key to look up in each element."""
    if key is None or callable(key):
        return key
    return operator.itemgetter(key)


def _largest(k, key, partition) -> list:
    return heapq.nlargest(k, partition, key=key)


def _largest_of(k, key, results) -> list:
    return heapq.nlargest(k, (x for r in results for x in r), key=key)


def topk(bag, k, key=None, split_every=None):
    """The ``k`` largest elements by ``key`` (a function or an index), largest first."""
    key = _key_function(key)
    name = f"topk-{tokenize(bag, k, key, split_every)}"
    return tree_reduce(bag, name, partial(_largest, k, key), partial(_largest_of, k, key),
                       partial(_largest_of, k, key), split_every, out_bag=True)


def _first_by_key(key, partition) -> dict:
    if key is None:
        return dict.fromkeys(partition)
    out: dict = {}
    for x in partition:
        out.setdefault(key(x), x)
    return out


def _merge_first(results) -> dict:
    out: dict = {}
    for r in results:
        for k, v in r.items():
            out.setdefault(k, v)
    return out


def _distinct_list(keyed, results) -> list:
    merged = _merge_first(results)
    return list(merged.values()) if keyed else list(merged)


def distinct(bag, key=None):
    """One element per distinct value, or per distinct ``key(x)``."""
    key = _key_function(key)
    name = f"distinct-{tokenize(bag, key)}"
    return tree_reduce(bag, name, partial(_first_by_key, key), _merge_first,
                       partial(_distinct_list, key is not None), out_bag=True)


def _fold_groups(key, binop, initial, partition) -> dict:
    if initial is no_default:
        return reduceby(key, binop, partition)
    return reduceby(key, binop, partition, initial)


def _combine_groups(combine, combine_initial, results) -> dict:
    out: dict = {}
    for r in results:
        for k, v in r.items():
            if k in out:
                out[k] = combine(out[k], v)
            elif combine_initial is no_default:
                out[k] = v
            else:
                start = combine_initial() if callable(combine_initial) else combine_initial
                out[k] = combine(start, v)
    return out


def _groups_list(combine, combine_initial, results) -> list:
    return list(_combine_groups(combine, combine_initial, results).items())


def foldby(bag, key, binop, initial=no_default, combine=None, combine_initial=no_default,
           split_every=None):
    """Fold the elements of each key with ``binop``; see :meth:`Bag.foldby`."""
    key = _key_function(key)
    combine = combine or binop
    name = f"foldby-{funcname(binop)}-{tokenize(bag, key, binop, initial, combine, combine_initial)}"
    # the combine steps of a tree must not re-apply combine_initial to already-combined values
    return tree_reduce(bag, name, partial(_fold_groups, key, binop, initial),
                       partial(_combine_groups, combine, no_default),
                       partial(_groups_list, combine, combine_initial), split_every, out_bag=True)
