"""NumPy routines a Dask user reaches for: insert, rot90, gradient, ediff1d, coarsen, broadcast_arrays,
tril/triu_indices, extract, choose, iscomplexobj — each against NumPy, through sa.* and np.*."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq

INSERTS = [
    (2, 99.0, 0), (2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0), (1, [[7], [8], [9], [1], [2], [3], [4], [5], [6], [0], [1], [2]], 1),
    ([1, 3], 5.0, 1), ([4, 0, 2], [[1], [2], [3], [4], [5], [6], [7], [8], [9], [1], [2], [3]], 1), (slice(1, 4), 0.5, 0),
    (-1, 3.0, 1), ([0, 0, 10], [1., 2., 3.], 1), (3, [1.0, 2.0], None), ([2, 5, 5], 7, None),
]


@pytest.mark.parametrize("obj,values,axis", INSERTS)
def test_insert(data, obj, values, axis):
    a, x = data
    assert_eq(sa.insert(x, obj, values, axis=axis), np.insert(a, obj, values, axis=axis))


def test_insert_shoal_values_and_errors(data):
    a, x = data
    row = sa.from_array(np.arange(10.0), chunks=3)
    assert_eq(np.insert(x, 1, row, axis=0), np.insert(a, 1, np.arange(10.0), axis=0))
    assert_eq(sa.insert(x.astype(int), 0, 2.7, axis=1), np.insert(a.astype(int), 0, 2.7, axis=1))
    with pytest.raises(IndexError, match=r"index 13 is out of bounds for axis 0 of shape \(12, 10\)"):
        sa.insert(x, 13, 1.0, axis=0)
    with pytest.raises(ValueError, match=r"values of shape \(1, 3\)"):
        sa.insert(x, [1, 2], [1.0, 2.0, 3.0], axis=0)


def test_rot90(data):
    b = np.random.default_rng(0).random((5, 6, 4))
    y = sa.from_array(b, chunks=(2, 4, 3))
    for k in range(-2, 6):
        for axes in [(0, 1), (1, 0), (2, 0), (-1, 1)]:
            assert_eq(sa.rot90(y, k, axes), np.rot90(b, k, axes))
    a, x = data
    assert_eq(np.rot90(x), np.rot90(a))
    with pytest.raises(ValueError, match="same axis"):
        sa.rot90(y, 1, (1, -2))


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient(data, edge_order):
    a, x = data
    a, x = a ** 2, x ** 2
    got, expected = sa.gradient(x, edge_order=edge_order), np.gradient(a, edge_order=edge_order)
    assert len(got) == 2
    assert_eq(got[0], expected[0])
    assert_eq(got[1], expected[1])
    assert_eq(sa.gradient(x, 0.5, 2.0, edge_order=edge_order)[1], np.gradient(a, 0.5, 2.0, edge_order=edge_order)[1])
    assert_eq(np.gradient(x, axis=1, edge_order=edge_order), np.gradient(a, axis=1, edge_order=edge_order))
    v = np.arange(10) ** 2
    assert_eq(sa.gradient(sa.from_array(v, chunks=3), 3.0), np.gradient(v, 3.0))
    rows, cols = np.cumsum(np.random.default_rng(1).random((2, 12)), axis=1)
    cols = cols[:10]
    got, expected = sa.gradient(x, rows, cols, edge_order=edge_order), np.gradient(a, rows, cols, edge_order=edge_order)
    assert_eq(got[0], expected[0])
    assert_eq(got[1], expected[1])
    assert_eq(sa.gradient(x, 0.5, cols, edge_order=edge_order)[1], np.gradient(a, 0.5, cols, edge_order=edge_order)[1])
    with pytest.raises(ValueError, match=r"coordinates of shape \(12,\) do not match axis 1"):
        sa.gradient(x, rows, rows)
    with pytest.raises(ValueError, match="edge_order"):
        sa.gradient(x, edge_order=3)


def test_ediff1d(data):
    a, x = data
    assert_eq(sa.ediff1d(x), np.ediff1d(a))
    v = np.arange(10) ** 2
    assert_eq(np.ediff1d(sa.from_array(v, chunks=3), to_end=[100, 200], to_begin=-5),
              np.ediff1d(v, to_end=[100, 200], to_begin=-5))


def test_coarsen(data):
    a, x = data
    assert_eq(sa.coarsen(np.sum, x, {0: 2, 1: 5}), a.reshape(6, 2, 2, 5).sum(axis=(1, 3)))
    assert_eq(sa.coarsen(np.mean, x, {1: 2}), a.reshape(12, 5, 2).mean(axis=2))
    assert_eq(sa.coarsen(np.max, x, {0: 5}, trim_excess=True), a[:10].reshape(2, 5, 10).max(axis=1))
    ints = np.arange(24).reshape(4, 6)
    assert_eq(sa.coarsen(np.sum, sa.from_array(ints, chunks=2), {0: 4, 1: 3}), ints.reshape(1, 4, 2, 3).sum(axis=(1, 3)))
    with pytest.raises(ValueError, match=r"axis 0 of an array of shape \(12, 10\) is not a multiple of the window 5"):
        sa.coarsen(np.sum, x, {0: 5})


def test_broadcast_arrays_and_triangle_indices(data):
    a, x = data
    b, c = sa.broadcast_arrays(x[:1, :], sa.arange(12, chunks=5)[:, None])
    e1, e2 = np.broadcast_arrays(a[:1, :], np.arange(12)[:, None])
    assert_eq(b, e1)
    assert_eq(c, e2)
    for name in ("tril_indices", "triu_indices"):
        for args in [(4,), (4, 1), (3, -1, 5)]:
            got, expected = getattr(sa, name)(*args, chunks=3), getattr(np, name)(*args)
            assert_eq(got[0], expected[0])
            assert_eq(got[1], expected[1])
    rows, cols = sa.tril_indices(10)
    assert_eq(x[:10].vindex[rows.compute(), cols.compute()], a[:10][np.tril_indices(10)])


def test_extract_choose_iscomplexobj(data):
    a, x = data
    assert np.array_equal(sa.extract(x > 0.5, x).compute(), np.extract(a > 0.5, a))
    assert_eq(np.extract(a > 0.5, x), np.extract(a > 0.5, a))
    pick = (a > 0.5).astype(int)
    assert_eq(sa.from_array(pick, chunks=4).choose([x, -x]), pick.choose([a, -a]))
    assert sa.iscomplexobj(x.astype(complex)) and not np.iscomplexobj(x)


def test_to_svg_draws_the_chunk_grid(data):
    _, x = data
    svg = x.to_svg(size=200)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<line") == 4 + 4  # row and column block edges of the 3x3 grid, outline included


def test_take_along_axis_and_apply_over_axes(data):
    a, x = data
    order = np.argsort(a, axis=1)
    assert_eq(sa.take_along_axis(x, sa.from_array(order, chunks=(5, 3)), 1), np.take_along_axis(a, order, 1))
    assert_eq(np.take_along_axis(x, order[:, :2], axis=1), np.take_along_axis(a, order[:, :2], 1))
    best = np.argmax(a, axis=0)[None]
    assert_eq(sa.take_along_axis(x, sa.from_array(best, chunks=2), 0), np.take_along_axis(a, best, 0))
    with pytest.raises(ValueError, match=r"indices of shape \(10,\)"):
        sa.take_along_axis(x, np.arange(10), 1)
    assert_eq(sa.apply_over_axes(np.sum, x, [0, 1]), np.apply_over_axes(np.sum, a, [0, 1]))
    assert_eq(np.apply_over_axes(np.mean, x, 1), np.apply_over_axes(np.mean, a, 1))


def test_set_and_index_helpers(data):
    a, x = data
    assert_eq(sa.union1d(sa.from_array(np.array([3, 1, 2, 3]), chunks=2), [5, 1]), np.union1d([3, 1, 2, 3], [5, 1]))
    for ours, theirs, arr, k in [(sa.tril_indices_from, np.tril_indices_from, a[:5, :5], 1),
                                 (sa.triu_indices_from, np.triu_indices_from, a, -2)]:
        got, expected = ours(sa.from_array(arr, chunks=3), k=k), theirs(arr, k=k)
        assert_eq(got[0], expected[0])
        assert_eq(got[1], expected[1])
    with pytest.raises(ValueError, match=r"2-d array, got shape \(12,\)"):
        sa.tril_indices_from(x[:, 0])


def test_infinities_nulls_and_python_functions():
    b = np.array([1.0, -np.inf, np.inf, np.nan, 0.0])
    xb = sa.from_array(b, chunks=2)
    assert_eq(sa.isneginf(xb), np.isneginf(b))
    assert_eq(np.isposinf(xb), np.isposinf(b))
    assert_eq(sa.isnull(xb), np.isnan(b))
    assert_eq(sa.notnull(xb), ~np.isnan(b))
    objects = np.array([1, None, "a", float("nan")], dtype=object)
    np.testing.assert_array_equal(sa.isnull(sa.from_array(objects, chunks=2)).compute(), [False, True, False, True])
    dates = np.array(["2020-01-01", "NaT"], dtype="datetime64[D]")
    np.testing.assert_array_equal(sa.notnull(sa.from_array(dates, chunks=1)).compute(), [True, False])
    join = sa.frompyfunc(lambda u, v: f"{u}-{v}", 2, 1)
    np.testing.assert_array_equal(join(sa.arange(4, chunks=2), 7).compute(), np.frompyfunc(lambda u, v: f"{u}-{v}", 2, 1)(np.arange(4), 7))
    quotient, remainder = sa.frompyfunc(divmod, 2, 2)(sa.arange(6, chunks=4), 4)
    np.testing.assert_array_equal(quotient.compute(), np.arange(6) // 4)
    np.testing.assert_array_equal(remainder.compute(), np.arange(6) % 4)
    with pytest.raises(TypeError, match="takes 2 arguments, got 1"):
        join(xb)
