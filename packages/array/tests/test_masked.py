"""shoal.array.ma: masked blocks, mask-aware elementwise operations and reductions, against numpy.ma."""

import numpy as np
import pytest

import shoal.array as sa


@pytest.fixture
def masked(data):
    a, x = data
    return sa.ma.masked_greater(x, 0.7), np.ma.masked_greater(a, 0.7)


def _same(got, expected):
    got = got.compute() if hasattr(got, "compute") else got
    np.testing.assert_allclose(np.ma.getdata(np.ma.filled(got, -1.0)), np.ma.getdata(np.ma.filled(expected, -1.0)))
    np.testing.assert_array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(expected))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "prod"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_reductions_skip_masked_entries(masked, name, axis):
    m, em = masked
    _same(getattr(m, name)(axis=axis), getattr(em, name)(axis=axis))


def test_making_and_reading_masks(data, masked):
    a, x = data
    m, em = masked
    _same(m, em)
    assert isinstance(m.compute(), np.ma.MaskedArray)
    for name, args in [("masked_equal", (a[0, 0],)), ("masked_not_equal", (a[0, 0],)), ("masked_less", (0.3,)),
                       ("masked_less_equal", (0.3,)), ("masked_greater_equal", (0.3,)), ("masked_inside", (0.2, 0.6)),
                       ("masked_outside", (0.2, 0.6)), ("masked_values", (a[1, 1],))]:
        _same(getattr(sa.ma, name)(x, *args), getattr(np.ma, name)(a, *args))
    _same(sa.ma.masked_where(x > 0.5, x), np.ma.masked_where(a > 0.5, a))
    _same(sa.ma.masked_array(x, mask=x < 0.2), np.ma.masked_array(a, mask=a < 0.2))
    _same(sa.ma.masked_array(x, mask=a < 0.2) * 2 + 1, np.ma.masked_array(a, mask=a < 0.2) * 2 + 1)
    _same(m[2:7, 1:3], em[2:7, 1:3])
    b = a.copy()
    b[0, :3] = np.nan
    _same(sa.ma.masked_invalid(sa.from_array(b, chunks=4)), np.ma.masked_invalid(b))
    _same(sa.ma.fix_invalid(sa.from_array(b, chunks=4), fill_value=0.0), np.ma.fix_invalid(b, fill_value=0.0))
    np.testing.assert_array_equal(sa.ma.getmaskarray(m).compute(), np.ma.getmaskarray(em))
    np.testing.assert_array_equal(sa.ma.getdata(m).compute(), a)
    np.testing.assert_array_equal(sa.ma.filled(m, -1).compute(), em.filled(-1))
    np.testing.assert_array_equal(sa.ma.filled(sa.ma.set_fill_value(m, 5.0)).compute(), em.filled(5.0))
    assert sa.ma.count(m).compute() == np.ma.count(em)
    np.testing.assert_array_equal(sa.ma.count(m, axis=0).compute(), np.ma.count(em, axis=0))
    _same(sa.ma.ones_like(m), np.ma.masked_array(np.ones_like(a), mask=em.mask))
    _same(sa.ma.zeros_like(m, dtype=int), np.ma.masked_array(np.zeros_like(a, dtype=int), mask=em.mask))


def test_masked_average(masked):
    m, em = masked
    weights = np.random.default_rng(3).random(10)
    _same(sa.ma.average(m, axis=0), np.ma.average(em, axis=0))
    _same(sa.ma.average(m, axis=1, weights=weights), np.ma.average(em, axis=1, weights=weights))
    avg, scale = sa.ma.average(m, axis=1, weights=weights, returned=True)
    _, expected_scale = np.ma.average(em, axis=1, weights=weights, returned=True)
    _same(scale, expected_scale)
