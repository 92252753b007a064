"""``shoal.array.fft``: NumPy's FFTs along axes that are brought into a single block each (the
other axes stay chunked, so many 1-d transforms run in parallel)."""

import numpy as np


def _as(x):
    from .io import asarray

    return asarray(x)


def _wrap(np_func, out_len, dtype_of):
    def transform(a, n=None, axis=-1, norm=None):
        a = _as(a)
        ax = axis % a.ndim
        a = a.rechunk({ax: -1})
        length = out_len(a.shape[ax], n)
        chunks = tuple((length,) if d == ax else c for d, c in enumerate(a.chunks))
        return a.map_blocks(np_func, n, ax, norm, chunks=chunks, dtype=dtype_of(a.dtype))

    transform.__name__ = np_func.__name__
    transform.__doc__ = f"``numpy.fft.{np_func.__name__}`` along ``axis`` (made one block)."
    return transform


def _complex(dtype):
    return np.result_type(dtype, np.complex64) if np.dtype(dtype).kind == "c" else \
        (np.complex64 if dtype == np.float32 else np.complex128)


def _real(dtype):
    return np.float32 if np.dtype(dtype) == np.complex64 else np.float64


fft = _wrap(np.fft.fft, lambda m, n: n or m, _complex)
ifft = _wrap(np.fft.ifft, lambda m, n: n or m, _complex)
rfft = _wrap(np.fft.rfft, lambda m, n: (n or m) // 2 + 1, _complex)
irfft = _wrap(np.fft.irfft, lambda m, n: n or 2 * (m - 1), _real)
hfft = _wrap(np.fft.hfft, lambda m, n: n or 2 * (m - 1), _real)
ihfft = _wrap(np.fft.ihfft, lambda m, n: (n or m) // 2 + 1, _complex)


def _nd(one_d, default_axes):
    def transform(a, s=None, axes=None, norm=None):
        a = _as(a)
        axes = default_axes(a.ndim) if axes is None else axes
        s = [None] * len(axes) if s is None else s
        for n, ax in zip(s, axes):
            a = one_d(a, n=n, axis=ax, norm=norm)
        return a

    return transform


fft2 = _nd(fft, lambda ndim: (-2, -1))
ifft2 = _nd(ifft, lambda ndim: (-2, -1))
fftn = _nd(fft, lambda ndim: tuple(range(ndim)))
ifftn = _nd(ifft, lambda ndim: tuple(range(ndim)))


def fftfreq(n, d=1.0, chunks="auto"):
    from .io import from_array

    return from_array(np.fft.fftfreq(n, d), chunks=chunks)


def rfftfreq(n, d=1.0, chunks="auto"):
    from .io import from_array

    return from_array(np.fft.rfftfreq(n, d), chunks=chunks)


def fftshift(x, axes=None):
    from .routines import roll

    x = _as(x)
    axes = tuple(range(x.ndim)) if axes is None else np.atleast_1d(axes).tolist()
    for ax in axes:
        x = roll(x, x.shape[ax] // 2, axis=ax)
    return x


def ifftshift(x, axes=None):
    from .routines import roll

    x = _as(x)
    axes = tuple(range(x.ndim)) if axes is None else np.atleast_1d(axes).tolist()
    for ax in axes:
        x = roll(x, -(x.shape[ax] // 2), axis=ax)
    return x
