"""``shoal.delayed``: build task graphs from ordinary Python calls.

``delayed(f)(x, y)`` records a call instead of making it; the result is a :class:`Delayed` that supports
attribute access, method calls, indexing, operators and being passed to other delayed calls, and runs
when computed. ``delayed(obj)`` wraps data. Arguments are searched for other collections (inside lists,
tuples, dicts and sets) so their graphs are merged into the new one.
"""

from __future__ import annotations

import operator
import types
import uuid
from collections.abc import Mapping

from shoal.base import ShoalMethodsMixin, is_shoal_collection, tokenize
from shoal.core import as_literal
from shoal.highlevelgraph import HighLevelGraph
from shoal.utils import apply, funcname

__all__ = ["Delayed", "delayed", "to_task"]


def to_task(x, collections: list):
    """Turn an argument into a task fragment, appending the collections found inside to ``collections``."""
    if isinstance(x, Delayed):
        collections.append(x)
        return x.key
    if is_shoal_collection(x):
        collections.append(x)
        finalize, extra = x.__shoal_postcompute__()
        return (finalize, x.__shoal_keys__(), *[as_literal(e) for e in extra])
    t = type(x)
    if t is list:
        return [to_task(i, collections) for i in x]
    if t in (tuple, set, frozenset):
        return (t, [to_task(i, collections) for i in x])
    if t is dict:
        return (dict, [[to_task(k, collections), to_task(v, collections)] for k, v in x.items()])
    if t is slice:
        return (slice, *[to_task(p, collections) for p in (x.start, x.stop, x.step)])
    return x


def _first(results):
    return results[0]


def _merged_graph(name: str, layer: dict, collections: list) -> HighLevelGraph:
    return HighLevelGraph.from_collections(name, layer, dependencies=_unique(collections))


def _unique(collections: list) -> list:
    seen, out = set(), []
    for c in collections:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


def delayed(obj=None, name: str | None = None, pure: bool | None = None, nout: int | None = None,
            traverse: bool = True):
    """Wrap a function (call it later to record a task) or a value (data in the graph).

    ``pure=True`` names the result by a hash of the function and its arguments, so equal calls share
    one task; otherwise every call is a new task. ``nout=n`` lets the result be unpacked into ``n``
    delayed values. ``name`` sets the key. Usable as ``@delayed`` or ``@delayed(pure=True)``.
    """
    if obj is None:
        return lambda f: delayed(f, name=name, pure=pure, nout=nout, traverse=traverse)
    if isinstance(obj, Delayed):
        return obj
    collections: list = []
    task = to_task(obj, collections) if traverse else obj
    if not collections and callable(obj):
        return DelayedFunction(obj, name=name, pure=pure, nout=nout)
    if name is not None:
        key = name
    else:
        token = uuid.uuid4().hex if pure is False else tokenize(obj, nout)
        key = f"{type(obj).__name__.lower()}-{token}"
    if not collections:
        task = as_literal(obj)  # data, not a task or a key
    return Delayed(key, _merged_graph(key, {key: task}, collections), length=nout)


def _pure_default() -> bool:
    from shoal import config

    return config.get("delayed-pure", False)


class Delayed(ShoalMethodsMixin):
    """A lazy value: the result of a recorded call, an attribute, an item or an operation."""

    __slots__ = ("_key", "_graph", "_length")

    def __init__(self, key, graph: Mapping, length: int | None = None):
        self._key = key
        self._graph = graph
        self._length = length

    @property
    def key(self):
        return self._key

    @property
    def dask(self) -> Mapping:
        return self._graph

    # -- the collection protocol ------------------------------------------------------------------
    def __shoal_graph__(self):
        return self._graph

    def __shoal_keys__(self):
        return [self._key]

    def __shoal_postcompute__(self):
        return _first, ()

    def __shoal_postpersist__(self):
        return _rebuild, (self._key, self._length)

    def __shoal_tokenize__(self):
        return self._key

    def __shoal_layers__(self):
        return self._graph.layers if isinstance(self._graph, HighLevelGraph) else {self._key: self._graph}

    # -- building more -----------------------------------------------------------------------------
    def __repr__(self):
        return f"Delayed({self._key!r})"

    def __hash__(self):
        return hash(self._key)

    def __dir__(self):
        return list(object.__dir__(self))

    def __getattr__(self, attr):
        if attr.startswith("_"):
            raise AttributeError(f"'Delayed' object has no attribute {attr!r}")
        return DelayedAttr(self, attr)

    def __setattr__(self, attr, value):
        if isinstance(getattr(type(self), attr, None), types.MemberDescriptorType):  # own slots
            object.__setattr__(self, attr, value)
        else:
            raise TypeError("Delayed objects are immutable: set attributes inside a delayed function")

    def __setitem__(self, index, value):
        raise TypeError("Delayed objects are immutable: set items inside a delayed function")

    def __iter__(self):
        if self._length is None:
            raise TypeError("a Delayed of unknown length cannot be iterated; pass nout= to delayed")
        return iter(self[i] for i in range(self._length))

    def __len__(self):
        if self._length is None:
            raise TypeError("a Delayed of unknown length has no len(); pass nout= to delayed")
        return self._length

    def __bool__(self):
        raise TypeError("the truth of a Delayed is not known until it is computed; compute it first")

    def __call__(self, *args, pure=None, dask_key_name=None, **kwargs):
        return call_function(apply, self, args, kwargs, pure=pure, key_name=dask_key_name,
                             prefix=f"call-{_name_of(self)}")

    def __getitem__(self, index):
        return call_function(operator.getitem, self, (index,), {}, pure=True, prefix="getitem")

    def __array__(self, *args, **kwargs):
        raise TypeError("a Delayed cannot be turned into an array before it is computed; compute it first")


