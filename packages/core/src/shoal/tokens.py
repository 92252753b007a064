"""Deterministic tokens: the same inputs give the same hash in every process on every machine.

``tokenize(*args, **kwargs)`` normalises its arguments into nested tuples of plain values (with NumPy
and pandas data reduced to hashes of their buffers, registered lazily so shoal never imports them itself)
and hashes the result. Objects that cannot be normalised deterministically get a random token, so two of
them never collide; set ``tokenize.ensure-deterministic`` to raise instead.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import pathlib
import types
import uuid

import xxhash

from shoal.utils import Dispatch

normalize_token = Dispatch("normalize_token")


class TokenizationError(RuntimeError):
    """An object could not be tokenized deterministically (with ``ensure_deterministic=True``)."""


_state = __import__("threading").local()


def _hash(text: str) -> str:
    return xxhash.xxh3_128_hexdigest(text.encode())


def hash_buffer(data) -> str:
    """A hex digest of a buffer's bytes (xxh3: about 10 GB/s, so large arrays tokenize quickly)."""
    return xxhash.xxh3_128_hexdigest(data)


def tokenize(*args, ensure_deterministic: bool | None = None, **kwargs) -> str:
    """A 32-character hex token of the arguments, stable across processes and machines."""
    if ensure_deterministic is None:
        from shoal import config

        ensure_deterministic = config.get("tokenize.ensure-deterministic", False)
    previous = getattr(_state, "ensure", None)
    _state.ensure = ensure_deterministic
    _state.seen = {} if previous is None else _state.seen
    try:
        normal = _normalize_seq((args, sorted(kwargs.items())) if kwargs else args)
    finally:
        _state.ensure = previous
        if previous is None:
            _state.seen = {}
    return _hash(str(normal))


def _nondeterministic(obj, why: str):
    if getattr(_state, "ensure", False):
        raise TokenizationError(
            f"cannot tokenize {type(obj).__module__}.{type(obj).__qualname__} deterministically: {why}. "
            "Give the class a __shoal_tokenize__ method, or pass a name/key explicitly."
        )
    return ("random", uuid.uuid4().hex)


def normalize(obj):
    """The normal form of ``obj`` (what :func:`tokenize` hashes)."""
    t = type(obj)
    if t in _PRIMITIVES:
        return obj
    if t is dict:
        return _normalize_dict(obj)
    if t is list or t is tuple:
        return _normalize_seq(obj)
    method = getattr(obj, "__shoal_tokenize__", None)
    if method is not None and not isinstance(obj, type):
        return (t.__qualname__, normalize(method()))
    return normalize_token(obj)


def _normalize_seq(seq):
    seen = _state.seen
    ident = id(seq)
    if ident in seen:
        return ("cycle", seen[ident])
    name = type(seq).__name__
    if all(type(x) in _PRIMITIVES for x in seq):  # plain data: nothing to normalise
        return (name, list(seq))
    seen[ident] = len(seen)
    try:
        return (name, [normalize(x) for x in seq])
    finally:
        del seen[ident]


_PRIMITIVES = {int, str, bytes, bool, type(None), float, complex, type(Ellipsis), slice, range}


@normalize_token.register(object)
def _normalize_object(obj):
    if isinstance(obj, type):
        return ("type", obj.__module__, obj.__qualname__)
    if dataclasses.is_dataclass(obj):
        return (
            "dataclass",
            normalize(type(obj)),
            [(f.name, normalize(getattr(obj, f.name, None))) for f in dataclasses.fields(obj)],
        )
    return _normalize_by_reduce(obj)


def _normalize_by_reduce(obj):
    seen = _state.seen
    ident = id(obj)
    if ident in seen:
        return ("cycle", seen[ident])
    try:
        reduced = obj.__reduce_ex__(4)
    except Exception as e:
        return _nondeterministic(obj, f"it cannot be pickled ({e})")
    if isinstance(reduced, str) or type(obj).__reduce_ex__ is object.__reduce_ex__ and _bare_object(obj):
        return _nondeterministic(obj, "it has no state to hash")
    seen[ident] = len(seen)
    try:
        return ("reduce", normalize(type(obj)), _normalize_seq(reduced))
    finally:
        del seen[ident]


def _bare_object(obj) -> bool:
    """An instance of a plain class with no ``__dict__`` content and no slots: nothing identifies it."""
    return not getattr(obj, "__dict__", None) and not getattr(type(obj), "__slots__", None)


@normalize_token.register((tuple, list))
def _normalize_sequence(seq):
    return _normalize_seq(seq)


@normalize_token.register(dict)
def _normalize_dict(d):
    try:
        keys = sorted(d)  # keys of one comparable type (the usual case) sort cheaply
    except TypeError:
        items = [(normalize(k), normalize(v)) for k, v in d.items()]
        return ("dict", sorted(items, key=str))
    return ("dict", [(normalize(k), normalize(d[k])) for k in keys])


@normalize_token.register((set, frozenset))
def _normalize_set(s):
    return (type(s).__name__, sorted((normalize(x) for x in s), key=str))


@normalize_token.register((datetime.date, datetime.time, datetime.timedelta, decimal.Decimal,
                           pathlib.PurePath, uuid.UUID))
def _normalize_by_repr(x):
    return (type(x).__name__, repr(x))


@normalize_token.register(enum.Enum)
def _normalize_enum(e):
    return ("enum", normalize(type(e)), e.name)


@normalize_token.register(functools.partial)
def _normalize_partial(p):
    return ("partial", normalize(p.func), _normalize_seq(p.args), _normalize_dict(p.keywords or {}))


