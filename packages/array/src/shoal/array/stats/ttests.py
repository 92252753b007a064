"""Student's t-tests on shoal arrays, as in scipy.stats: ``ttest_1samp``, ``ttest_ind`` (pooled or
Welch's) and ``ttest_rel``. Each returns a Delayed of scipy's TtestResult, so ``t, p = ttest_ind(a, b)``
unpacks and ``.compute()`` gives scipy's object (``df`` and ``confidence_interval()`` included).
"""

import numpy as np

from . import _samples, _scipy


def _mean_and_variance(a, axes, omit):
    """Count, mean and unbiased (ddof=1) variance along ``axes``."""
    n = _samples.count(a, axes, omit)
    center = _samples.mean(a, axes, omit)
    m2 = _samples.central_moment(a, 2, axes, omit, center)
    return n, center, _samples.per_element(_unbiased, m2, n)


def _unbiased(m2, n):
    with np.errstate(all="ignore"):
        return m2 * n / (n - 1.0)


def _ratio(estimate, standard_error):
    with np.errstate(all="ignore"):
        return estimate / standard_error


def _one_sample_error(variance, n):
    with np.errstate(all="ignore"):
        return np.sqrt(variance / n)


def _pooled(v1, n1, v2, n2):
    """Standard error and degrees of freedom of a difference of means, both variances equal."""
    with np.errstate(all="ignore"):
        df = n1 + n2 - 2.0
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        return np.sqrt(pooled * (1.0 / n1 + 1.0 / n2)), np.broadcast_to(df, np.shape(pooled))


def _welch(v1, n1, v2, n2):
    """Standard error and Welch-Satterthwaite degrees of freedom of a difference of means."""
    with np.errstate(all="ignore"):
        vn1, vn2 = v1 / n1, v2 / n2
        df = (vn1 + vn2) ** 2 / (vn1 ** 2 / (n1 - 1) + vn2 ** 2 / (n2 - 1))
        return np.sqrt(vn1 + vn2), np.where(np.isnan(df), 1.0, df)


def _standard_error(v1, n1, v2, n2, equal_var):
    return (_pooled if equal_var else _welch)(v1, n1, v2, n2)[0]


def _degrees_of_freedom(v1, n1, v2, n2, equal_var):
    return (_pooled if equal_var else _welch)(v1, n1, v2, n2)[1]


def _df_like(df, template):
    return np.broadcast_to(df, np.shape(template)).copy()


def _t_result(estimate, hypothesis, standard_error, df, axes, alternative, keepdims, df_dtype=np.float64):
    """The TtestResult of ``estimate`` against the ``hypothesis`` value (scipy's confidence interval is
    for the estimate itself)."""
    t = _samples.per_element(_ratio, estimate - hypothesis, standard_error)
    df = _samples.per_element(_df_like, df, t, dtype=df_dtype)
    p = _samples.per_element(_scipy.tail_probability, t, df, distribution="t", alternative=alternative)
    parts = [_samples.finish(x, axes, keepdims) for x in (t, p, df, standard_error, estimate)]
    return _scipy.delayed_ttest_result(*parts[:3], alternative, *parts[3:])


def _one_sample(a, popmean, axes, omit, alternative, keepdims):
    n, center, variance = _mean_and_variance(a, axes, omit)
    standard_error = _samples.per_element(_one_sample_error, variance, n)
    return _t_result(center, popmean, standard_error, n - 1, axes, alternative, keepdims, df_dtype=np.int64)


def ttest_1samp(a, popmean, axis=0, nan_policy="propagate", alternative="two-sided", *, keepdims=False):
    """``scipy.stats.ttest_1samp``: is the mean of ``a`` along ``axis`` equal to ``popmean``?"""
    omit = _samples.check_nan_policy(nan_policy, "ttest_1samp")
    _scipy.check_alternative(alternative)
    a = _samples.as_sample(a, nan_policy)
    axes = _samples.sample_axes(a, axis)
    if 0 < np.ndim(popmean) == a.ndim - len(axes):
        # one population mean per slice: give it back the sample axes so it lines up with the means
        popmean = np.expand_dims(popmean if hasattr(popmean, "ndim") else np.asarray(popmean), axes)
    return _one_sample(a, popmean, axes, omit, alternative, keepdims)


def ttest_rel(a, b, axis=0, nan_policy="propagate", alternative="two-sided", *, keepdims=False):
    """``scipy.stats.ttest_rel``: are the means of the paired samples ``a`` and ``b`` equal (a one-sample
    test of ``a - b`` against 0)?"""
    omit = _samples.check_nan_policy(nan_policy, "ttest_rel")
    _scipy.check_alternative(alternative)
    a, b = _samples.as_sample(a, nan_policy), _samples.as_sample(b, nan_policy)
    difference = a - b
    axes = _samples.sample_axes(difference, axis)
    if any(x.ndim == difference.ndim and x.shape[d] != difference.shape[d] for x in (a, b) for d in axes):
        raise ValueError(f"ttest_rel: unequal length arrays along axis {axis}: shapes {a.shape} and {b.shape}")
    return _one_sample(difference, 0.0, axes, omit, alternative, keepdims)


def ttest_ind(a, b, axis=0, equal_var=True, nan_policy="propagate", *, alternative="two-sided", trim=0,
              method=None, keepdims=False):
    """``scipy.stats.ttest_ind``: are the means of the independent samples ``a`` and ``b`` equal?
    ``equal_var=False`` gives Welch's test."""
    if trim:
        raise NotImplementedError(f"ttest_ind: trim={trim!r} (Yuen's trimmed test) is not supported on shoal arrays")
    if method is not None:
        raise NotImplementedError(f"ttest_ind: method={method!r} (permutation/Monte Carlo) is not supported on "
                                  "shoal arrays")
    omit = _samples.check_nan_policy(nan_policy, "ttest_ind")
    _scipy.check_alternative(alternative)
    a, b = _samples.as_sample(a, nan_policy), _samples.as_sample(b, nan_policy)
    n1, m1, v1 = _mean_and_variance(a, _samples.sample_axes(a, axis), omit)
    n2, m2, v2 = _mean_and_variance(b, _samples.sample_axes(b, axis), omit)
    standard_error = _samples.per_element(_standard_error, v1, n1, v2, n2, equal_var=equal_var)
    df = _samples.per_element(_degrees_of_freedom, v1, n1, v2, n2, equal_var=equal_var)
    axes = tuple(range(standard_error.ndim)) if axis is None else _samples.sample_axes(standard_error, axis)
    return _t_result(m1 - m2, 0.0, standard_error, df, axes, alternative, keepdims)
