"""Estimated memory footprint of a task result, for memory limits, spilling and placement."""

import sys


def sizeof(obj, _depth=0):
    module = type(obj).__module__
    if module.startswith("numpy"):  # ask only numpy objects: a proxy could answer anything
        nbytes = getattr(obj, "nbytes", None)
        if isinstance(nbytes, int):
            return nbytes + 100
    if module.startswith("pandas"):
        return _pandas_sizeof(obj)
    if isinstance(obj, (bytes, bytearray, str)):
        return len(obj) + 50
    if isinstance(obj, memoryview):
        return obj.nbytes + 50
    if isinstance(obj, (list, tuple, set, frozenset)) and _depth < 3:
        items = list(obj) if len(obj) <= 100 else _sample(obj)
        if not items:
            return sys.getsizeof(obj)
        per_item = sum(sizeof(x, _depth + 1) for x in items) / len(items)
        return int(sys.getsizeof(obj) + per_item * len(obj))
    if isinstance(obj, dict) and _depth < 3:
        return sys.getsizeof(obj) + sum(sizeof(k, _depth + 1) + sizeof(v, _depth + 1) for k, v in list(obj.items())[:100]) * max(len(obj), 1) // max(min(len(obj), 100), 1)
    try:
        return sys.getsizeof(obj)
    except Exception:
        return 64


def _sample(seq):
    seq = list(seq)
    step = len(seq) // 100 or 1
    return seq[::step]


def _pandas_sizeof(obj):
    try:
        usage = obj.memory_usage(deep=False, index=True)
    except TypeError:  # Index.memory_usage has no 'index' argument
        usage = obj.memory_usage(deep=False)
    except Exception:
        return sys.getsizeof(obj)
    total = int(usage.sum()) if hasattr(usage, "sum") else int(usage)
    return total + 200
