"""shoal.array.lib.stride_tricks.sliding_window_view against NumPy's."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.lib.stride_tricks import sliding_window_view


@pytest.mark.parametrize("window,axis", [(3, None), ((2, 3), None), (4, 0), (2, 1), ((2, 2), (1, 0))])
def test_matches_numpy(window, axis):
    a = np.arange(80.0).reshape(8, 10)
    x = sa.from_array(a, chunks=(3, 4))
    window = (window, window) if axis is None and isinstance(window, int) else window
    np.testing.assert_array_equal(sliding_window_view(x, window, axis=axis).compute(),
                                  np.lib.stride_tricks.sliding_window_view(a, window, axis=axis))


def test_same_function_as_the_overlap_module():
    assert sa.lib.stride_tricks.sliding_window_view is sa.overlap.sliding_window_view


def test_without_automatic_rechunk_small_blocks_are_an_error():
    x = sa.arange(20, chunks=2)
    with pytest.raises(ValueError, match=r"axis 0 has blocks of 2 elements.*automatic_rechunk"):
        sliding_window_view(x, 5, automatic_rechunk=False)
    np.testing.assert_array_equal(sliding_window_view(sa.arange(20, chunks=6), 5, automatic_rechunk=False).compute(),
                                  np.lib.stride_tricks.sliding_window_view(np.arange(20), 5))
