"""``assert_eq`` for bags and items: compute (synchronously) and compare with plain Python results."""

from __future__ import annotations

import math
from collections import Counter

from shoal.base import is_shoal_collection


def _value(x, scheduler):
    if is_shoal_collection(x):
        return x.compute(scheduler=scheduler)
    return x


def assert_eq(a, b, check_order: bool = True, scheduler="sync", rtol: float = 1e-9):
    """Assert that ``a`` and ``b`` (bags, items or plain values) have equal results.

    Bags compare as lists; with ``check_order=False`` as multisets (bags are unordered collections).
    Floats compare with relative tolerance ``rtol``.
    """
    va, vb = _value(a, scheduler), _value(b, scheduler)
    if _is_sequence(va) and _is_sequence(vb):
        va, vb = list(va), list(vb)
        if not check_order:
            va, vb = _canonical_order(va), _canonical_order(vb)
        assert len(va) == len(vb), f"lengths differ: {len(va)} != {len(vb)}\n{va[:10]}\n{vb[:10]}"
        for i, (x, y) in enumerate(zip(va, vb)):
            assert _close(x, y, rtol), f"element {i} differs: {x!r} != {y!r}"
        return True
    assert _close(va, vb, rtol), f"{va!r} != {vb!r}"
    return True


def _is_sequence(x) -> bool:
    return isinstance(x, (list, tuple))


def _canonical_order(values: list) -> list:
    try:
        counts = Counter(values)
        return sorted(counts.elements(), key=repr)
    except TypeError:  # unhashable elements
        return sorted(values, key=repr)


def _close(x, y, rtol) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        try:
            return math.isclose(x, y, rel_tol=rtol, abs_tol=rtol) or (math.isnan(x) and math.isnan(y))
        except TypeError:
            return False
    if _is_sequence(x) and _is_sequence(y):
        return len(x) == len(y) and all(_close(i, j, rtol) for i, j in zip(x, y))
    return x == y
