"""One-way analysis of variance on shoal arrays, as in scipy.stats: ``f_oneway`` (classic or Welch's).

Each group is reduced along ``axis`` to its size, mean and sum of squared deviations; the F statistic,
its degrees of freedom and the p-value are per-element formulas on those small arrays.
"""

import numpy as np

from . import _samples, _scipy


def _unpack(parts, k):
    return parts[:k], parts[k:2 * k], parts[2 * k:]


def _classic(*parts, k):
    """F and its degrees of freedom from group sizes, means and variances (ddof=1), variances equal."""
    sizes, means, variances = _unpack(parts, k)
    with np.errstate(all="ignore"):
        total = sum(np.asarray(n, dtype=float) for n in sizes)
        grand = sum(n * m for n, m in zip(sizes, means)) / total
        between = sum(n * (m - grand) ** 2 for n, m in zip(sizes, means))
        within = sum((n - 1) * v for n, v in zip(sizes, variances))
        dfn, dfd = k - 1.0, total - k
        return (between / dfn) / (within / dfd), np.broadcast_to(dfn, np.shape(grand)), dfd


def _welch(*parts, k):
    """Welch's F and degrees of freedom: groups weighted by n / variance, variances may differ."""
    sizes, means, variances = _unpack(parts, k)
    with np.errstate(all="ignore"):
        weights = [n / v for n, v in zip(sizes, variances)]
        total_weight = sum(weights)
        center = sum(w * m for w, m in zip(weights, means)) / total_weight
        between = sum(w * (m - center) ** 2 for w, m in zip(weights, means)) / (k - 1)
        spread = sum((1 - w / total_weight) ** 2 / (n - 1) for w, n in zip(weights, sizes))
        statistic = between / (1 + 2 * (k - 2) / (k * k - 1.0) * spread)
        return statistic, np.broadcast_to(k - 1.0, np.shape(statistic)), (k * k - 1.0) / (3 * spread)


def _pvalue(*parts, k, equal_var):
    statistic, dfn, dfd = (_classic if equal_var else _welch)(*parts, k=k)
    return _scipy.tail_probability(statistic, dfn, dfd, distribution="f", alternative="greater")


def _statistic(*parts, k, equal_var):
    return (_classic if equal_var else _welch)(*parts, k=k)[0]


def _group_summary(sample, axis, omit):
    axes = _samples.sample_axes(sample, axis)
    n = _samples.count(sample, axes, omit)
    center = _samples.mean(sample, axes, omit)
    m2 = _samples.central_moment(sample, 2, axes, omit, center)
    with np.errstate(all="ignore"):
        return n, center, m2 * n / (n - 1.0), axes


def f_oneway(*samples, axis=0, equal_var=True, nan_policy="propagate", keepdims=False):
    """``scipy.stats.f_oneway``: do the groups ``samples`` (reduced along ``axis``) share one mean?
    ``equal_var=False`` gives Welch's ANOVA. Returns a Delayed of scipy's F_onewayResult."""
    if len(samples) < 2:
        raise TypeError(f"f_oneway: at least two groups are required, got {len(samples)}")
    omit = _samples.check_nan_policy(nan_policy, "f_oneway")
    groups = [_group_summary(_samples.as_sample(s, nan_policy), axis, omit) for s in samples]
    parts = [g[0] for g in groups] + [g[1] for g in groups] + [g[2] for g in groups]
    k = len(samples)
    statistic = _samples.per_element(_statistic, *parts, k=k, equal_var=equal_var)
    p = _samples.per_element(_pvalue, *parts, k=k, equal_var=equal_var)
    axes = tuple(range(statistic.ndim)) if axis is None else _samples.sample_axes(statistic, axis)
    return _scipy.delayed_result("f_oneway", _samples.finish(statistic, axes, keepdims),
                                 _samples.finish(p, axes, keepdims))
