"""Item: one lazy value computed from a bag (a count, a sum, a fold), used like a delayed value.

An Item can be computed, passed as an argument to ``Bag.map``, transformed with ``.apply(func)``,
combined with arithmetic, and its attributes and methods used lazily (``item.keys()`` is an Item too).
"""

from __future__ import annotations

import operator

from shoal.bag import scheduler
from shoal.bag.graph import new_item, value_argument
from shoal.bag.optimize import optimize
from shoal.base import ShoalMethodsMixin, tokenize
from shoal.utils import funcname


class Item(ShoalMethodsMixin):
    """A single lazy value at key ``key`` of graph ``dsk``."""

    def __init__(self, dsk, key):
        self.dask = dsk
        self.key = key
        self.name = key[0] if isinstance(key, tuple) else key

    def __shoal_graph__(self):
        return self.dask

    def __shoal_keys__(self):
        return [self.key]

    def __shoal_tokenize__(self):
        return self.key

    def __shoal_postcompute__(self):
        return _first, ()

    def __shoal_postpersist__(self):
        return _rebuild, (self.key,)

    __shoal_optimize__ = staticmethod(optimize)
    __shoal_scheduler__ = staticmethod(scheduler.get)

    @staticmethod
    def from_delayed(value) -> Item:
        """An Item from a delayed value (or any single-key collection)."""
        arg, _ = value_argument(value, "Item.from_delayed")
        name = f"item-from-delayed-{tokenize(arg)}"
        return new_item(name, (_identity, arg), [value])

    def apply(self, func) -> Item:
        """An Item holding ``func(value)``."""
        return new_item(f"{funcname(func)}-{tokenize(self, func)}", (func, self.key), [self])

    def to_delayed(self, optimize_graph: bool = True):
        """This Item as a shoal Delayed value."""
        from shoal.bag.convert import item_to_delayed

        return item_to_delayed(self, optimize_graph)

    def _combine(self, op, *others) -> Item:
        args, deps = [self.key], [self]
        for other in others:
            arg, collection = value_argument(other, funcname(op))
            args.append(arg)
            if collection is not None:
                deps.append(collection)
        return new_item(f"{funcname(op)}-{tokenize(self, op, *others)}", (op, *args), deps)

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(attr)
        return self._combine(getattr, attr)

    def __call__(self, *args, **kwargs):
        if kwargs:
            return self._combine(_call_with_kwargs, list(args), kwargs)
        return self._combine(_call, *args)

    def __getitem__(self, index):
        return self._combine(operator.getitem, index)

    def __bool__(self):
        raise TypeError(
            f"the truth value of Item {self.key!r} is not known until it is computed; use .compute()"
        )

    def __repr__(self):
        return f"Item<{self.key!r}>"


def _binary(op, reflected=False):
    if reflected:
        return lambda self, other: self._combine(_flip(op), other)
    return lambda self, other: self._combine(op, other)


def _flip(op):
    flipped = _FLIPPED.get(op)
    if flipped is None:
        flipped = _FLIPPED[op] = _Flipped(op)
    return flipped


class _Flipped:
    """``op`` with its two arguments swapped (for ``2 + item``); a class so it pickles and tokenizes."""

    def __init__(self, op):
        self.op = op
        self.__name__ = f"r{funcname(op)}"

    def __call__(self, a, b):
        return self.op(b, a)

    def __reduce__(self):
        return (_Flipped, (self.op,))


_FLIPPED: dict = {}

for _name, _op in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                   ("truediv", operator.truediv), ("floordiv", operator.floordiv),
                   ("mod", operator.mod), ("pow", operator.pow), ("and", operator.and_),
                   ("or", operator.or_), ("xor", operator.xor), ("lshift", operator.lshift),
                   ("rshift", operator.rshift)]:
    setattr(Item, f"__{_name}__", _binary(_op))
    setattr(Item, f"__r{_name}__", _binary(_op, reflected=True))
for _name, _op in [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge)]:
    setattr(Item, f"__{_name}__", _binary(_op))
for _name, _op in [("neg", operator.neg), ("pos", operator.pos), ("abs", operator.abs),
                   ("invert", operator.invert)]:
    setattr(Item, f"__{_name}__", lambda self, op=_op: self._combine(op))


def _first(results):
    return results[0]


def _rebuild(dsk, key):
    return Item(dsk, key)


def _identity(x):
    return x


def _call(func, *args):
    return func(*args)


def _call_with_kwargs(func, args, kwargs):
    return func(*args, **kwargs)
