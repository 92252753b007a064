"""Building blocks shared by every bag operation: make a Bag or Item from a new graph layer, and turn
the extra arguments of ``map``-like calls (other bags, Items, delayed values, plain values) into task
arguments."""

from __future__ import annotations

from shoal.bag.partition import reified
from shoal.core import flatten, quote
from shoal.highlevelgraph import HighLevelGraph


def new_bag(name: str, layer: dict, dependencies, npartitions: int, origins=None):
    """A Bag whose partitions are ``layer[(name, i)]``, on top of the graphs of ``dependencies``."""
    from shoal.bag.bag import Bag  # bag.py imports the operation modules that call this helper

    layer = {k: reified(v) for k, v in layer.items()}
    graph = HighLevelGraph.from_collections(name, layer, dependencies=list(dependencies))
    return Bag(graph, name, npartitions, origins=origins)


def new_item(name: str, task, dependencies, layer=None):
    """An Item whose value is ``task``, stored at key ``(name, 0)`` (in ``layer`` with helper tasks)."""
    from shoal.bag.item import Item

    layer = dict(layer or {})
    layer[(name, 0)] = task
    graph = HighLevelGraph.from_collections(name, layer, dependencies=list(dependencies))
    return Item(graph, (name, 0))


def is_bag(x) -> bool:
    from shoal.bag.bag import Bag

    return isinstance(x, Bag)


def single_key(x, what: str):
    """The one key of a single-valued collection (Item, Delayed, a distributed Future...)."""
    keys = list(flatten(x.__shoal_keys__()))
    if len(keys) != 1:
        raise TypeError(
            f"{what}: got a {type(x).__name__} with {len(keys)} keys; pass a Bag, an Item, a delayed "
            "value or a plain value"
        )
    return keys[0]


def is_collection(x) -> bool:
    return hasattr(x, "__shoal_graph__") and hasattr(x, "__shoal_keys__") and not isinstance(x, type)


def value_argument(x, what: str):
    """``(task argument, collection or None)`` for a non-bag argument: a key for a single-valued
    collection, a quoted literal otherwise (so lists and tuples are never mistaken for tasks or keys)."""
    if is_collection(x):
        return single_key(x, what), x
    return quote(x), None


def split_arguments(bag, args, kwargs, what: str):
    """Sort the extra arguments of a ``map``-like call.

    ``bag`` is the first bag among the arguments. Returns ``(dependencies, arg_template, kw_names,
    kw_template)`` where a template entry is ``("bag", Bag)`` for a bag argument (its partition key
    is filled in per partition) or ``("value", task_argument)``.
    """
    deps: list = []
    arg_template = [_template(x, deps, bag, what) for x in args]
    kw_names = tuple(kwargs)
    kw_template = [_template(kwargs[name], deps, bag, what) for name in kw_names]
    return deps, arg_template, kw_names, kw_template


def _template(x, deps, first, what):
    if is_bag(x):
        if x.npartitions != first.npartitions:
            raise ValueError(
                f"{what}: bag {x.name} has {x.npartitions} partitions but bag {first.name} has "
                f"{first.npartitions}; bags combined element-wise need the same number of partitions "
                "(use .repartition(n) first)"
            )
        deps.append(x)
        return ("bag", x)
    arg, collection = value_argument(x, what)
    if collection is not None:
        deps.append(collection)
    return ("value", arg)


def fill(template, i: int):
    """Task arguments for partition ``i`` from a template made by :func:`split_arguments`."""
    return [(x.name, i) if kind == "bag" else x for kind, x in template]


def bag_flags(template) -> tuple:
    return tuple(kind == "bag" for kind, _ in template)
