"""What runs inside one task: functions from a partition (a list or a lazy iterator) to a partition.

Element-wise steps return generators, so a fused chain ``read -> map -> filter -> count`` pulls one
element at a time through every step and a partition never has to sit in memory whole. Only the value a
task hands to another task (or back to the user) is materialised, by :func:`reify`.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice

from shoal.bag.errors import Where, add_where
from shoal.bag.fastpaths import fast_equivalent


class _NoDefault:
    """The "no value given" marker for optional arguments that may legitimately be None. It pickles
    by reference, so ``x is no_default`` still holds in worker processes."""

    __slots__ = ()

    def __reduce__(self):
        return "no_default"

    def __shoal_tokenize__(self):
        return "no_default"

    def __repr__(self):
        return "no_default"


no_default = _NoDefault()


def reify(partition):
    """A partition as a concrete value: lazy iterators become lists, everything else is kept."""
    if isinstance(partition, Iterator):
        return list(partition)
    return partition


def reified(task):
    """``task`` wrapped so its result is concrete: every task of a bag graph is stored this way, so
    the graph is correct under any optimiser or scheduler (the bag optimiser unwraps fused inner
    steps again, see :mod:`shoal.bag.optimize`)."""
    if type(task) is tuple and task and callable(task[0]) and task[0] is not reify:
        return (reify, task)
    return task


def as_list(partition) -> list:
    """A partition as a list, for user functions that may take ``len`` of it or index it."""
    return partition if type(partition) is list else list(partition)


def map_elements(func, partition, where: Where):
    """``func(x)`` for every element, naming the element (file and line when known) if it fails."""
    call = fast_equivalent(func)
    for index, x in enumerate(partition):
        try:
            y = call(x)
        except Exception as e:
            add_where(e, func, where.describe(index))
            raise
        yield y


def starmap_elements(func, partition, kwargs: dict, where: Where):
    """``func(*x, **kwargs)`` for every element ``x``."""
    for index, x in enumerate(partition):
        try:
            y = func(*x, **kwargs)
        except Exception as e:
            add_where(e, func, where.describe(index))
            raise
        yield y


def map_with_arguments(func, where: Where, args: list, arg_is_bag: tuple, kw_names: tuple,
                       kw_values: list, kw_is_bag: tuple):
    """``func(*args, **kwargs)`` element by element, where some arguments are partitions of other bags
    (zipped element-wise) and the rest are plain values passed to every call."""
    slots = [i for i, is_bag in enumerate(arg_is_bag) if is_bag]
    kw_slots = [name for name, is_bag in zip(kw_names, kw_is_bag) if is_bag]
    fixed_kwargs = {n: v for n, v, is_bag in zip(kw_names, kw_values, kw_is_bag) if not is_bag}
    kw_partitions = [v for v, is_bag in zip(kw_values, kw_is_bag) if is_bag]
    call_args = list(args)
    iterables = [args[i] for i in slots] + kw_partitions
    try:
        for index, values in enumerate(zip(*iterables, strict=True)):
            for slot, value in zip(slots, values):
                call_args[slot] = value
            kwargs = dict(fixed_kwargs)
            kwargs.update(zip(kw_slots, values[len(slots):]))
            try:
                y = func(*call_args, **kwargs)
            except Exception as e:
                add_where(e, func, where.describe(index))
                raise
            yield y
    except ValueError as e:
        if "zip()" in str(e):
            raise ValueError(
                f"map over several bags: the partitions zipped together in {where.label} have "
                f"different lengths ({e}); bags mapped together must be partitioned alike"
            ) from None
        raise


def filter_elements(predicate, partition, where: Where, keep: bool = True):
    """The elements for which ``bool(predicate(x)) == keep`` (``keep=False`` is ``remove``)."""
    for index, x in enumerate(partition):
        try:
            ok = predicate(x)
        except Exception as e:
            add_where(e, predicate, where.describe(index))
            raise
        if bool(ok) is keep:
            yield x


def pluck_elements(key, default, partition, where: Where):
    """``x[key]`` for each element; ``key`` may be a list, giving a tuple ``(x[k0], x[k1], ...)``."""
    if default is no_default and not isinstance(key, list):  # the common case, kept tight
        for index, x in enumerate(partition):
            try:
                y = x[key]
            except (KeyError, IndexError, TypeError) as e:
                add_where(e, f"pluck({key!r})", where.describe(index))
                raise
            yield y
        return
    keys = key if isinstance(key, list) else None
    for index, x in enumerate(partition):
        try:
            if keys is None:
                y = _get(x, key, default)
            else:
                y = tuple(_get(x, k, default) for k in keys)
        except (KeyError, IndexError, TypeError) as e:
            add_where(e, f"pluck({key!r})", where.describe(index))
            raise
        yield y


def _get(x, key, default):
    if default is no_default:
        return x[key]
    try:
        return x[key]
    except (KeyError, IndexError):
        return default


def flatten_partition(partition):
    """One level of nesting removed: ``[[1, 2], [3]] -> 1, 2, 3``."""
    return chain.from_iterable(partition)


def take_partition(k: int, partition) -> list:
    """The first ``k`` elements, without computing the rest of a lazy partition."""
    return list(islice(partition, k))


def call_on_partitions(func, where: Where, args: list, arg_is_bag: tuple, kw_names: tuple,
                       kw_values: list, kw_is_bag: tuple):
    """``func(partition, *args, **kwargs)`` where bag arguments arrive as whole partitions (lists)."""
    call_args = [as_list(a) if is_bag else a for a, is_bag in zip(args, arg_is_bag)]
    kwargs = {n: as_list(v) if is_bag else v for n, v, is_bag in zip(kw_names, kw_values, kw_is_bag)}
    try:
        return func(*call_args, **kwargs)
    except Exception as e:
        add_where(e, func, where.label)
        raise
