"""Small helpers shared by every shoal package: byte sizes, names, type dispatch, ``apply``."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Mapping


def apply(func, args, kwargs=None):
    """Call ``func(*args, **kwargs)``: the way a task passes keyword arguments."""
    if kwargs:
        return func(*args, **kwargs)
    return func(*args)


def funcname(func) -> str:
    """A short human name for a callable (used in key names and reports)."""
    while isinstance(func, functools.partial):
        func = func.func
    name = getattr(func, "__name__", None)
    if name is None:
        name = type(func).__name__
    if name == "<lambda>":
        return "lambda"
    return name


_byte_units = {
    "": 1, "b": 1,
    "k": 10**3, "kb": 10**3, "kib": 2**10,
    "m": 10**6, "mb": 10**6, "mib": 2**20,
    "g": 10**9, "gb": 10**9, "gib": 2**30,
    "t": 10**12, "tb": 10**12, "tib": 2**40,
    "p": 10**15, "pb": 10**15, "pib": 2**50,
}


def parse_bytes(s) -> int:
    """``'128 MiB' -> 134217728``; ints pass through."""
    if isinstance(s, (int, float)) and not isinstance(s, bool):
        return int(s)
    m = re.fullmatch(r"\s*([0-9.eE+-]*)\s*([a-zA-Z]*)\s*", str(s))
    unit = m.group(2).lower() if m else None
    if not m or unit not in _byte_units:
        raise ValueError(f"could not read {s!r} as a number of bytes (try '100 MB' or '2GiB')")
    number = float(m.group(1)) if m.group(1) else 1.0
    return int(number * _byte_units[unit])


def format_bytes(n: float) -> str:
    """``134217728 -> '128.00 MiB'``."""
    for prefix, k in (("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("ki", 2**10)):
        if n >= k * 0.9:
            return f"{n / k:.2f} {prefix}B"
    return f"{int(n)} B"


def format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hr"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.2f} us"


_hex_suffix = re.compile(r"^[0-9a-f]{8,}$")


def key_split(key) -> str:
    """The task prefix of a key: ``('sum-aggregate-3f2a...', 1) -> 'sum-aggregate'``."""
    if type(key) is tuple:
        key = key[0] if key else ""
    if isinstance(key, bytes):
        key = key.decode()
    if not isinstance(key, str):
        return "Other"
    words = key.split("-")
    kept = [w for w in words if not (_hex_suffix.match(w) or w.isdigit())]
    return "-".join(kept) or words[0]


def ensure_dict(graph: Mapping) -> dict:
    """A plain dict of the graph (flattening a HighLevelGraph's layers)."""
    if type(graph) is dict:
        return graph
    to_dict = getattr(graph, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return dict(graph)


class Dispatch:
    """Choose a function by the type of the first argument, walking the MRO.

    ``register_lazy('numpy')`` defers registrations for a package until a type from it is first seen,
    so importing shoal does not import numpy or pandas.
    """

    def __init__(self, name: str = "dispatch"):
        self.__name__ = name
        self._lookup: dict = {}
        self._lazy: dict = {}

    def register(self, types, func=None):
        def wrapper(f):
            for t in types if isinstance(types, tuple) else (types,):
                self._lookup[t] = f
            return f

        return wrapper(func) if func is not None else wrapper

    def register_lazy(self, toplevel: str, func=None):
        def wrapper(f):
            self._lazy[toplevel] = f
            return f

        return wrapper(func) if func is not None else wrapper

    def dispatch(self, cls):
        lookup = self._lookup
        for c in cls.__mro__:
            f = lookup.get(c)
            if f is not None:
                if c is not cls:
                    lookup[cls] = f
                return f
            toplevel = c.__module__.partition(".")[0]
            register = self._lazy.pop(toplevel, None)
            if register is not None:
                register()
                return self.dispatch(cls)
        raise TypeError(f"no {self.__name__} implementation for {cls.__module__}.{cls.__qualname__}")

    def __call__(self, arg, *args, **kwargs):
        return self.dispatch(type(arg))(arg, *args, **kwargs)


def import_required(module: str, extra: str):
    """Import an optional dependency, or say which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{module} is needed for this; install it with `pip install {extra}`"
        ) from e


def __getattr__(name):
    if name == "SerializableLock":  # where Dask users import it from
        from shoal.locks import SerializableLock

        return SerializableLock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
