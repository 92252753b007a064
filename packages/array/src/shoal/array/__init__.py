"""shoal.array: chunked n-dimensional arrays with the NumPy interface, computed by shoal.

``import shoal.array as sa``; ``x = sa.random.random((10000, 10000), chunks=(1000, 1000))``;
``(x - x.mean(axis=0)).std().compute()``. An Array is a grid of NumPy blocks plus a task graph.
"""

from importlib import resources as _resources

import yaml as _yaml

import shoal.config as _config

_config.update_defaults(_yaml.safe_load(_resources.files(__name__).joinpath("array.yaml").read_text()))

from . import fft, image, lib, linalg, ma, overlap, random, stats  # noqa: E402, F401
from .blockwise import blockwise, unify_chunks  # noqa: E402, F401
from .calculus import ediff1d, gradient  # noqa: E402, F401
from .chunk_types import register_chunk_type  # noqa: E402, F401
from .chunks import normalize_chunks  # noqa: E402, F401
from .coarsening import coarsen  # noqa: E402, F401
from .conditional import piecewise, select  # noqa: E402, F401
from .editing import append, delete, insert  # noqa: E402, F401
from .index_math import ravel_multi_index, searchsorted, unravel_index  # noqa: E402, F401
from .concatenate import block, concatenate, dstack, hstack, stack, vstack  # noqa: E402, F401
from .core import Array  # noqa: E402, F401
from .creation import (  # noqa: E402, F401
    arange, broadcast_arrays, broadcast_to, diag, diagonal, empty, empty_like, eye, fromfunction, full, full_like,
    identity, indices, linspace, meshgrid, ones, ones_like, tri, tril_indices, triu_indices, zeros, zeros_like,
)
from .cumulative import cumprod, cumsum, nancumprod, nancumsum  # noqa: E402, F401
from .elementwise import (  # noqa: E402, F401
    UFUNCS as _UFUNCS, allclose, angle, astype, choose, clip, elemwise, fix, i0, imag, iscomplex, iscomplexobj,
    isclose, isreal, nan_to_num, real, round_, sinc, where,
)
from .io import (  # noqa: E402, F401
    array, asanyarray, asarray, from_array, from_delayed, from_npy_stack, from_zarr, store, to_hdf5,
    to_npy_stack, to_zarr,
)
from .generalized_ufunc import apply_gufunc, as_gufunc, gufunc  # noqa: E402, F401
from .map_blocks import map_blocks  # noqa: E402, F401
from .numpy_extras import (  # noqa: E402, F401
    apply_over_axes, frompyfunc, isneginf, isnull, isposinf, notnull, take_along_axis, tril_indices_from,
    triu_indices_from, union1d,
)
from .overlap import map_overlap  # noqa: E402, F401
from .padding import pad  # noqa: E402, F401
from .products import dot, einsum, inner, matmul, outer, tensordot, vdot  # noqa: E402, F401
from .rechunk import rechunk  # noqa: E402, F401
from .reductions import (  # noqa: E402, F401
    all, amax, amin, any, argmax, argmin, average, count_nonzero, max, mean, min, moment, nanargmax,
    nanargmin, nanmax, nanmean, nanmin, nanprod, nanstd, nansum, nanvar, prod, ptp, reduction, std, sum, var,
)
from .reshape import ravel, reshape  # noqa: E402, F401
from .shuffle import shuffle  # noqa: E402, F401
from .routines import (  # noqa: E402, F401
    apply_along_axis, argtopk, argwhere, around, array_equal, bincount, compress, corrcoef, cov, diff,
    digitize, extract, flatnonzero, flip, fliplr, flipud, histogram, histogram2d, histogramdd, isin, median,
    nanmedian, nanpercentile, nanquantile, nonzero, percentile, quantile, repeat, roll, rot90, take, tile, topk,
    trace, tril, triu, unique,
)
from .shape import (  # noqa: E402, F401
    atleast_1d, atleast_2d, atleast_3d, expand_dims, moveaxis, ndim, rollaxis, shape, size, squeeze,
    swapaxes, transpose,
)
from .slicing import vindex  # noqa: E402, F401

round = round_
globals().update({k: v for k, v in _UFUNCS.items() if k not in globals()})


def compute(*args, **kwargs):
    from shoal.base import compute as _compute

    return _compute(*args, **kwargs)


def persist(*args, **kwargs):
    from shoal.base import persist as _persist

    return _persist(*args, **kwargs)


def result_type(*arrays_and_dtypes):
    import numpy as _np

    return _np.result_type(*[getattr(a, "dtype", a) for a in arrays_and_dtypes])


newaxis = None
__version__ = "0.1.0"
