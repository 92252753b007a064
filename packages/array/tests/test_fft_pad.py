import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_fft_family():
    a = np.random.default_rng(0).random((12, 10))
    x = sa.from_array(a, chunks=(5, 4))
    rows, whole = x.rechunk({1: -1}), x.rechunk(-1)
    assert_eq(sa.fft.fft(rows), np.fft.fft(a))
    assert_eq(sa.fft.fft(x.rechunk({0: -1}), axis=0), np.fft.fft(a, axis=0))
    assert_eq(sa.fft.rfft(rows, n=8), np.fft.rfft(a, n=8))
    assert_eq(sa.fft.irfft(sa.fft.rfft(rows)), np.fft.irfft(np.fft.rfft(a)))
    assert_eq(sa.fft.fft2(whole), np.fft.fft2(a))
    assert_eq(sa.fft.ifftn(whole), np.fft.ifftn(a))
    assert_eq(np.fft.fft(rows), np.fft.fft(a))
    assert_eq(sa.fft.fftshift(x), np.fft.fftshift(a))
    assert_eq(sa.fft.fftfreq(10, 0.5, chunks=3), np.fft.fftfreq(10, 0.5))
    with pytest.raises(ValueError, match=r"axis 1 in one block.*\(12, 10\).*\(4, 4, 2\).*rechunk"):
        sa.fft.fft(x)


@pytest.mark.parametrize("name", ["fft2", "ifft2", "rfft2", "irfft2", "fftn", "ifftn", "rfftn", "irfftn"])
def test_multidimensional_ffts(name):
    a = np.random.default_rng(1).random((12, 10, 6))
    x = sa.from_array(a, chunks=(12, 10, 3))
    assert_eq(getattr(sa.fft, name)(x.rechunk(-1)), getattr(np.fft, name)(a))
    assert_eq(getattr(sa.fft, name)(x, s=(8, 6), axes=(1, 0), norm="ortho"),
              getattr(np.fft, name)(a, s=(8, 6), axes=(1, 0), norm="ortho"))
    assert_eq(getattr(np.fft, name)(x, axes=(0, 1)), getattr(np.fft, name)(a, axes=(0, 1)))
    with pytest.raises(ValueError, match="axis 2"):
        getattr(sa.fft, name)(x)


def test_fft_wrap_of_a_numpy_like_function():
    a = np.random.default_rng(2).random((6, 8))
    x = sa.from_array(a, chunks=(2, 8))
    calls = []

    def rfft(block, n=None, axis=-1):
        calls.append(block.shape)
        return np.fft.rfft(block, n, axis)

    wrapped = sa.fft.fft_wrap(rfft)
    assert_eq(wrapped(x, n=6), np.fft.rfft(a, n=6))
    assert calls  # the user's function did the work, block by block
    assert_eq(sa.fft.fft_wrap(np.fft.ihfft)(x), np.fft.ihfft(a))
    assert_eq(sa.fft.fft_wrap(np.fft.fft, dtype=np.complex64)(x), np.fft.fft(a).astype(np.complex64))
    with pytest.raises(ValueError, match="kind 'transform'"):
        sa.fft.fft_wrap(lambda a, n, axis: a, kind="transform")


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric", "wrap"])
def test_pad(mode):
    a = np.arange(30.).reshape(5, 6)
    x = sa.from_array(a, chunks=(2, 4))
    assert_eq(sa.pad(x, ((2, 1), (3, 2)), mode=mode), np.pad(a, ((2, 1), (3, 2)), mode=mode))
    assert_eq(sa.pad(x, 1, mode=mode), np.pad(a, 1, mode=mode))


PAD_CASES = [
    ("constant", {"constant_values": ((1, 2), (3, 4))}), ("linear_ramp", {}), ("linear_ramp", {"end_values": (5, -3)}),
    ("maximum", {}), ("minimum", {"stat_length": 2}), ("mean", {}), ("mean", {"stat_length": ((1, 2), (3, 1))}),
    ("median", {}), ("reflect", {}), ("symmetric", {}), ("wrap", {}), ("edge", {}),
]


@pytest.mark.parametrize("mode,kwargs", PAD_CASES)
@pytest.mark.parametrize("dtype", [float, int])
def test_pad_every_mode_and_width(mode, kwargs, dtype):
    a = (np.arange(30.).reshape(5, 6) ** 1.5).astype(dtype)
    x = sa.from_array(a, chunks=(2, 4))
    for width in [2, ((1, 3), (0, 2)), ((11, 13), (7, 14))]:  # the last is wider than the array
        assert_eq(sa.pad(x, width, mode=mode, **kwargs), np.pad(a, width, mode=mode, **kwargs))


def test_pad_odd_reflection_empty_and_function():
    a = np.arange(30.).reshape(5, 6) ** 1.5
    x = sa.from_array(a, chunks=(2, 4))
    for mode in ["reflect", "symmetric"]:
        assert_eq(sa.pad(x, ((1, 3), (4, 2)), mode=mode, reflect_type="odd"),
                  np.pad(a, ((1, 3), (4, 2)), mode=mode, reflect_type="odd"))
    assert sa.pad(x, 2, mode="empty").shape == (9, 10)

    def mark(vector, width, axis, kwargs):
        vector[:width[0]] = kwargs.get("value", 10) + axis
        if width[1]:
            vector[-width[1]:] = -1 - axis

    assert_eq(sa.pad(x, ((1, 2), (3, 1)), mark), np.pad(a, ((1, 2), (3, 1)), mark))
    assert_eq(np.pad(x, 2, mark, value=4), np.pad(a, 2, mark, value=4))
    with pytest.raises(ValueError, match="unknown mode 'mirror'"):
        sa.pad(x, 1, mode="mirror")
    with pytest.raises(ValueError, match=r"empty axis 0 of an array of shape \(0, 6\)"):
        sa.pad(x[:0], 1, mode="edge")
