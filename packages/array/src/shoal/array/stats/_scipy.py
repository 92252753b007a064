"""scipy for shoal.array.stats, imported lazily: the result types scipy returns, tail probabilities of
its distributions, and the Delayed that builds a scipy result from computed shoal arrays."""

import functools

import numpy as np

# Code scipy's TtestResult keeps for ``alternative`` (used by its ``confidence_interval``).
_ALTERNATIVE_CODES = {"less": -1, "two-sided": 0, "greater": 1}


def scipy_stats():
    try:
        import scipy.stats
    except ImportError as e:  # pragma: no cover - scipy is a declared extra
        raise ImportError("shoal.array.stats needs scipy: pip install 'shoal-array[stats]'") from e
    return scipy.stats


def _probe_arguments(test):
    sample = np.linspace(0.0, 1.0, 20) ** 2 + 1.0
    return {"ttest_1samp": (sample, 0.0), "skewtest": (sample,),
            "kurtosistest": (sample,), "normaltest": (sample,), "power_divergence": (sample,),
            "f_oneway": (sample, sample * 2)}[test]


@functools.cache
def result_type(test):
    """The class scipy's ``test`` returns (found by running it once on a small sample, so it is
    whatever this scipy version returns)."""
    stats = scipy_stats()
    return type(getattr(stats, test)(*_probe_arguments(test)))


def check_alternative(alternative):
    if alternative not in _ALTERNATIVE_CODES:
        raise ValueError(f"alternative must be 'less', 'greater' or 'two-sided', got {alternative!r}")


def tail_probability(statistic, *params, distribution, alternative="two-sided"):
    """The p-value of ``statistic`` under scipy's ``distribution`` (one block of values)."""
    dist = getattr(scipy_stats(), distribution)
    statistic = np.asarray(statistic, dtype=float)
    with np.errstate(all="ignore"):
        if alternative == "less":
            return dist.cdf(statistic, *params)
        if alternative == "greater":
            return dist.sf(statistic, *params)
        return np.minimum(2 * dist.sf(np.abs(statistic), *params), 1.0)


def build_result(test, *values):
    return result_type(test)(*values)


def build_ttest_result(statistic, pvalue, df, alternative, standard_error, estimate):
    return result_type("ttest_1samp")(statistic, pvalue, df=df, alternative=_ALTERNATIVE_CODES[alternative],
                                      standard_error=standard_error, estimate=estimate, statistic_np=statistic,
                                      xp=np)


def delayed_result(test, statistic, pvalue):
    """A Delayed (unpackable into statistic and p-value) that computes to scipy's result type."""
    from shoal.delayed import delayed

    return delayed(build_result, pure=True, nout=2)(test, statistic, pvalue)


def delayed_ttest_result(statistic, pvalue, df, alternative, standard_error, estimate):
    from shoal.delayed import delayed

    return delayed(build_ttest_result, pure=True, nout=2)(statistic, pvalue, df, alternative, standard_error,
                                                          estimate)
