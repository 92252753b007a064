"""Elementwise operations with NumPy broadcasting and NumPy's dtype rules.

``elemwise(op, *args)`` aligns the arguments' axes from the right, checks that shapes broadcast
(the error names them), unifies block boundaries, and builds one Blockwise layer. The result dtype is
found by applying ``op`` to empty arrays of the input dtypes, so Python scalars stay "weak" exactly
as in NumPy (``float32_array + 1.0`` stays float32).
"""

import functools
import numbers
import warnings

import numpy as np

from shoal.base import tokenize
from shoal.utils import funcname

from .blockwise import blockwise
from .core import Array, asarray_for_graph
from .tiling import elementwise_block

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def broadcast_shapes(*shapes):
    """NumPy's broadcast of ``shapes`` (NaN, unknown, axes broadcast with known ones of any size)."""
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(ndim):
        sizes = [s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0]
        known = {d for d in sizes if d == d and d != 1}
        unknown = [d for d in sizes if d != d]
        if len(known) > 1:
            raise ValueError(
                "operands could not be broadcast together with shapes "
                + " ".join(str(tuple(s)) for s in shapes)
            )
        out.append(known.pop() if known else (unknown[0] if unknown else 1))
    return tuple(out)


def _is_array_like(x):
    """Data to be chunked (NumPy arrays, lists); scalars, dtypes and functions stay literals."""
    if isinstance(x, Array) or isinstance(x, (np.generic, numbers.Number, str, bytes, np.dtype)):
        return False
    return isinstance(x, (np.ndarray, list)) or (hasattr(x, "__array__") and hasattr(x, "shape"))


def result_dtype(op, args, kwargs=None):
    """The dtype NumPy would give ``op(*args)``, from empty stand-ins of the array arguments."""
    samples = []
    for a in args:
        if isinstance(a, (Array, np.ndarray)):
            samples.append(np.empty((0,), dtype=a.dtype))
        else:
            samples.append(a)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = op(*samples, **(kwargs or {}))
        return getattr(out, "dtype", np.result_type(out) if not isinstance(out, tuple) else None)
    except Exception:
        arrays = [a for a in args if isinstance(a, (Array, np.ndarray))]
        return np.result_type(*[a.dtype for a in arrays]) if arrays else None


def elemwise(op, *args, dtype=None, name=None, where=True, out=None, **kwargs):
    """Apply ``op`` elementwise, broadcasting like NumPy: a lazy ``op(*args)``."""
    if where is not True or out is not None:
        raise NotImplementedError(
            f"{funcname(op)}: the where= and out= arguments are not supported on shoal arrays; "
            "use shoal.array.where(cond, result, other) instead"
        )
    args = [_as_array(a) if _is_array_like(a) else a for a in args]
    arrays = [a for a in args if isinstance(a, Array)]
    shape = broadcast_shapes(*[a.shape for a in arrays])
    ndim = len(shape)
    if dtype is None:
        dtype = result_dtype(op, args, kwargs)
    pairs = []
    for a in args:
        if isinstance(a, Array):
            pairs += [a, _LETTERS[ndim - a.ndim:ndim]]
        else:
            pairs += [a, None]
    token = name or f"{funcname(op)}-{tokenize(op, *[a.name if isinstance(a, Array) else a for a in args], dtype, kwargs)}"
    return blockwise(functools.partial(elementwise_block, op), _LETTERS[:ndim], *pairs, name=token, dtype=dtype,
                     **kwargs)


def _as_array(x):
    if hasattr(x, "__shoal_graph__") and not isinstance(x, Array):
        raise TypeError(f"cannot combine a shoal array with {type(x).__name__}")
    return asarray_for_graph(x)


def astype(x, dtype, casting="unsafe", copy=True):
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if not np.can_cast(x.dtype, dtype, casting=casting):
        raise TypeError(f"cannot cast array of shape {x.shape} from {x.dtype} to {dtype} under casting={casting!r}")
    return elemwise(_with_dtype, x, "astype", dtype, dtype=dtype, name=f"astype-{tokenize(x.name, dtype)}")


