"""``assert_eq``: compare shoal arrays and NumPy arrays (or scalars) in tests.

For a shoal array it also checks the array's own promises: every key it names is in its graph, each
computed block has the shape its chunks claim and the array's dtype, so an operation that computes
the right numbers with the wrong metadata still fails.
"""

import itertools

import numpy as np

from .chunks import is_unknown
from .core import Array, finalize


def _blocks_and_value(x, scheduler):
    from shoal.base import collections_to_graph, get_scheduler

    keys = x.__shoal_keys__()
    graph = x.__shoal_graph__()
    flat = list(_flatten(keys))
    missing = [k for k in flat if k not in graph]
    if missing:
        raise AssertionError(f"array {x.name} names keys missing from its graph, e.g. {missing[0]}")
    dsk, (keys,) = collections_to_graph([x])
    get = get_scheduler(scheduler=scheduler)
    results = get(dsk, keys)
    return results, finalize(results, x.ndim)


def _flatten(nested):
    if isinstance(nested, list):
        for n in nested:
            yield from _flatten(n)
    else:
        yield nested


def _check_blocks(x, results, check_dtype):
    if x.ndim == 0:
        return
    for idx in itertools.product(*(range(n) for n in x.numblocks)):
        block = results
        for i in idx:
            block = block[i]
        expected = tuple(c[i] for c, i in zip(x.chunks, idx))
        shape = np.shape(block)
        if len(shape) != x.ndim:
            raise AssertionError(f"block {idx} of {x.name} has {len(shape)} dimensions, the array has {x.ndim}")
        for got, want in zip(shape, expected):
            if not is_unknown(want) and got != want:
                raise AssertionError(f"block {idx} of {x.name} has shape {shape}, chunks say {expected}")
        if check_dtype and hasattr(block, "dtype") and block.dtype != x.dtype:
            raise AssertionError(f"block {idx} of {x.name} has dtype {block.dtype}, the array says {x.dtype}")


def _materialize(a, check_graph, check_chunks, check_dtype, scheduler):
    if isinstance(a, Array):
        results, value = _blocks_and_value(a, scheduler)
        if check_chunks:
            _check_blocks(a, results, check_dtype)
        value = np.asarray(value)
        if check_dtype and value.dtype != a.dtype:
            raise AssertionError(f"computed dtype {value.dtype} differs from the array's dtype {a.dtype}")
        if check_chunks and not any(is_unknown(s) for s in a.shape) and value.shape != a.shape:
            raise AssertionError(f"computed shape {value.shape} differs from the array's shape {a.shape}")
        return value
    return np.asarray(a)


def assert_eq(a, b, check_shape=True, check_graph=True, check_meta=True, check_chunks=True,
              check_type=True, check_dtype=True, equal_nan=True, scheduler="sync", rtol=None, atol=None,
              **kwargs):
    """Assert that ``a`` and ``b`` (shoal arrays, NumPy arrays or scalars) are equal: same shape,
    same dtype, values equal (or close for floats), shoal metadata consistent with the data."""
    av = _materialize(a, check_graph, check_chunks, check_dtype, scheduler)
    bv = _materialize(b, check_graph, check_chunks, check_dtype, scheduler)
    if check_shape and av.shape != bv.shape:
        raise AssertionError(f"shapes differ: {av.shape} != {bv.shape}")
    if check_dtype and av.dtype != bv.dtype:
        raise AssertionError(f"dtypes differ: {av.dtype} != {bv.dtype}")
    if av.dtype.kind in "fc" or bv.dtype.kind in "fc":
        np.testing.assert_allclose(av, bv, rtol=1e-7 if rtol is None else rtol, atol=0 if atol is None else atol,
                                   equal_nan=equal_nan)
    else:
        np.testing.assert_array_equal(av, bv)
    return True
