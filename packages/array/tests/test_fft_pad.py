import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_fft_family():
    a = np.random.default_rng(0).random((12, 10))
    x = sa.from_array(a, chunks=(5, 4))
    assert_eq(sa.fft.fft(x), np.fft.fft(a))
    assert_eq(sa.fft.fft(x, axis=0), np.fft.fft(a, axis=0))
    assert_eq(sa.fft.rfft(x, n=8), np.fft.rfft(a, n=8))
    assert_eq(sa.fft.irfft(sa.fft.rfft(x)), np.fft.irfft(np.fft.rfft(a)))
    assert_eq(sa.fft.fft2(x), np.fft.fft2(a))
    assert_eq(sa.fft.ifftn(x), np.fft.ifftn(a))
    assert_eq(np.fft.fft(x), np.fft.fft(a))
    assert_eq(sa.fft.fftshift(x), np.fft.fftshift(a))
    assert_eq(sa.fft.fftfreq(10, 0.5, chunks=3), np.fft.fftfreq(10, 0.5))


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad(mode):
    a = np.arange(30.).reshape(5, 6)
    x = sa.from_array(a, chunks=(2, 4))
    assert_eq(sa.pad(x, ((2, 1), (3, 2)), mode=mode), np.pad(a, ((2, 1), (3, 2)), mode=mode))
    assert_eq(sa.pad(x, 1, mode=mode), np.pad(a, 1, mode=mode))