def _rebuild(dsk, key, length):
    return Delayed(key, dsk, length)


def _name_of(d: Delayed) -> str:
    k = d.key
    return (k[0] if isinstance(k, tuple) else k).split("-")[0]


class DelayedAttr(Delayed):
    """``value.attr`` of a Delayed; calling it records a method call."""

    __slots__ = ("_obj", "_attr")

    def __init__(self, obj: Delayed, attr: str):
        key = f"{attr}-{tokenize(obj.key, attr, pure=True)}"
        graph = _merged_graph(key, {key: (getattr, obj.key, attr)}, [obj])
        super().__init__(key, graph)
        self._obj = obj
        self._attr = attr

    def __call__(self, *args, pure=None, dask_key_name=None, **kwargs):
        return call_function(_call_method, self._obj, (self._attr, *args), kwargs, pure=pure,
                             key_name=dask_key_name, prefix=self._attr)


def _call_method(obj, name, *args, **kwargs):
    return getattr(obj, name)(*args, **kwargs)


class DelayedFunction(Delayed):
    """A function wrapped by :func:`delayed`: calling it records a task."""

    __slots__ = ("_func", "_pure", "_nout", "_name")

    def __init__(self, func, name=None, pure=None, nout=None):
        key = name or f"{funcname(func)}-{_function_token(func, nout)}"
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_graph", HighLevelGraph({key: {key: func}}, {key: set()}))
        object.__setattr__(self, "_length", None)
        self._func = func
        self._pure = pure
        self._nout = nout
        self._name = name

    def __call__(self, *args, pure=None, dask_key_name=None, **kwargs):
        pure = self._pure if pure is None else pure
        return call_function(self._func, None, args, kwargs, pure=pure, key_name=dask_key_name,
                             prefix=self._name or funcname(self._func), nout=self._nout)

    def __repr__(self):
        return f"Delayed({funcname(self._func)})"


_FUNCTION_TOKENS: dict = {}


def _function_token(func, nout) -> str:
    """The token of a plain function, remembered: ``delayed(f)(x)`` in a loop wraps ``f`` every time.
    Functions with a closure or defaults are not kept, so the cache never holds on to user data."""
    plain = isinstance(func, types.BuiltinFunctionType) or (
        isinstance(func, types.FunctionType) and func.__closure__ is None and func.__defaults__ is None)
    if not plain:
        return tokenize(func, nout, pure=True)
    token = _FUNCTION_TOKENS.get((func, nout))
    if token is None:
        if len(_FUNCTION_TOKENS) >= 1000:
            _FUNCTION_TOKENS.clear()
        token = _FUNCTION_TOKENS[func, nout] = tokenize(func, nout, pure=True)
    return token


def call_function(func, first, args, kwargs, pure=None, key_name=None, prefix=None, nout=None) -> Delayed:
    """Record ``func(first, *args, **kwargs)`` (``first`` omitted when None) as one task."""
    if pure is None:
        pure = _pure_default()
    collections: list = []
    all_args = args if first is None else (first, *args)
    task_args = [to_task(a, collections) for a in all_args]
    if func is apply:  # calling a delayed object: the callable itself is the first argument
        callee, rest = task_args[0], task_args[1:]
        task_kwargs = to_task(kwargs, collections) if kwargs else None
        task = (apply, callee, rest, task_kwargs) if task_kwargs else (apply, callee, rest)
    elif kwargs:
        task = (apply, func, task_args, to_task(kwargs, collections))
    else:
        task = (func, *task_args)
    prefix = prefix or funcname(func)
    if key_name is not None:
        key = key_name
    elif pure:
        key = f"{prefix}-{tokenize(func, all_args, kwargs, pure=True)}"
    else:
        key = f"{prefix}-{uuid.uuid4().hex}"
    return Delayed(key, _merged_graph(key if isinstance(key, str) else key[0], {key: task}, collections),
                   length=nout)


def _unary(op):
    def method(self):
        return call_function(op, self, (), {}, pure=True, prefix=op.__name__)

    return method


def _binary(op, reflected=False):
    if reflected:
        def method(self, other):
            return call_function(op, other, (self,), {}, pure=True, prefix=op.__name__)
    else:
        def method(self, other):
            return call_function(op, self, (other,), {}, pure=True, prefix=op.__name__)
    return method


for _op in (operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
            operator.pow, operator.matmul, operator.and_, operator.or_, operator.xor, operator.lshift,
            operator.rshift, divmod):
    _name = _op.__name__.strip("_")
    setattr(Delayed, f"__{_name}__", _binary(_op))
    setattr(Delayed, f"__r{_name}__", _binary(_op, reflected=True))
for _op in (operator.lt, operator.le, operator.gt, operator.ge):
    setattr(Delayed, f"__{_op.__name__}__", _binary(_op))
for _op in (operator.neg, operator.pos, operator.invert, abs):
    setattr(Delayed, f"__{_op.__name__.strip('_')}__", _unary(_op))