@normalize_token.register((types.BuiltinFunctionType, types.BuiltinMethodType))
def _normalize_builtin(f):
    self = getattr(f, "__self__", None)
    if self is not None and not isinstance(self, types.ModuleType):
        return ("builtin-method", f.__name__, normalize(self))
    return ("builtin", getattr(f, "__module__", None), f.__qualname__)


@normalize_token.register(types.MethodType)
def _normalize_method(m):
    return ("method", m.__name__, normalize(m.__self__), normalize(m.__func__))


@normalize_token.register(types.FunctionType)
def _normalize_function(f):
    seen = _state.seen
    if id(f) in seen:  # a function that reaches itself through its closure (recursion)
        return ("cycle", seen[id(f)])
    seen[id(f)] = len(seen)
    try:
        closure = [c.cell_contents for c in f.__closure__ or () if _cell_filled(c)]
        return (
            "function",
            f.__module__,
            f.__qualname__,
            _normalize_code(f.__code__),
            normalize(f.__defaults__),
            normalize(f.__kwdefaults__),
            _normalize_seq(closure),
        )
    finally:
        del seen[id(f)]


def _cell_filled(cell) -> bool:
    try:
        _ = cell.cell_contents
    except ValueError:
        return False
    return True


def _normalize_code(code):
    consts = [_normalize_code(c) if isinstance(c, types.CodeType) else normalize(c) for c in code.co_consts]
    return (code.co_code.hex(), consts, code.co_names)


@normalize_token.register(types.ModuleType)
def _normalize_module(m):
    return ("module", m.__name__)


@normalize_token.register_lazy("numpy")
def _register_numpy():
    import numpy as np

    @normalize_token.register(np.ndarray)
    def _normalize_ndarray(x):
        if x.dtype.hasobject:
            return ("ndarray-object", x.shape, normalize(x.ravel().tolist()))
        data = x if x.flags.c_contiguous else np.ascontiguousarray(x)
        digest = hash_buffer(data.reshape(-1).view(np.uint8) if data.size else b"")
        return ("ndarray", type(x).__name__, str(x.dtype), x.shape, digest)

    @normalize_token.register(np.dtype)
    def _normalize_dtype(d):
        return ("dtype", str(d))

    @normalize_token.register(np.generic)
    def _normalize_scalar(s):
        return ("numpy-scalar", str(s.dtype), repr(s.item()) if s.dtype.kind != "O" else normalize(s.item()))

    @normalize_token.register(np.ufunc)
    def _normalize_ufunc(u):
        return ("ufunc", u.__name__)

    @normalize_token.register(np.random.RandomState)
    def _normalize_random_state(rs):
        return ("RandomState", normalize(rs.get_state()))

    @normalize_token.register(np.random.Generator)
    def _normalize_generator(g):
        return ("Generator", normalize(g.bit_generator.state))


@normalize_token.register_lazy("pandas")
def _register_pandas():
    import numpy as np
    import pandas as pd

    def column_digest(values) -> str:
        if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
            # plain numeric data: hash the buffer itself (fast), with its dtype
            return values.dtype.str + hash_buffer(np.ascontiguousarray(values).view(np.uint8).reshape(-1))
        numpy_values = getattr(values, "_ndarray", None)  # NumPy-backed extension arrays (datetimes, ...)
        if isinstance(numpy_values, np.ndarray) and numpy_values.dtype.kind in "biufcmM":
            return str(values.dtype) + column_digest(numpy_values)
        try:
            if isinstance(values, np.ndarray):
                hashed = pd.util.hash_array(values)
            else:
                hashed = pd.util.hash_pandas_object(pd.Series(values, copy=False), index=False).to_numpy()
        except TypeError:  # unhashable cells (lists, dicts): normalise them one by one
            return str(normalize(list(values)))
        return hash_buffer(hashed)

    def index_token(idx):
        if isinstance(idx, pd.RangeIndex):
            return ("RangeIndex", idx.start, idx.stop, idx.step, normalize(idx.name))
        if isinstance(idx, pd.MultiIndex):
            return ("MultiIndex", [index_token(level) for level in idx.levels],
                    [normalize(c) for c in idx.codes], normalize(list(idx.names)))
        return (type(idx).__name__, str(idx.dtype), normalize(idx.name), column_digest(idx.array))

    @normalize_token.register(pd.Index)
    def _normalize_index(idx):
        return index_token(idx)

    @normalize_token.register(pd.Series)
    def _normalize_series(s):
        return ("Series", normalize(s.name), str(s.dtype), index_token(s.index), column_digest(s.array))

    @normalize_token.register(pd.DataFrame)
    def _normalize_frame(df):
        columns = [
            (normalize(name), str(col.dtype), column_digest(col.array))
            for name, col in df.items()
        ]
        return ("DataFrame", index_token(df.columns), index_token(df.index), columns)

    @normalize_token.register(pd.api.extensions.ExtensionArray)
    def _normalize_extension_array(a):
        return ("ExtensionArray", str(a.dtype), column_digest(a))

    @normalize_token.register(pd.api.extensions.ExtensionDtype)
    def _normalize_extension_dtype(d):
        return ("dtype", str(d), normalize(getattr(d, "categories", None)))

    @normalize_token.register((pd.Timestamp, pd.Timedelta, pd.Period, pd.Interval))
    def _normalize_pandas_scalar(x):
        return (type(x).__name__, repr(x))

    @normalize_token.register(pd.tseries.offsets.BaseOffset)
    def _normalize_offset(o):
        return ("offset", o.freqstr)
