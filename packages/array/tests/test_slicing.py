import numpy as np
import pytest
from conftest import arange_array, shapes_and_chunks
from hypothesis import given
from hypothesis import strategies as st

import shoal.array as sa
from shoal.array.testing import assert_eq


def _slice_for(draw, n):
    start = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
    stop = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
    step = draw(st.one_of(st.none(), st.integers(-3, 3).filter(lambda s: s != 0)))
    return slice(start, stop, step)


@st.composite
def basic_indexes(draw):
    shape, chunks = draw(shapes_and_chunks(min_side=1))
    index = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "slice", "full"]))
        if kind == "int":
            index.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            index.append(_slice_for(draw, n))
        else:
            index.append(slice(None))
    if draw(st.booleans()):
        index.insert(draw(st.integers(0, len(index))), None)
    if draw(st.booleans()) and len(index) > 1:
        index = [Ellipsis] + index[2:]
    return shape, chunks, tuple(index)


@given(basic_indexes())
def test_basic_indexing_matches_numpy(case):
    shape, chunks, index = case
    a = arange_array(shape)
    x = sa.from_array(a, chunks=chunks)
    assert_eq(x[index], a[index])


@given(shapes_and_chunks(min_side=1), st.data())
def test_fancy_indexing_matches_numpy(sc, data):
    shape, chunks = sc
    a = arange_array(shape)
    x = sa.from_array(a, chunks=chunks)
    axis = data.draw(st.integers(0, len(shape) - 1))
    idx = data.draw(st.lists(st.integers(-shape[axis], shape[axis] - 1), min_size=0, max_size=12))
    index = (slice(None),) * axis + (np.array(idx, dtype=int),)
    assert_eq(x[index], a[index])
    mask = data.draw(st.lists(st.booleans(), min_size=shape[axis], max_size=shape[axis]))
    index = (slice(None),) * axis + (np.array(mask, dtype=bool),)
    assert_eq(x[index], a[index])


def test_shoal_boolean_mask_and_assignment():
    a = np.sin(np.arange(120.)).reshape(8, 15)
    x = sa.from_array(a, chunks=(3, 4))
    r = x[x > 0]
    assert np.isnan(r.shape[0])
    assert_eq(r, a[a > 0])
    x[x > 0] = 0
    b = a.copy()
    b[b > 0] = 0
    assert_eq(x, b)
    row_mask = sa.from_array(a[:, 0] > -0.5, chunks=3)
    y = sa.from_array(a, chunks=(3, 4))
    assert_eq(y[row_mask], a[a[:, 0] > -0.5])


def test_setitem_slices_and_values():
    a = np.arange(48.).reshape(6, 8)
    x = sa.from_array(a, chunks=(4, 3))
    x[1:5, ::3] = -1
    x[0] = np.arange(8)
    x[-1, -1] = 99
    b = a.copy()
    b[1:5, ::3] = -1
    b[0] = np.arange(8)
    b[-1, -1] = 99
    assert_eq(x, b)
    with pytest.raises(ValueError, match="broadcast"):
        x[0:2] = np.ones(3)


def test_multiple_integer_arrays_and_vindex():
    a = np.arange(60).reshape(3, 4, 5)
    x = sa.from_array(a, chunks=2)
    assert_eq(x[[0, 2, 1], [3, 0, 1]], a[[0, 2, 1], [3, 0, 1]])
    assert_eq(x[:, [1, 2], [4, 0]], a[:, [1, 2], [4, 0]])
    assert_eq(x[[1, 2], :, [4, 0]], a[[1, 2], :, [4, 0]])
    assert_eq(x.vindex[[0, 2], [3, 1]], a[[0, 2], [3, 1]])
    assert_eq(x[np.array([[1, 0], [2, 2]])], a[np.array([[1, 0], [2, 2]])])


def test_index_errors_name_the_shape():
    x = sa.ones((4, 5), chunks=2)
    with pytest.raises(IndexError, match=r"out of bounds for axis 1 with size 5.*\(4, 5\)"):
        x[0, 5]
    with pytest.raises(IndexError, match="too many indices"):
        x[0, 0, 0]
    with pytest.raises(IndexError, match="out of bounds"):
        x[[0, 9]]


def test_shoal_integer_array_index_and_blocks():
    a = np.arange(20) * 10
    x = sa.from_array(a, chunks=6)
    i = sa.from_array(np.array([3, 19, 0, 7]), chunks=2)
    assert_eq(x[i], a[[3, 19, 0, 7]])
    assert_eq(x.blocks[1], a[6:12])
    assert_eq(x.blocks[::-1], np.concatenate([a[18:], a[12:18], a[6:12], a[:6]]))


def test_unknown_chunks_errors_say_how_to_fix():
    a = np.arange(30.)
    x = sa.from_array(a, chunks=7)
    y = x[x > 10]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        y[3]
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        y.reshape((19,))
    y.compute_chunk_sizes()
    assert y.chunks == ((0, 3, 7, 7, 2),)
    assert_eq(y[3:8], a[a > 10][3:8])
    assert_eq(y + 1, a[a > 10] + 1)


def test_setitem_with_shoal_values():
    a = np.arange(60.).reshape(6, 10)
    x = sa.from_array(a, chunks=(4, 3))
    b = a.copy()
    x[1:4, 2:10:2] = sa.from_array(-np.arange(12.).reshape(3, 4), chunks=2)
    b[1:4, 2:10:2] = -np.arange(12.).reshape(3, 4)
    x[5] = sa.arange(10, chunks=4)
    b[5] = np.arange(10)
    x[0, 0] = x.sum()
    b[0, 0] = b.sum()
    assert_eq(x, b)
    with pytest.raises(ValueError, match=r"shape \(3,\) into the selected region of shape \(10,\)"):
        x[2] = sa.ones(3, chunks=2)


@given(basic_indexes())
def test_setitem_with_basic_indexes_matches_numpy(case):
    shape, chunks, index = case
    index = tuple(i for i in index if i is not None)
    a = arange_array(shape)
    x = sa.from_array(a, chunks=chunks)
    expected = a.copy()
    expected[index] = -1.5
    x[index] = -1.5
    assert_eq(x, expected)
    values = np.arange(np.asarray(a[index]).size, dtype=float).reshape(np.shape(a[index]))
    expected[index] = values
    x[index] = values
    assert_eq(x, expected)


def test_indexing_with_a_multidimensional_shoal_integer_array():
    a = np.arange(180).reshape(6, 30)
    x = sa.from_array(a, chunks=(4, 7))
    idx = sa.random.default_rng(0).integers(0, 30, size=(3, 4), chunks=2)
    picked = idx.compute()
    assert_eq(x[:, idx], a[:, picked])
    assert_eq(x[0][idx], a[0][picked])
    with pytest.raises(IndexError, match="out of bounds"):
        x[0][sa.from_array(np.array([[1, 40]]), chunks=1)].compute()