def _with_dtype(block, method, dtype):
    """``block.astype(dtype)`` or ``block.view(dtype)``: one helper for both block-level dtype changes."""
    return getattr(block, method)(dtype)


def clip(x, min=None, max=None):
    return elemwise(np.clip, x, min, max)


def round_(x, decimals=0):
    return elemwise(np.round, x, decimals)


def where(condition, x=None, y=None):
    """``np.where``: pick from ``x`` where ``condition`` holds, else from ``y``; one argument gives nonzero."""
    if x is None and y is None:
        from .routines import nonzero

        return nonzero(condition)
    if (x is None) != (y is None):
        raise ValueError("where() needs both x and y, or neither")
    return elemwise(np.where, condition, x, y)


def choose(a, choices):
    """``np.choose``: element ``i`` comes from ``choices[a[i]]``, all broadcast together."""
    return elemwise(_choose_block, a, *choices)


def _choose_block(index, *choices):
    return np.choose(index, choices)


def view(x, dtype):
    dtype = np.dtype(dtype)
    if dtype.itemsize != x.dtype.itemsize:
        if x.ndim == 0 or any(c % 1 for c in x.chunks[-1]):
            raise ValueError(f"cannot view array of shape {x.shape} as {dtype}")
        ratio = x.dtype.itemsize / dtype.itemsize
        chunks = x.chunks[:-1] + (tuple(int(c * ratio) for c in x.chunks[-1]),)
        return x.map_blocks(_with_dtype, "view", dtype, dtype=dtype, chunks=chunks)
    return elemwise(_with_dtype, x, "view", dtype, dtype=dtype)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return elemwise(np.isclose, a, b, rtol=rtol, atol=atol, equal_nan=equal_nan, dtype=bool)


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    return isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan).all()


def _make_ufunc(uf):
    def wrapper(*args, **kwargs):
        if uf.nout > 1:
            return tuple(
                elemwise(functools.partial(_nth_output, uf, i), *args,
                         name=f"{uf.__name__}-{i}-{tokenize(uf, i, *[getattr(a, 'name', a) for a in args])}")
                for i in range(uf.nout)
            )
        return elemwise(uf, *args, **kwargs)

    wrapper.__name__ = uf.__name__
    wrapper.__doc__ = f"Lazy, blockwise ``numpy.{uf.__name__}`` on shoal arrays."
    wrapper.outer = lambda a, b: outer_ufunc(uf, a, b)
    return wrapper


def _nth_output(uf, i, *args):
    return uf(*args)[i]


def outer_ufunc(uf, a, b):
    """``ufunc.outer(a, b)``: every pair of elements, as an array of shape a.shape + b.shape."""
    a, b = asarray_for_graph(a), asarray_for_graph(b)
    ia, ib = _LETTERS[:a.ndim], _LETTERS[a.ndim:a.ndim + b.ndim]
    dtype = result_dtype(uf, [a, b])
    return blockwise(uf.outer, ia + ib, a, ia, b, ib, dtype=dtype, token=f"{uf.__name__}-outer")


# vars(np), not dir(np): getattr on every name would import numpy's lazy submodules (f2py, testing)
UFUNCS = {name: _make_ufunc(value) for name, value in vars(np).items() if isinstance(value, np.ufunc)}


def angle(x, deg=False):
    return elemwise(np.angle, x, deg)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    return elemwise(np.nan_to_num, x, nan=nan, posinf=posinf, neginf=neginf)


def real(x):
    return elemwise(np.real, x)


def imag(x):
    return elemwise(np.imag, x)


def isreal(x):
    return elemwise(np.isreal, x)


def iscomplex(x):
    return elemwise(np.iscomplex, x)


def iscomplexobj(x):
    """``np.iscomplexobj``: whether the dtype is complex (no computation)."""
    return np.dtype(getattr(x, "dtype", np.asarray(x).dtype)).kind == "c"


def fix(x):
    return elemwise(np.fix, x)


def i0(x):
    return elemwise(np.i0, x)


def sinc(x):
    return elemwise(np.sinc, x)
