"""shoal.array.shuffle and Array.shuffle against np.take with the concatenated indexer."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import shoal.array as sa


def test_groups_stay_together_and_blocks_stay_near_the_input():
    a = np.arange(32).reshape(2, 16)
    x = sa.from_array(a, chunks=(2, 4))
    indexer = [[1, 5, 9], [0, 2, 3], [4, 12, 13, 14], [15], [6, 7, 8, 10, 11]]
    y = sa.shuffle(x, indexer, axis=1)
    np.testing.assert_array_equal(y.compute(), np.take(a, np.concatenate(indexer), axis=1))
    assert y.chunks == ((2,), (3, 3, 4, 1, 5))
    layer = y.dask.layers[y.name]
    assert len(layer) == 5  # one task per output block


def test_small_groups_share_blocks():
    a = np.arange(100.0)
    x = sa.from_array(a, chunks=20)
    indexer = [[i, 99 - i] for i in range(50)]
    y = x.shuffle(indexer, axis=0)
    assert y.chunks == ((20,) * 5,)
    np.testing.assert_array_equal(y.compute(), a[np.concatenate(indexer)])


def test_chunks_argument_and_negative_positions():
    a = np.random.default_rng(0).random((12, 3))
    x = sa.from_array(a, chunks=(5, 2))
    indexer = [[-1, 0], [3, 4, 5], [2], [7, 8, 9, 10, 11, 1]]
    y = sa.shuffle(x, indexer, axis=0, chunks=3)
    assert y.chunks[0] == (2, 3, 1, 6)
    np.testing.assert_array_equal(y.compute(), a[np.concatenate(indexer)])


def test_errors_name_the_problem():
    x = sa.ones((4, 5), chunks=2)
    with pytest.raises(IndexError, match=r"index 5 is out of bounds for axis 1 with size 5"):
        x.shuffle([[0, 5]], axis=1)
    with pytest.raises(ValueError, match="chunks must be 'auto'"):
        x.shuffle([[0, 1]], axis=1, chunks="big")


@given(st.lists(st.lists(st.integers(0, 14), max_size=6), min_size=1, max_size=6),
       st.integers(1, 15), st.integers(0, 1))
def test_matches_take(indexer, block, axis):
    a = np.arange(30 * 15).reshape(30, 15)
    a = a if axis == 1 else a.T
    x = sa.from_array(a, chunks=(block, block))
    y = sa.shuffle(x, indexer, axis=axis)
    flat = np.concatenate([np.asarray(g, dtype=int) for g in indexer])
    np.testing.assert_array_equal(y.compute(), np.take(a, flat, axis=axis))
    assert sum(len(g) for g in indexer) == y.shape[axis]
