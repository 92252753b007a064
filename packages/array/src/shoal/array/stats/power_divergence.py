"""Cressie-Read power divergence tests on shoal arrays, as in scipy.stats: ``power_divergence`` and its
Pearson special case ``chisquare``. Observed and expected frequencies are compared per element, summed
along ``axis`` and referred to chi-squared with k - 1 - ddof degrees of freedom.
"""

import numpy as np

from . import _samples, _scipy

LAMBDA_NAMES = {"pearson": 1.0, "log-likelihood": 0.0, "freeman-tukey": -0.5, "mod-log-likelihood": -1.0,
                "neyman": -2.0, "cressie-read": 2.0 / 3.0}


def _lambda_value(lambda_):
    if lambda_ is None:
        return 1.0
    if isinstance(lambda_, str):
        if lambda_ not in LAMBDA_NAMES:
            raise ValueError(f"power_divergence: invalid lambda_ {lambda_!r}; use a number or one of "
                             f"{sorted(LAMBDA_NAMES)}")
        return LAMBDA_NAMES[lambda_]
    return float(lambda_)


def _divergence_terms(observed, expected, lambda_):
    from scipy.special import xlogy

    with np.errstate(all="ignore"):
        if lambda_ == 1:
            return (observed - expected) ** 2 / expected
        if lambda_ == 0:
            return 2.0 * xlogy(observed, observed / expected)
        if lambda_ == -1:
            return 2.0 * xlogy(expected, expected / observed)
        return 2.0 / (lambda_ * (lambda_ + 1)) * observed * ((observed / expected) ** lambda_ - 1)


def _checked_statistic(statistic, observed_total, expected_total):
    """The statistic, after scipy's check that observed and expected frequencies have the same totals."""
    tolerance = np.sqrt(np.finfo(np.float64).eps)
    with np.errstate(all="ignore"):
        difference = np.abs(observed_total - expected_total) / np.minimum(observed_total, expected_total)
    if np.any(difference > tolerance):
        raise ValueError(
            "For each axis slice, the sum of the observed frequencies must agree with the sum of the expected "
            f"frequencies to a relative tolerance of {tolerance}, but the relative differences are: "
            f"{np.ravel(difference)[np.ravel(difference) > tolerance]}"
        )
    return statistic


def _divergence(f_obs, f_exp, ddof, axis, lambda_, sum_check, keepdims, nan_policy):
    f_obs = _samples.as_sample(f_obs, nan_policy)
    axes = _samples.sample_axes(f_obs, axis)
    if f_exp is None:
        f_exp = _samples.mean(f_obs, axes, omit=False)
    else:
        f_exp = _samples.as_sample(f_exp, nan_policy)
    terms = _samples.per_element(_divergence_terms, f_obs, f_exp, lambda_=_lambda_value(lambda_))
    axes = _samples.sample_axes(terms, axis)
    statistic = terms.sum(axis=axes, keepdims=True)
    if sum_check:
        from ..creation import broadcast_to

        expected_total = broadcast_to(f_exp, terms.shape).sum(axis=axes, keepdims=True)
        statistic = _samples.per_element(_checked_statistic, statistic, f_obs.sum(axis=axes, keepdims=True),
                                         expected_total)
    k = _samples.count(terms, axes, omit=False)
    p = _samples.per_element(_scipy.tail_probability, statistic, k - 1 - ddof,
                             distribution="chi2", alternative="greater")
    return _scipy.delayed_result("power_divergence", _samples.finish(statistic, axes, keepdims),
                                 _samples.finish(p, axes, keepdims))


def power_divergence(f_obs, f_exp=None, ddof=0, axis=0, lambda_=None, *, nan_policy="propagate",
                     keepdims=False):
    """``scipy.stats.power_divergence``: Cressie-Read statistic of observed ``f_obs`` against expected
    ``f_exp`` (default: uniform, the mean of ``f_obs``) along ``axis``. ``lambda_`` is a number or one
    of 'pearson', 'log-likelihood', 'freeman-tukey', 'mod-log-likelihood', 'neyman', 'cressie-read'.
    Returns a Delayed of scipy's Power_divergenceResult (statistic, pvalue)."""
    _samples.check_nan_policy(nan_policy, "power_divergence", omit=False)
    return _divergence(f_obs, f_exp, ddof, axis, lambda_, True, keepdims, nan_policy)


def chisquare(f_obs, f_exp=None, ddof=0, axis=0, *, sum_check=True, nan_policy="propagate", keepdims=False):
    """``scipy.stats.chisquare``: Pearson's chi-squared test of ``f_obs`` against ``f_exp`` (default:
    uniform) along ``axis``. With ``sum_check`` computing raises if the totals differ, as in scipy."""
    _samples.check_nan_policy(nan_policy, "chisquare", omit=False)
    return _divergence(f_obs, f_exp, ddof, axis, "pearson", sum_check, keepdims, nan_policy)
