"""Generalized ufuncs: apply_gufunc with axes=/axis=/keepdims=, gufunc and as_gufunc, against NumPy."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.fixture
def stack():
    m = np.random.default_rng(0).random((4, 3, 3, 5))
    return m, sa.from_array(m, chunks=(2, 3, 3, 2))


def test_axes_move_core_dimensions(stack):
    m, xm = stack
    expected = np.linalg.det(np.moveaxis(m, (1, 2), (-2, -1)))
    assert_eq(sa.apply_gufunc(np.linalg.det, "(i,j)->()", xm, axes=[(1, 2), ()]), expected)
    assert_eq(sa.apply_gufunc(np.linalg.det, "(i,j)->()", xm, axes=[(-3, -2)]), expected)
    inv = sa.apply_gufunc(np.linalg.inv, "(i,j)->(i,j)", xm, axes=[(1, 2), (1, 2)])
    assert_eq(inv, np.moveaxis(np.linalg.inv(np.moveaxis(m, (1, 2), (-2, -1))), (-2, -1), (1, 2)))
    with pytest.raises(ValueError, match="axes entry"):
        sa.apply_gufunc(np.linalg.det, "(i,j)->()", xm, axes=[(1,), ()])
    with pytest.raises(ValueError, match="3 entries"):
        sa.apply_gufunc(np.linalg.det, "(i,j)->()", xm, axes=[(1, 2), (), ()])


def test_axis_and_keepdims(data):
    a, x = data
    col = x.rechunk({0: -1})
    assert_eq(sa.apply_gufunc(lambda v: v.mean(-1), "(i)->()", col, axis=0), a.mean(0))
    assert_eq(sa.apply_gufunc(lambda v: v.mean(-1), "(i)->()", col, axis=0, keepdims=True), a.mean(0, keepdims=True))
    assert_eq(sa.apply_gufunc(lambda v: v.mean(-1), "(i)->()", x.rechunk({1: -1}), keepdims=True),
              a.mean(1, keepdims=True))
    assert_eq(sa.apply_gufunc(lambda v: np.cumsum(v, -1), "(i)->(i)", col, axis=0), np.cumsum(a, 0))
    lo, hi = sa.apply_gufunc(lambda v: (v.min(-1), v.max(-1)), "(i)->(),()", col, axis=0,
                             output_dtypes=[a.dtype, a.dtype])
    assert_eq(lo, a.min(0))
    assert_eq(hi, a.max(0))
    u, v = np.random.default_rng(1).random((2, *a.shape))
    dot = sa.apply_gufunc(lambda p, q: (p * q).sum(-1), "(i),(i)->()", sa.from_array(u, chunks=(a.shape[0], 4)),
                          sa.from_array(v, chunks=(a.shape[0], 4)), axis=0, keepdims=True)
    assert_eq(dot, (u * v).sum(0, keepdims=True))
    with pytest.raises(ValueError, match="keepdims"):
        sa.apply_gufunc(lambda v: v, "(i)->(i)", col, keepdims=True)
    with pytest.raises(ValueError, match="at most one core"):
        sa.apply_gufunc(np.linalg.det, "(i,j)->()", col, axis=0)


def test_gufunc_and_as_gufunc(data, stack):
    a, x = data
    m, xm = stack

    @sa.as_gufunc("(i)->()", output_dtypes=float, vectorize=True)
    def spread(v):
        return v.max() - v.min()

    assert spread.__name__ == "spread" and spread.signature == "(i)->()"
    assert_eq(spread(x.rechunk({1: -1})), np.ptp(a, 1))
    assert_eq(spread(x.rechunk({0: -1}), axis=0), np.ptp(a, 0))
    det = sa.gufunc(np.linalg.det, signature="(i,j)->()", output_dtypes=float)
    assert_eq(det(xm, axes=[(1, 2), ()]), np.linalg.det(np.moveaxis(m, (1, 2), (-2, -1))))
    both = sa.gufunc(lambda v: (v.sum(-1), v.prod(-1)), signature="(i)->(),()", output_dtypes=(float, float))
    s, p = both(x.rechunk({1: -1}))
    assert_eq(s, a.sum(1))
    assert_eq(p, a.prod(1))
    with pytest.raises(ValueError, match="signature"):
        sa.gufunc(np.sum)
