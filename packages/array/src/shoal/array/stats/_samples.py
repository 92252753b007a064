"""What every shoal.array.stats function does with its arguments: turn samples into floating shoal
arrays, resolve ``axis`` (``None`` means all axes, as flattening does in scipy), apply ``nan_policy``,
and reduce along the sample axes keeping them as length 1 so that results broadcast against the data.
"""

import functools
import math

import numpy as np

NAN_POLICIES = ("propagate", "omit", "raise")


def check_nan_policy(nan_policy, what, omit=True):
    """Validate ``nan_policy``; ``omit=False`` for functions that cannot leave NaNs out."""
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"{what}: nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")
    if nan_policy == "omit" and not omit:
        raise NotImplementedError(
            f"{what}: nan_policy='omit' is not supported on shoal arrays; use nan_policy='propagate' or "
            "'raise', or remove the NaNs first"
        )
    return nan_policy == "omit"


def as_sample(a, nan_policy="propagate"):
    """A floating shoal array; with nan_policy='raise' computing it raises on the first NaN."""
    from ..io import asarray

    a = asarray(a)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    if nan_policy == "raise":
        a = a.map_blocks(_raise_on_nan, dtype=a.dtype)
    return a


def _raise_on_nan(block):
    if np.isnan(block).any():
        raise ValueError("The input contains nan values (nan_policy='raise')")
    return block


def sample_axes(a, axis):
    """``axis`` as a tuple of non-negative axes of ``a`` (all of them for ``None``)."""
    if axis is None:
        return tuple(range(a.ndim))
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer or None, got {axis!r}")
    if not -a.ndim <= axis < max(a.ndim, 1):
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for an array of shape {a.shape}")
    return (int(axis) % max(a.ndim, 1),) if a.ndim else ()


def count(a, axes, omit):
    """Observations per slice: an int, or a shoal array of counts when NaNs are omitted or the block
    sizes along ``axes`` are unknown (after boolean indexing)."""
    if omit:
        return (~np.isnan(a)).sum(axis=axes, keepdims=True)
    n = math.prod(a.shape[d] for d in axes)
    if math.isnan(n):
        return (np.isnan(a) | True).sum(axis=axes, keepdims=True)
    return n


def mean(a, axes, omit):
    from ..reductions import mean as plain, nanmean

    return (nanmean if omit else plain)(a, axis=axes, keepdims=True)


def central_moments(a, orders, axes, omit, center=None):
    """``{k: mean((a - center) ** k)}`` along ``axes`` for every order ``k`` (``center`` defaults to the
    mean), all orders in one pass over the data. Kept two-pass (mean first) so it is as accurate as
    scipy rather than built from raw power sums."""
    from ..core import Array
    from ..reductions import reduction

    if center is None:
        center = mean(a, axes, omit)
        exact = {0: 1.0, 1: 0.0}
    else:
        exact = {0: 1.0}
    summed = sorted({k for k in orders if k not in exact})
    out = {k: mean(a * 0 + exact[k], axes, omit) for k in orders if k in exact}
    if summed:
        deviations = (a - center)[..., None]  # a new last axis holds one moment per order
        stacked = reduction(deviations, functools.partial(_power_sums, orders=summed, skipna=omit),
                            functools.partial(_power_means, orders=summed), combine=_add_sums, axis=axes,
                            keepdims=True, dtype=np.float64, name="central-moments")
        stacked = Array(stacked.dask, stacked.name, stacked.chunks[:-1] + ((len(summed),),), stacked.dtype)
        out.update({k: stacked[..., i] for i, k in enumerate(summed)})
    return out


def central_moment(a, order, axes, omit, center=None):
    """``mean((a - center) ** order)`` along ``axes`` (``center`` defaults to the mean)."""
    return central_moments(a, (order,), axes, omit, center)[order]


def _power_sums(block, axis, keepdims, orders, skipna):
    """Per block: the count and the sums of the powers ``orders`` of the deviations, along ``axis``."""
    block = block[..., 0]
    present = ~np.isnan(block) if skipna else np.ones(block.shape, dtype=bool)
    if skipna:
        block = np.where(present, block, 0.0)
    sums = {"n": present.sum(axis=axis, keepdims=True)[..., None]}
    power = np.ones_like(block, dtype=np.float64)
    for k in range(1, max(orders) + 1):
        power = power * block
        if k in orders:
            sums[k] = power.sum(axis=axis, keepdims=True)[..., None]
    return sums


def _add_sums(parts, axis, keepdims):
    return {k: v.sum(axis=axis, keepdims=True) for k, v in parts.items()}


def _power_means(parts, axis, keepdims, orders):
    sums = _add_sums(parts, axis, keepdims)
    with np.errstate(all="ignore"):
        return np.concatenate([sums[k] / sums["n"] for k in orders], axis=-1)


def per_element(func, *args, dtype=np.float64, **params):
    """``func(*blocks, **params)`` on matching blocks of the reduced arrays, as a shoal array."""
    from ..elementwise import elemwise

    return elemwise(functools.partial(func, **params), *args, dtype=dtype)


def finish(x, axes, keepdims):
    """Drop the sample axes (kept as length 1 while computing) unless ``keepdims``."""
    if keepdims or not axes:
        return x
    return x.squeeze(axis=axes)
