"""How a task travels: the client pickles each task once into an opaque run spec; workers run it.

A run spec is ``{"f": function bytes, "a": pickled argument tuple}`` for a task
``(func, *args)`` or ``{"v": pickled value}`` for a literal.  Functions are pickled once per
function object and unpickled once per worker (both cached), so a ``map`` over 20,000 items pays for
its function once.  Arguments refer to dependencies by key; the worker substitutes their values.
"""

import pickle
import threading

from shoal.core import Literal, istask

from .protocol import Serialized, dumps_function, serialize

INLINE_LIMIT = 64 * 1024


def _pack(obj):
    ser = serialize(obj)
    if len(ser.frames) == 1 and len(ser.frames[0]) < INLINE_LIMIT:
        return bytes(ser.frames[0])
    return ser


def _unpack(packed):
    if isinstance(packed, Serialized):
        return pickle.loads(packed.frames[0], buffers=packed.frames[1:])
    return pickle.loads(packed)


def dumps_task(key, task):
    """Task or literal -> run spec; a clear ``TypeError`` naming ``key`` if it cannot be pickled."""
    try:
        if istask(task):
            return {"f": dumps_function(task[0]), "a": _pack(task[1:])}
        return {"v": _pack(task)}
    except Exception as e:
        raise TypeError(f"Could not serialize the task of key {key!r}: {e}") from e


_functions = {}
_functions_lock = threading.Lock()


def _load_function(data):
    data = bytes(data)
    func = _functions.get(data)
    if func is None:
        func = pickle.loads(data)
        with _functions_lock:
            if len(_functions) > 1000:
                _functions.clear()
            _functions[data] = func
    return func


def run_task(run_spec, data, dependencies):
    """Execute a run spec given ``data`` (a mapping holding the dependencies' values)."""
    if "v" in run_spec:
        value = _unpack(run_spec["v"])
        return _resolve(value, data, dependencies)
    func = _load_function(run_spec["f"])
    args = _unpack(run_spec["a"])
    return func(*[_resolve(a, data, dependencies) for a in args])


def _resolve(arg, data, dependencies):
    typ = type(arg)
    if typ is Literal:  # shoal.core.quote: pass the value through untouched
        return arg.value
    if typ is tuple and arg and callable(arg[0]):
        return arg[0](*[_resolve(a, data, dependencies) for a in arg[1:]])
    if typ is list:
        return [_resolve(a, data, dependencies) for a in arg]
    if typ in (str, tuple, bytes, int) and arg in dependencies:
        return data[arg]
    return arg
