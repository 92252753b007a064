import numpy as np
import pytest
from conftest import arange_array, shapes_and_chunks
from hypothesis import given
from hypothesis import strategies as st

import shoal.array as sa
from shoal.array.testing import assert_eq


@st.composite
def reduction_cases(draw):
    shape, chunks = draw(shapes_and_chunks(min_side=1))
    ndim = len(shape)
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple)))
    keepdims = draw(st.booleans())
    split_every = draw(st.sampled_from([None, 2, 3]))
    return shape, chunks, axis, keepdims, split_every


@given(reduction_cases(), st.sampled_from(["sum", "prod", "mean", "std", "var", "min", "max", "any", "all"]))
def test_reductions_match_numpy(case, name):
    shape, chunks, axis, keepdims, split_every = case
    a = np.sin(arange_array(shape))
    x = sa.from_array(a, chunks=chunks)
    result = getattr(x, name)(axis=axis, keepdims=keepdims, split_every=split_every)
    assert_eq(result, getattr(a, name)(axis=axis, keepdims=keepdims), rtol=1e-6, atol=1e-12)


@given(reduction_cases(), st.sampled_from(["nansum", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax",
                                           "nanprod"]))
def test_nan_reductions_match_numpy(case, name):
    shape, chunks, axis, keepdims, split_every = case
    a = np.sin(arange_array(shape))
    a[a > 0.5] = np.nan
    a.flat[0] = 0.25
    x = sa.from_array(a, chunks=chunks)
    with np.errstate(all="ignore"), _nowarn():
        expected = getattr(np, name)(a, axis=axis, keepdims=keepdims)
        result = getattr(sa, name)(x, axis=axis, keepdims=keepdims, split_every=split_every)
        assert_eq(result, expected, rtol=1e-6, atol=1e-12)


class _nowarn:
    def __enter__(self):
        import warnings

        self.cm = warnings.catch_warnings()
        self.cm.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *a):
        self.cm.__exit__(*a)


@given(shapes_and_chunks(min_side=1), st.sampled_from(["argmin", "argmax", "nanargmin", "nanargmax"]),
       st.booleans(), st.data())
def test_arg_reductions(sc, name, keepdims, data):
    shape, chunks = sc
    a = np.cos(arange_array(shape) * 1.3)
    x = sa.from_array(a, chunks=chunks)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    if axis is None and keepdims:
        keepdims = False
    assert_eq(getattr(sa, name)(x, axis=axis, keepdims=keepdims, split_every=2),
              getattr(np, name)(a, axis=axis, keepdims=keepdims))


def test_integer_and_bool_dtypes():
    a = np.arange(30, dtype=np.int32).reshape(5, 6)
    x = sa.from_array(a, chunks=2)
    assert_eq(x.sum(), a.sum())
    assert_eq(x.mean(axis=0), a.mean(axis=0))
    assert_eq(x.var(axis=1, ddof=1), a.var(axis=1, ddof=1))
    assert_eq(x.sum(dtype=np.float32), a.sum(dtype=np.float32))
    assert_eq((x > 3).sum(), (a > 3).sum())
    assert_eq(x.max(), a.max())


def test_cumulative():
    a = np.arange(1, 25, dtype=float).reshape(4, 6) / 7
    x = sa.from_array(a, chunks=(3, 2))
    for axis in [None, 0, 1, -1]:
        assert_eq(x.cumsum(axis=axis), a.cumsum(axis=axis))
        assert_eq(x.cumprod(axis=axis), a.cumprod(axis=axis))
    b = a.copy()
    b[1, 1] = np.nan
    y = sa.from_array(b, chunks=(3, 2))
    assert_eq(sa.nancumsum(y, axis=1), np.nancumsum(b, axis=1))
    assert_eq(sa.nancumprod(y, axis=0), np.nancumprod(b, axis=0))
    assert_eq(np.cumsum(x, axis=0), np.cumsum(a, axis=0))


