"""How a task travels: the client pickles each task once into an opaque run spec; workers run it.

A run spec is ``{"f": function bytes, "a": pickled argument tuple}`` for a task
``(func, *args)`` or ``{"v": pickled value}`` for a literal.  Functions are pickled once per
function object and unpickled once per worker (both cached), so a ``map`` over 20,000 items pays for
its function once.  Arguments refer to dependencies by key; the worker substitutes their values.
"""

import pickle
import threading

from shoal.core import istask
from shoal.local import execute_task

from .protocol import Serialized, dumps_function, serialize

INLINE_LIMIT = 64 * 1024


# arguments of these types pickle the same with plain pickle, which is several times faster than
# cloudpickle's pickler for the one-number argument tuples of a large map
PLAIN_TYPES = frozenset((int, float, complex, str, bytes, bool, type(None)))


def _pack(obj):
    if type(obj) is tuple and all(type(a) in PLAIN_TYPES for a in obj):
        return pickle.dumps(obj, protocol=5)
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
    """Execute a run spec given ``data`` (a mapping holding the dependencies' values).

    Arguments are resolved by the core's task executor against the dependencies only, so the
    graph spec means the same on a worker as on the local schedulers."""
    inputs = {d: data[d] for d in dependencies}
    if "v" in run_spec:
        return execute_task(_unpack(run_spec["v"]), inputs)
    func = _load_function(run_spec["f"])
    return execute_task((func, *_unpack(run_spec["a"])), inputs)
