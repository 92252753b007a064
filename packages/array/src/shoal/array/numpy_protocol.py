"""NumPy's protocols: ``np.exp(x)`` (``__array_ufunc__``) and ``np.sum(x)`` (``__array_function__``)
return shoal arrays. NumPy functions without a lazy shoal version compute their arguments first and
warn that they did."""

import warnings

import numpy as np

from .core import Array


def array_ufunc(x, ufunc, method, *inputs, **kwargs):
    from . import elementwise, reductions
    from .chunk_types import should_defer

    if any(should_defer(i) for i in inputs):
        return NotImplemented
    if kwargs.get("out") is not None:
        return NotImplemented
    kwargs.pop("out", None)
    if method == "__call__":
        if ufunc is np.matmul:
            from .products import matmul

            return matmul(*inputs, **kwargs)
        if ufunc.nout > 1:
            return elementwise.UFUNCS[ufunc.__name__](*inputs, **kwargs)
        return elementwise.elemwise(ufunc, *inputs, **kwargs)
    if method == "outer":
        return elementwise.outer_ufunc(ufunc, *inputs)
    if method == "reduce":
        table = {"add": reductions.sum, "multiply": reductions.prod, "minimum": reductions.min,
                 "maximum": reductions.max, "logical_and": reductions.all, "logical_or": reductions.any}
        if ufunc.__name__ in table:
            axis = kwargs.pop("axis", 0)
            return table[ufunc.__name__](inputs[0], axis=axis, **kwargs)
    if method == "accumulate" and ufunc.__name__ in ("add", "multiply"):
        from .cumulative import cumprod, cumsum

        return (cumsum if ufunc.__name__ == "add" else cumprod)(inputs[0], axis=kwargs.get("axis", 0))
    return NotImplemented


def _table():
    import shoal.array as sa

    names = [
        "sum", "prod", "mean", "std", "var", "min", "max", "amin", "amax", "any", "all", "argmin", "argmax",
        "nansum", "nanprod", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax", "nanargmin", "nanargmax",
        "cumsum", "cumprod", "nancumsum", "nancumprod", "count_nonzero", "ptp", "average",
        "concatenate", "stack", "block", "hstack", "vstack", "dstack", "where", "clip", "round", "around",
        "transpose", "reshape", "ravel", "squeeze", "expand_dims", "moveaxis", "swapaxes", "rollaxis",
        "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_to",
        "dot", "matmul", "tensordot", "einsum", "outer", "inner", "vdot",
        "histogram", "histogram2d", "histogramdd", "percentile", "nanpercentile", "quantile", "median",
        "unique", "bincount", "digitize", "isin", "apply_along_axis", "nonzero", "argwhere", "flatnonzero",
        "repeat", "tile", "trace", "diff", "take", "roll", "flip", "fliplr", "flipud", "isclose", "allclose",
        "ones_like", "zeros_like", "empty_like", "full_like", "diag", "diagonal", "tril", "triu",
        "real", "imag", "angle", "nan_to_num", "shape", "ndim", "size", "array_equal", "searchsorted",
        "linspace", "arange", "cov", "corrcoef", "append", "insert", "delete", "pad", "select", "piecewise",
        "result_type", "ravel_multi_index", "unravel_index", "compress", "extract", "ediff1d", "gradient", "sort_complex", "iscomplexobj",
        "rot90", "broadcast_arrays", "tril_indices", "triu_indices", "choose", "meshgrid", "indices", "fromfunction",
        "var", "ptp", "tri", "eye", "identity", "full", "ones", "zeros", "empty", "cumulative_sum", "cumulative_prod",
        "take_along_axis", "apply_over_axes", "union1d", "tril_indices_from", "triu_indices_from", "isneginf",
        "isposinf",
    ]
    table = {getattr(np, n): getattr(sa, n) for n in names if hasattr(np, n) and hasattr(sa, n)}
    for n in ["norm", "qr", "svd", "solve", "inv", "cholesky", "lstsq"]:
        if hasattr(np.linalg, n):
            table[getattr(np.linalg, n)] = getattr(sa.linalg, n)
    for n in ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "fftn", "ifftn", "rfft2", "irfft2", "rfftn", "irfftn",
              "hfft", "ihfft", "fftshift", "ifftshift"]:
        if hasattr(sa.fft, n):
            table[getattr(np.fft, n)] = getattr(sa.fft, n)
    return table


_TABLE = None


def array_function(func, types, args, kwargs):
    from .chunk_types import is_valid_chunk_type

    global _TABLE
    if _TABLE is None:
        _TABLE = _table()
    if not all(issubclass(t, Array) or is_valid_chunk_type(t) or t.__module__.startswith("numpy") for t in types):
        return NotImplemented
    impl = _TABLE.get(func)
    if impl is not None:
        return impl(*args, **kwargs)
    warnings.warn(
        f"numpy.{func.__name__} has no lazy shoal.array version: the shoal arrays are computed and "
        "numpy's function runs on the results",
        UserWarning,
        stacklevel=3,
    )
    args, kwargs = _computed((args, kwargs))
    return func(*args, **kwargs)


def _computed(obj):
    from shoal.base import compute

    if isinstance(obj, Array):
        return compute(obj)[0]
    if isinstance(obj, (list, tuple)):
        return type(obj)(_computed(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _computed(v) for k, v in obj.items()}
    return obj