def test_moment_and_average():
    a = np.random.default_rng(0).normal(size=(30, 7))
    x = sa.from_array(a, chunks=(7, 3))
    for order in [0, 1, 2, 3, 4]:
        assert_eq(sa.moment(x, order, axis=0), np.mean((a - a.mean(axis=0)) ** order, axis=0), rtol=1e-8, atol=1e-12)
    w = np.arange(1, 8.0)
    assert_eq(sa.average(x, axis=1, weights=w), np.average(a, axis=1, weights=w))


def test_empty_reductions_error_like_numpy():
    x = sa.from_array(np.ones((0, 3)), chunks=2)
    assert_eq(x.sum(axis=0), np.ones((0, 3)).sum(axis=0))
    with pytest.raises(ValueError, match="zero-size"):
        x.max(axis=0)


def test_numpy_functions_dispatch():
    a = np.arange(12.).reshape(3, 4)
    x = sa.from_array(a, chunks=2)
    assert isinstance(np.sum(x, axis=0), sa.Array)
    assert_eq(np.mean(x), a.mean())
    assert_eq(np.std(x, axis=1), a.std(axis=1))
    assert_eq(np.add.reduce(x, axis=1), np.add.reduce(a, axis=1))
    assert_eq(np.max(x, axis=1, keepdims=True), a.max(axis=1, keepdims=True))


def test_reductions_of_unknown_sized_arrays_with_empty_blocks():
    a = np.arange(100.).reshape(10, 10)
    x = sa.from_array(a, chunks=3)
    y = x[x > 50]
    picked = a[a > 50]
    assert_eq(y.max(), picked.max())
    assert_eq(y.min(), picked.min())
    assert_eq(y.sum(), picked.sum())
    assert_eq(y.mean(), picked.mean())
    assert_eq(y.std(), picked.std())
    assert y.argmax().compute() == picked.argmax()  # empty blocks among unknown sizes
    assert_eq(y.compute_chunk_sizes().argmax(), picked.argmax())


def test_arg_reductions_on_unknown_chunk_sizes(data):
    a, x = data
    rows = a[:, 0] > 0.4
    y = x[sa.from_array(rows, chunks=5)]
    assert np.isnan(y.shape[0])
    for name in ["argmin", "argmax", "nanargmin", "nanargmax"]:
        for axis in [None, 0, 1]:
            got = getattr(sa, name)(y, axis=axis).compute()
            np.testing.assert_array_equal(got, getattr(np, name)(a[rows], axis=axis))
    flat = x[x > 0.5]
    assert flat.argmax().compute() == a[a > 0.5].argmax()
    assert sa.argmin(flat, split_every=2).compute() == a[a > 0.5].argmin()
    b = a.copy()
    b[3] = np.nan
    z = sa.from_array(b, chunks=(3, 4))[sa.from_array(rows, chunks=3)]
    np.testing.assert_array_equal(sa.nanargmax(z, axis=0).compute(), np.nanargmax(b[rows], axis=0))


def test_user_reduction_with_lists_of_partials(data):
    a, x = data

    def chunk(block, axis, keepdims):
        return block.max(axis=axis, keepdims=True)

    def aggregate(parts, axis, keepdims):
        # without concatenation: one list level per reduced axis, holding the partial arrays
        for _ in axis:
            assert isinstance(parts, list)
            parts = [p for group in parts for p in (group if isinstance(group, list) else [group])]
        out = np.maximum.reduce(parts)
        return out if keepdims else np.squeeze(out, axis=axis)

    assert_eq(sa.reduction(x, chunk, aggregate, axis=0, dtype=float, concatenate=False), a.max(axis=0))
    assert_eq(sa.reduction(x, chunk, aggregate, axis=(0, 1), dtype=float, concatenate=False, split_every=2,
                           keepdims=True), a.max(keepdims=True))
    assert_eq(sa.reduction(x, chunk, lambda p, axis, keepdims: np.max(p, axis=axis, keepdims=keepdims),
                           axis=1, dtype=float), a.max(axis=1))
