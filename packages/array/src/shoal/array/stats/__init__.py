"""``shoal.array.stats``: scipy.stats on shoal arrays (scipy is imported when a test runs).

Reductions along ``axis`` run in parallel over the blocks; the tests return a Delayed that computes to
the result scipy returns (``SkewtestResult``, ``TtestResult``, ...) and unpacks as ``stat, p``, while
``moment``, ``skew`` and ``kurtosis`` return shoal arrays. ``nan_policy`` accepts 'propagate', 'raise'
and, except for the frequency tests, 'omit'.
"""

from .anova import f_oneway
from .moments import kurtosis, moment, skew
from .normality import kurtosistest, normaltest, skewtest
from .power_divergence import chisquare, power_divergence
from .ttests import ttest_1samp, ttest_ind, ttest_rel

__all__ = ["chisquare", "f_oneway", "kurtosis", "kurtosistest", "moment", "normaltest", "power_divergence",
           "skew", "skewtest", "ttest_1samp", "ttest_ind", "ttest_rel"]
