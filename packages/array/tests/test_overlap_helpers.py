"""shoal.array.overlap helpers: boundary extensions, minimum block sizes and sliding windows, against NumPy."""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.mark.parametrize("window,axis", [(3, 0), ((2, 3), (0, 1)), (4, 1), ((2, 2), None), (12, 0), (1, 1), (5, -1)])
def test_sliding_window_view(data, window, axis):
    a, x = data
    assert_eq(sa.overlap.sliding_window_view(x, window, axis=axis), sliding_window_view(a, window, axis=axis))


def test_sliding_windows_feed_reductions(data):
    a, x = data
    moving = sa.overlap.sliding_window_view(x, 3, axis=0).mean(axis=-1)
    assert_eq(moving, sliding_window_view(a, 3, axis=0).mean(axis=-1))
    with pytest.raises(ValueError, match=r"window 13 does not fit axis 0 of the array of shape \(12, 10\)"):
        sa.overlap.sliding_window_view(x, 13, axis=0)


def test_boundary_extensions(data):
    a, x = data
    assert_eq(sa.overlap.periodic(x, 0, 2), np.concatenate([a[-2:], a, a[:2]], 0))
    assert_eq(sa.overlap.reflect(x, 1, 3), np.concatenate([a[:, 2::-1], a, a[:, :-4:-1]], 1))
    assert_eq(sa.overlap.nearest(x, 1, 2), np.pad(a, ((0, 0), (2, 2)), mode="edge"))
    assert_eq(sa.overlap.constant(x, 0, 1, 7.0), np.pad(a, ((1, 1), (0, 0)), constant_values=7.0))
    assert_eq(sa.overlap.boundaries(x, {0: 1, 1: 2}, {0: "periodic", 1: 0}),
              np.pad(np.pad(a, ((1, 1), (0, 0)), mode="wrap"), ((0, 0), (2, 2))))
    with pytest.raises(ValueError, match=r"depth 11 is larger than axis 1 of the array of shape \(12, 10\)"):
        sa.overlap.periodic(x, 1, 11)


def test_ensure_minimum_chunksize():
    assert sa.overlap.ensure_minimum_chunksize(3, (1, 1, 5, 2, 1)) == (7, 3)
    assert sa.overlap.ensure_minimum_chunksize(2, (4, 4)) == (4, 4)
    assert sa.overlap.ensure_minimum_chunksize(10, (4, 4, 2)) == (10,)
    with pytest.raises(ValueError, match=r"length 10 cannot have blocks of at least 11"):
        sa.overlap.ensure_minimum_chunksize(11, (4, 4, 2))
