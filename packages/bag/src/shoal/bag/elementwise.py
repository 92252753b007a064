"""Operations that work partition by partition with no communication: map, starmap, filter, pluck,
flatten, map_partitions. Each adds one layer with one task per partition; the optimiser later fuses
these layers into a single task per partition."""

from __future__ import annotations

from shoal.bag.errors import Where
from shoal.bag.graph import bag_flags, fill, is_bag, new_bag, split_arguments
from shoal.bag.partition import (
    call_on_partitions,
    filter_elements,
    flatten_partition,
    map_elements,
    map_with_arguments,
    no_default,
    pluck_elements,
    starmap_elements,
)
from shoal.base import tokenize
from shoal.core import quote
from shoal.utils import funcname


def where(bag, name: str, i: int) -> Where:
    """The error location of partition ``i`` of the new bag ``name`` built from ``bag``."""
    label = f"partition {i} of {name}"
    origin = bag.origins[i] if bag.origins is not None else None
    if origin is None:
        return Where(label)
    return Where(label, *origin)


def _first_bag(args, kwargs, what):
    for x in list(args) + list(kwargs.values()):
        if is_bag(x):
            return x
    raise TypeError(f"{what}: at least one argument must be a Bag")


def map(func, *args, **kwargs):  # noqa: A001 - the name users know
    """``func`` applied element-wise; see :meth:`Bag.map`. Any of the arguments may be bags."""
    bag = _first_bag(args, kwargs, "map")
    name = f"map-{funcname(func)}-{tokenize(func, args, kwargs)}"
    if len(args) == 1 and not kwargs:
        layer = {(name, i): (map_elements, func, (bag.name, i), where(bag, name, i))
                 for i in range(bag.npartitions)}
        return new_bag(name, layer, [bag], bag.npartitions, bag.origins)
    deps, template, kw_names, kw_template = split_arguments(bag, args, kwargs, "map")
    flags, kw_flags = bag_flags(template), bag_flags(kw_template)
    layer = {(name, i): (map_with_arguments, func, where(bag, name, i), fill(template, i), flags,
                         kw_names, fill(kw_template, i), kw_flags)
             for i in range(bag.npartitions)}
    return new_bag(name, layer, deps, bag.npartitions, bag.origins)


def starmap(func, bag, **kwargs):
    """``func(*x, **kwargs)`` element-wise; keyword values may be Items or delayed values."""
    name = f"starmap-{funcname(func)}-{tokenize(func, bag, kwargs)}"
    deps, _, kw_names, kw_template = split_arguments(bag, (), kwargs, "starmap")
    if any(kind == "bag" for kind, _ in kw_template):
        raise TypeError("starmap: keyword arguments may be Items, delayed or plain values, not bags")
    layer = {(name, i): (starmap_elements, func, (bag.name, i), (_as_kwargs, kw_names,
                                                                   fill(kw_template, i)),
                         where(bag, name, i))
             for i in range(bag.npartitions)}
    return new_bag(name, layer, [bag, *deps], bag.npartitions, bag.origins)


def _as_kwargs(names, values):
    return dict(zip(names, values))


def filter(bag, predicate, keep: bool = True):  # noqa: A001 - the name users know
    """The elements where ``bool(predicate(x)) == keep``."""
    op = "filter" if keep else "remove"
    name = f"{op}-{funcname(predicate)}-{tokenize(bag, predicate, keep)}"
    layer = {(name, i): (filter_elements, predicate, (bag.name, i), where(bag, name, i), keep)
             for i in range(bag.npartitions)}
    return new_bag(name, layer, [bag], bag.npartitions)


def pluck(bag, key, default=no_default):
    """``x[key]`` element-wise (a list of keys gives tuples); ``default`` for missing keys."""
    name = f"pluck-{tokenize(bag, key, default if default is not no_default else None)}"
    key_arg = quote(key)  # a list or tuple key must not be read as graph keys
    layer = {(name, i): (pluck_elements, key_arg, default, (bag.name, i), where(bag, name, i))
             for i in range(bag.npartitions)}
    return new_bag(name, layer, [bag], bag.npartitions, bag.origins)


def flatten(bag):
    """One level of nesting removed."""
    name = f"flatten-{tokenize(bag)}"
    layer = {(name, i): (flatten_partition, (bag.name, i)) for i in range(bag.npartitions)}
    return new_bag(name, layer, [bag], bag.npartitions)


def map_partitions(func, *args, **kwargs):
    """``func(partition, *args, **kwargs)`` per partition; see :meth:`Bag.map_partitions`."""
    bag = _first_bag(args, kwargs, "map_partitions")
    name = f"map-partitions-{funcname(func)}-{tokenize(func, args, kwargs)}"
    deps, template, kw_names, kw_template = split_arguments(bag, args, kwargs, "map_partitions")
    flags, kw_flags = bag_flags(template), bag_flags(kw_template)
    layer = {(name, i): (call_on_partitions, func, Where(f"partition {i} of {name}"),
                         fill(template, i), flags, kw_names, fill(kw_template, i), kw_flags)
             for i in range(bag.npartitions)}
    return new_bag(name, layer, deps, bag.npartitions)
