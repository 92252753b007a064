"""Moments of shoal arrays as scipy.stats computes them: ``moment``, ``skew`` and ``kurtosis``.

The central moments are reductions along ``axis``; the formulas that turn them into skewness and
kurtosis (bias corrections, NaN for constant slices) run per element on the small reduced arrays.
"""

import numpy as np

from . import _samples


def moment(a, order=1, axis=0, nan_policy="propagate", *, center=None, keepdims=False, moment=None):
    """``scipy.stats.moment``: the ``order``-th central moment (about ``center``, default the mean)
    along ``axis``; a list of orders gives one moment per order, stacked along a new first axis.
    ``moment=`` is accepted as the older name of ``order``."""
    from ..concatenate import stack

    order = moment if moment is not None else order
    omit = _samples.check_nan_policy(nan_policy, "moment")
    a = _samples.as_sample(a, nan_policy)
    axes = _samples.sample_axes(a, axis)
    orders = np.asarray(order)
    if orders.dtype.kind not in "iu" or (orders < 0).any():
        raise ValueError(f"moment: order must be a non-negative integer or a list of them, got {order!r}")
    found = _samples.central_moments(a, [int(k) for k in orders.ravel()], axes, omit, center)
    if orders.ndim == 0:
        return _samples.finish(found[int(orders)], axes, keepdims).astype(a.dtype)
    return stack([_samples.finish(found[int(k)], axes, keepdims) for k in orders]).astype(a.dtype)


def _skew_block(m2, m3, mean, n, bias):
    with np.errstate(all="ignore"):
        constant = _is_constant(m2, mean)
        out = np.where(constant, np.nan, m3 / m2 ** 1.5)
        if not bias:
            corrected = np.sqrt((n - 1.0) * n) / (n - 2.0) * m3 / m2 ** 1.5
            out = np.where(~constant & (n > 2), corrected, out)
    return out


def _kurtosis_block(m2, m4, mean, n, fisher, bias):
    with np.errstate(all="ignore"):
        constant = _is_constant(m2, mean)
        out = np.where(constant, np.nan, m4 / m2 ** 2.0)
        if not bias:
            corrected = 1.0 / (n - 2) / (n - 3) * ((n * n - 1.0) * m4 / m2 ** 2.0 - 3 * (n - 1) ** 2.0) + 3.0
            out = np.where(~constant & (n > 3), corrected, out)
    return out - 3 if fisher else out


def _is_constant(m2, mean):
    """Slices whose variance is lost in rounding (scipy reports NaN for them)."""
    eps = np.finfo(m2.dtype).resolution * 10
    return m2 <= (eps * mean) ** 2


def _moments(a, axis, nan_policy, what, orders):
    omit = _samples.check_nan_policy(nan_policy, what)
    a = _samples.as_sample(a, nan_policy)
    axes = _samples.sample_axes(a, axis)
    center = _samples.mean(a, axes, omit)
    found = _samples.central_moments(a, orders, axes, omit, center)
    return a, axes, omit, center, found


def skew(a, axis=0, bias=True, nan_policy="propagate", *, keepdims=False):
    """``scipy.stats.skew``: the sample skewness m3 / m2**1.5 along ``axis`` (``bias=False`` for the
    adjusted Fisher-Pearson coefficient)."""
    a, axes, omit, center, m = _moments(a, axis, nan_policy, "skew", (2, 3))
    n = _samples.count(a, axes, omit)
    out = _samples.per_element(_skew_block, m[2], m[3], center, n, bias=bias)
    return _samples.finish(out, axes, keepdims).astype(a.dtype)


def kurtosis(a, axis=0, fisher=True, bias=True, nan_policy="propagate", *, keepdims=False):
    """``scipy.stats.kurtosis``: m4 / m2**2 along ``axis``, minus 3 when ``fisher`` (so a normal sample
    gives about 0); ``bias=False`` corrects for the sample size."""
    a, axes, omit, center, m = _moments(a, axis, nan_policy, "kurtosis", (2, 4))
    n = _samples.count(a, axes, omit)
    out = _samples.per_element(_kurtosis_block, m[2], m[4], center, n, fisher=fisher, bias=bias)
    return _samples.finish(out, axes, keepdims).astype(a.dtype)
