"""Normality tests on shoal arrays, as in scipy.stats: ``skewtest`` (D'Agostino), ``kurtosistest``
(Anscombe and Glynn) and ``normaltest`` (D'Agostino and Pearson, both combined).

The sample skewness and kurtosis are reductions; the z-scores and p-values are per-element formulas on
the reduced arrays. Slices with fewer observations than a test needs give NaN, as in scipy.
"""

import numpy as np

from . import _samples, _scipy
from .moments import _kurtosis_block, _moments, _skew_block


def _skewtest_block(b2, n):
    """D'Agostino's z-score of the (biased) sample skewness ``b2`` of ``n`` observations."""
    with np.errstate(all="ignore"):
        n = np.asarray(n, dtype=float)
        y = b2 * np.sqrt(((n + 1) * (n + 3)) / (6.0 * (n - 2)))
        beta2 = (3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3)
                 / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9)))
        w2 = -1 + np.sqrt(2 * (beta2 - 1))
        delta = 1 / np.sqrt(0.5 * np.log(w2))
        alpha = np.sqrt(2.0 / (w2 - 1))
        y = np.where(y == 0, 1, y)
        z = delta * np.log(y / alpha + np.sqrt((y / alpha) ** 2 + 1))
        return np.where(n < 8, np.nan, z)


def _kurtosistest_block(b2, n):
    """Anscombe and Glynn's z-score of the (Pearson, biased) sample kurtosis ``b2`` of ``n`` observations."""
    with np.errstate(all="ignore"):
        n = np.asarray(n, dtype=float)
        expected = 3.0 * (n - 1) / (n + 1)
        variance = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.0) * (n + 3) * (n + 5))
        x = (b2 - expected) / np.sqrt(variance)
        sqrtbeta1 = (6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
                     * np.sqrt((6.0 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3))))
        a = 6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + np.sqrt(1 + 4.0 / sqrtbeta1 ** 2))
        term1 = 1 - 2 / (9.0 * a)
        denom = 1 + x * np.sqrt(2 / (a - 4.0))
        term2 = np.sign(denom) * np.where(denom == 0.0, np.nan, ((1 - 2.0 / a) / np.abs(denom)) ** (1 / 3.0))
        z = (term1 - term2) / np.sqrt(2 / (9.0 * a))
        return np.where(n < 5, np.nan, z)


def _z_scores(a, axis, nan_policy, what, skewness=False, kurtosis=False):
    a, axes, omit, center, m = _moments(a, axis, nan_policy, what, (2, 3, 4))
    n = _samples.count(a, axes, omit)
    out = []
    if skewness:
        b2 = _samples.per_element(_skew_block, m[2], m[3], center, n, bias=True)
        out.append(_samples.per_element(_skewtest_block, b2, n))
    if kurtosis:
        b2 = _samples.per_element(_kurtosis_block, m[2], m[4], center, n, fisher=False, bias=True)
        out.append(_samples.per_element(_kurtosistest_block, b2, n))
    return axes, out


def _normal_test(test, z, axes, alternative, keepdims):
    _scipy.check_alternative(alternative)
    p = _samples.per_element(_scipy.tail_probability, z, distribution="norm", alternative=alternative)
    return _scipy.delayed_result(test, _samples.finish(z, axes, keepdims), _samples.finish(p, axes, keepdims))


def skewtest(a, axis=0, nan_policy="propagate", alternative="two-sided", *, keepdims=False):
    """``scipy.stats.skewtest``: is the skewness along ``axis`` that of a normal distribution?
    Returns a Delayed of scipy's SkewtestResult (statistic, pvalue); needs 8 observations per slice."""
    axes, (z,) = _z_scores(a, axis, nan_policy, "skewtest", skewness=True)
    return _normal_test("skewtest", z, axes, alternative, keepdims)


def kurtosistest(a, axis=0, nan_policy="propagate", alternative="two-sided", *, keepdims=False):
    """``scipy.stats.kurtosistest``: is the kurtosis along ``axis`` that of a normal distribution?
    Returns a Delayed of scipy's KurtosistestResult (statistic, pvalue); needs 5 observations per slice."""
    axes, (z,) = _z_scores(a, axis, nan_policy, "kurtosistest", kurtosis=True)
    return _normal_test("kurtosistest", z, axes, alternative, keepdims)


def _chi2_two_dof(k2):
    return _scipy.tail_probability(k2, 2, distribution="chi2", alternative="greater")


def normaltest(a, axis=0, nan_policy="propagate", *, keepdims=False):
    """``scipy.stats.normaltest``: D'Agostino and Pearson's omnibus test, s**2 + k**2 of the skew and
    kurtosis z-scores against chi-squared with 2 degrees of freedom. Returns a Delayed of scipy's
    NormaltestResult (statistic, pvalue)."""
    axes, (s, k) = _z_scores(a, axis, nan_policy, "normaltest", skewness=True, kurtosis=True)
    k2 = s * s + k * k
    p = _samples.per_element(_chi2_two_dof, k2)
    return _scipy.delayed_result("normaltest", _samples.finish(k2, axes, keepdims), _samples.finish(p, axes, keepdims))
