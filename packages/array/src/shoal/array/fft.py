"""``shoal.array.fft``: NumPy's FFTs along axes that are each one block (the other axes stay
chunked, so many transforms run in parallel). As in Dask, a transformed axis split over several
blocks is an error that says how to rechunk; ``fft_wrap`` makes the same from any NumPy-like FFT
function (e.g. scipy.fft's)."""

import functools

import numpy as np


def _as(x):
    from .io import asarray

    return asarray(x)


def _wrap(np_func, out_len, dtype_of, name=None):
    name = name or np_func.__name__

    def transform(a, n=None, axis=-1, norm=None):
        a = _as(a)
        ax = _one_block_axis(a, axis, name)
        length = out_len(a.shape[ax], n)
        chunks = tuple((length,) if d == ax else c for d, c in enumerate(a.chunks))
        call = _call_with_norm if norm is not None else _call
        return a.map_blocks(call, np_func, n, ax, norm, chunks=chunks, dtype=dtype_of(a.dtype))

    transform.__name__ = name
    transform.__doc__ = f"``{name}`` along ``axis``, which must be one block."
    return transform


def _call(block, func, n, axis, norm):
    return func(block, n, axis)


def _call_with_norm(block, func, n, axis, norm):
    return func(block, n, axis, norm=norm)


def _one_block_axis(a, axis, name):
    from .shape import normalize_axis

    ax = normalize_axis(axis, a.ndim, a.shape)
    if len(a.chunks[ax]) != 1:
        raise ValueError(
            f"{name} needs axis {ax} in one block, but the array of shape {a.shape} has chunks {a.chunks[ax]} "
            f"along it; rechunk first, e.g. x.rechunk({{{ax}: -1}})"
        )
    return ax


def _complex(dtype):
    return np.result_type(dtype, np.complex64) if np.dtype(dtype).kind == "c" else \
        (np.complex64 if dtype == np.float32 else np.complex128)


def _real(dtype):
    return np.float32 if np.dtype(dtype) == np.complex64 else np.float64


# output length along the axis (from input length m and n=) and output dtype, per kind of transform
_KINDS = {
    "fft": (lambda m, n: n or m, _complex), "ifft": (lambda m, n: n or m, _complex),
    "rfft": (lambda m, n: (n or m) // 2 + 1, _complex), "irfft": (lambda m, n: n or 2 * (m - 1), _real),
    "hfft": (lambda m, n: n or 2 * (m - 1), _real), "ihfft": (lambda m, n: (n or m) // 2 + 1, _complex),
}

fft = _wrap(np.fft.fft, *_KINDS["fft"])
ifft = _wrap(np.fft.ifft, *_KINDS["ifft"])
rfft = _wrap(np.fft.rfft, *_KINDS["rfft"])
irfft = _wrap(np.fft.irfft, *_KINDS["irfft"])
hfft = _wrap(np.fft.hfft, *_KINDS["hfft"])
ihfft = _wrap(np.fft.ihfft, *_KINDS["ihfft"])


def _nd(one_d, default_axes):
    def transform(a, s=None, axes=None, norm=None):
        a = _as(a)
        axes = default_axes(a.ndim) if axes is None else axes
        s = [None] * len(axes) if s is None else s
        for n, ax in zip(s, axes):
            a = one_d(a, n=n, axis=ax, norm=norm)
        return a

    return transform


def _real_nd(last, others, inverse):
    """rfftn/irfftn: the real transform on the last of ``axes``, complex ones on the others (first
    the others when going back)."""
    def transform(a, s=None, axes=None, norm=None):
        a = _as(a)
        axes = tuple(range(a.ndim)) if axes is None else tuple(axes)
        s = [None] * len(axes) if s is None else list(s)
        for ax in axes:
            _one_block_axis(a, ax, transform.__name__)
        if inverse:
            for n, ax in zip(s[:-1], axes[:-1]):
                a = others(a, n=n, axis=ax, norm=norm)
            return last(a, n=s[-1], axis=axes[-1], norm=norm)
        a = last(a, n=s[-1], axis=axes[-1], norm=norm)
        for n, ax in zip(s[:-1], axes[:-1]):
            a = others(a, n=n, axis=ax, norm=norm)
        return a

    return transform


def _two_d(nd):
    def transform(a, s=None, axes=(-2, -1), norm=None):
        return nd(a, s=s, axes=axes, norm=norm)

    return transform


fft2 = _nd(fft, lambda ndim: (-2, -1))
ifft2 = _nd(ifft, lambda ndim: (-2, -1))
fftn = _nd(fft, lambda ndim: tuple(range(ndim)))
ifftn = _nd(ifft, lambda ndim: tuple(range(ndim)))
rfftn = _real_nd(rfft, fft, inverse=False)
irfftn = _real_nd(irfft, ifft, inverse=True)
rfftn.__name__, irfftn.__name__ = "rfftn", "irfftn"
rfft2, irfft2 = _two_d(rfftn), _two_d(irfftn)
rfft2.__name__, irfft2.__name__ = "rfft2", "irfft2"

def fft_wrap(fft_func, kind=None, dtype=None):
    """A shoal-array version of a NumPy-like 1-d FFT function ``fft_func(a, n, axis)``.

    ``kind`` (fft, ifft, rfft, irfft, hfft, ihfft) sets the output length rule; it defaults to the
    function's name. ``dtype`` fixes the output dtype (default: NumPy's rule for the kind)."""
    kind = kind or getattr(fft_func, "__name__", "")
    if kind not in _KINDS:
        raise ValueError(f"fft_wrap: kind {kind!r} is not one of {', '.join(_KINDS)}; pass kind=")
    out_len, dtype_of = _KINDS[kind]
    name = getattr(fft_func, "__name__", kind)
    if dtype is None:
        return _wrap(fft_func, out_len, dtype_of, name=name)
    return _wrap(functools.partial(_cast, fft_func, np.dtype(dtype)), out_len, lambda _: np.dtype(dtype), name=name)


def _cast(func, dtype, *args, **kwargs):
    return func(*args, **kwargs).astype(dtype, copy=False)


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
