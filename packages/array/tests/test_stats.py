"""shoal.array.stats against scipy.stats on several chunkings, including chunks along the reduced axis."""

import warnings

import numpy as np
import pytest

import shoal
import shoal.array as sa
from shoal.array import stats

scipy_stats = pytest.importorskip("scipy.stats")

CHUNKS = [(40, 6), (7, 2), (13, 6), (1, 1)]


@pytest.fixture
def samples():
    rng = np.random.default_rng(42)
    a = rng.standard_normal((40, 6)) * 2 + 1
    b = rng.gamma(2.0, size=(31, 6))
    return a, b


def _close(result, expected):
    for got, want in zip(result, expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("name,kwargs", [
    ("skew", {}), ("skew", {"bias": False}), ("kurtosis", {}), ("kurtosis", {"fisher": False, "bias": False}),
])
def test_skew_kurtosis(samples, chunks, axis, name, kwargs):
    a, _ = samples
    x = sa.from_array(a, chunks=chunks)
    got = getattr(stats, name)(x, axis=axis, **kwargs)
    assert isinstance(got, sa.Array)
    np.testing.assert_allclose(got.compute(), getattr(scipy_stats, name)(a, axis=axis, **kwargs), rtol=1e-10)


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("order", [0, 1, 2, 3, 4, [2, 3, 5]])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_moment(samples, chunks, order, axis):
    a, _ = samples
    x = sa.from_array(a, chunks=chunks)
    np.testing.assert_allclose(stats.moment(x, order, axis=axis).compute(),
                               scipy_stats.moment(a, order, axis=axis), rtol=1e-10, atol=1e-14)


def test_moment_center_keepdims_and_old_keyword(samples):
    a, _ = samples
    x = sa.from_array(a, chunks=(9, 4))
    got = stats.moment(x, 3, axis=1, center=0.5, keepdims=True)
    assert got.shape == (40, 1)
    np.testing.assert_allclose(got.compute(), scipy_stats.moment(a, 3, axis=1, center=0.5, keepdims=True))
    np.testing.assert_allclose(stats.moment(x, moment=2).compute(), scipy_stats.moment(a, 2))


def test_integer_input_and_constant_slices():
    a = np.arange(60).reshape(12, 5) % 7
    a[:, 2] = 4
    x = sa.from_array(a, chunks=(5, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want_skew = scipy_stats.skew(a, bias=False)
        want_kurt = scipy_stats.kurtosis(a)
    np.testing.assert_allclose(stats.skew(x, bias=False).compute(), want_skew)
    np.testing.assert_allclose(stats.kurtosis(x).compute(), want_kurt)
    assert np.isnan(stats.skew(x).compute()[2])


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("axis", [0, 1, None])
@pytest.mark.parametrize("name", ["skewtest", "kurtosistest", "normaltest"])
def test_normality_tests(samples, chunks, axis, name):
    a, _ = samples
    x = sa.from_array(a, chunks=chunks)
    result = getattr(stats, name)(x, axis=axis)
    expected = getattr(scipy_stats, name)(a, axis=axis)
    computed = result.compute()
    assert type(computed) is type(expected)
    _close(computed, expected)


@pytest.mark.parametrize("alternative", ["less", "greater"])
@pytest.mark.parametrize("name", ["skewtest", "kurtosistest"])
def test_normality_tests_one_sided(samples, alternative, name):
    a, _ = samples
    x = sa.from_array(a, chunks=(9, 4))
    _close(getattr(stats, name)(x, alternative=alternative).compute(),
           getattr(scipy_stats, name)(a, alternative=alternative))


def test_normality_tests_too_few_observations_give_nan():
    a = np.random.default_rng(0).random((7, 3))
    x = sa.from_array(a, chunks=(3, 2))
    statistic, pvalue = stats.skewtest(x).compute()
    assert np.isnan(statistic).all() and np.isnan(pvalue).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = scipy_stats.kurtosistest(a[:4])
    _close(stats.kurtosistest(x[:4]).compute(), expected)


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_ttest_1samp(samples, chunks, axis, alternative):
    a, _ = samples
    x = sa.from_array(a, chunks=chunks)
    got = stats.ttest_1samp(x, 0.8, axis=axis, alternative=alternative).compute()
    expected = scipy_stats.ttest_1samp(a, 0.8, axis=axis, alternative=alternative)
    _close(got, expected)
    np.testing.assert_array_equal(got.df, expected.df)
    _close(got.confidence_interval(0.9), expected.confidence_interval(0.9))


def test_ttest_1samp_population_mean_per_slice(samples):
    a, _ = samples
    x = sa.from_array(a, chunks=(9, 4))
    popmean = np.linspace(-1, 1, 40)
    _close(stats.ttest_1samp(x, popmean, axis=1).compute(), scipy_stats.ttest_1samp(a, popmean[:, None], axis=1))
    _close(stats.ttest_1samp(x, sa.from_array(popmean, chunks=7), axis=1).compute(),
           scipy_stats.ttest_1samp(a, popmean[:, None], axis=1))


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("equal_var", [True, False])
@pytest.mark.parametrize("alternative", ["two-sided", "less"])
def test_ttest_ind(samples, chunks, equal_var, alternative):
    a, b = samples
    x, y = sa.from_array(a, chunks=chunks), sa.from_array(b, chunks=(10, 3))
    got = stats.ttest_ind(x, y, equal_var=equal_var, alternative=alternative).compute()
    expected = scipy_stats.ttest_ind(a, b, equal_var=equal_var, alternative=alternative)
    _close(got, expected)
    np.testing.assert_allclose(got.df, expected.df)
    _close(got.confidence_interval(), expected.confidence_interval())


def test_ttest_ind_along_axis_1_and_flattened(samples):
    a, b = samples
    x, y = sa.from_array(a, chunks=(7, 4)), sa.from_array(a[:, :4] * 1.5 + 0.2, chunks=(40, 3))
    _close(stats.ttest_ind(x, y, axis=1).compute(), scipy_stats.ttest_ind(a, a[:, :4] * 1.5 + 0.2, axis=1))
    _close(stats.ttest_ind(x, y, axis=None).compute(), scipy_stats.ttest_ind(a, a[:, :4] * 1.5 + 0.2, axis=None))


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("axis", [0, 1])
def test_ttest_rel(samples, chunks, axis):
    a, _ = samples
    b = a * 0.5 + np.sin(a)
    x, y = sa.from_array(a, chunks=chunks), sa.from_array(b, chunks=(11, 5))
    got = stats.ttest_rel(x, y, axis=axis).compute()
    expected = scipy_stats.ttest_rel(a, b, axis=axis)
    _close(got, expected)
    np.testing.assert_array_equal(got.df, expected.df)


def test_ttest_rel_unequal_lengths_named():
    x, y = sa.ones((10, 3), chunks=5), sa.ones((1, 3), chunks=1)
    with pytest.raises(ValueError, match=r"unequal length.*\(10, 3\).*\(1, 3\)"):
        stats.ttest_rel(x, y)


def test_results_unpack_and_compute_together(samples):
    a, b = samples
    x, y = sa.from_array(a, chunks=(9, 4)), sa.from_array(b, chunks=(9, 4))
    t, p = stats.ttest_ind(x, y)
    expected = scipy_stats.ttest_ind(a, b)
    got_t, got_p = shoal.compute(t, p)
    _close((got_t, got_p), expected)
    np.testing.assert_allclose(stats.ttest_ind(x, y).pvalue.compute(), expected.pvalue)


def test_one_dimensional_results_are_scalars(samples):
    a, b = samples
    x = sa.from_array(a[:, 0], chunks=7)
    result = stats.ttest_1samp(x, 1.0).compute()
    expected = scipy_stats.ttest_1samp(a[:, 0], 1.0)
    assert np.ndim(result.statistic) == 0 and np.ndim(result.df) == 0
    _close(result, expected)
    assert stats.skew(x).compute() == pytest.approx(scipy_stats.skew(a[:, 0]))


@pytest.mark.parametrize("chunks", [(6, 5), (2, 1)])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_chisquare(chunks, axis):
    observed = np.random.default_rng(3).integers(5, 40, size=(12, 5))
    x = sa.from_array(observed, chunks=chunks)
    _close(stats.chisquare(x, axis=axis).compute(), scipy_stats.chisquare(observed, axis=axis))
    _close(stats.chisquare(x, ddof=1, axis=axis).compute(), scipy_stats.chisquare(observed, ddof=1, axis=axis))


def test_chisquare_with_expected_frequencies():
    observed = np.array([[16, 18, 16, 14, 12, 12], [32, 24, 16, 28, 20, 24]], dtype=float).T
    expected = np.array([16, 16, 16, 16, 16, 8], dtype=float)[:, None] * observed.sum(0) / 88
    x = sa.from_array(observed, chunks=(4, 1))
    _close(stats.chisquare(x, expected).compute(), scipy_stats.chisquare(observed, expected))
    _close(stats.chisquare(x, sa.from_array(expected, chunks=(2, 2))).compute(),
           scipy_stats.chisquare(observed, expected))


def test_chisquare_totals_must_agree():
    x = sa.from_array(np.array([1.0, 2.0, 3.0]), chunks=2)
    result = stats.chisquare(x, [1.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="sum of the observed frequencies"):
        result.compute()


@pytest.mark.parametrize("lambda_", [None, 0, -1, "freeman-tukey", "neyman", "cressie-read", 1.7])
@pytest.mark.parametrize("axis", [0, 1])
def test_power_divergence(lambda_, axis):
    observed = np.random.default_rng(5).integers(1, 30, size=(9, 4)).astype(float)
    x = sa.from_array(observed, chunks=(4, 3))
    _close(stats.power_divergence(x, lambda_=lambda_, axis=axis).compute(),
           scipy_stats.power_divergence(observed, lambda_=lambda_, axis=axis))


def test_power_divergence_unknown_lambda():
    with pytest.raises(ValueError, match="'bogus'"):
        stats.power_divergence(sa.ones(4, chunks=2), lambda_="bogus")


@pytest.mark.parametrize("chunks", CHUNKS)
@pytest.mark.parametrize("equal_var", [True, False])
def test_f_oneway(samples, chunks, equal_var):
    a, b = samples
    c = a[:17] * 0.7 + 0.4
    x, y, z = sa.from_array(a, chunks=chunks), sa.from_array(b, chunks=(8, 3)), sa.from_array(c, chunks=(5, 6))
    got = stats.f_oneway(x, y, z, equal_var=equal_var).compute()
    expected = scipy_stats.f_oneway(a, b, c, equal_var=equal_var)
    assert type(got) is type(expected)
    _close(got, expected)


def test_f_oneway_along_axis_1_and_one_dimensional(samples):
    a, b = samples
    x, y = sa.from_array(a, chunks=(9, 2)), sa.from_array(b[:40 - 9], chunks=(9, 4))
    _close(stats.f_oneway(x, x * 1.1 + 0.3, axis=1).compute(), scipy_stats.f_oneway(a, a * 1.1 + 0.3, axis=1))
    _close(stats.f_oneway(x[:, 0], y[:, 1]).compute(), scipy_stats.f_oneway(a[:, 0], b[:31, 1]))
    with pytest.raises(TypeError, match="at least two"):
        stats.f_oneway(x)


# -- nan_policy --------------------------------------------------------------------------------

@pytest.fixture
def with_nans(samples):
    a, b = samples
    a, b = a.copy(), b.copy()
    a[[1, 5, 22], [0, 3, 3]] = np.nan
    b[[0, 30], [2, 3]] = np.nan
    return a, b


@pytest.mark.parametrize("name,kwargs", [("skew", {}), ("skew", {"bias": False}), ("kurtosis", {}),
                                         ("kurtosis", {"bias": False}), ("moment", {"order": 3})])
def test_omit_nans_in_moments(with_nans, name, kwargs):
    a, _ = with_nans
    x = sa.from_array(a, chunks=(7, 4))
    got = getattr(stats, name)(x, nan_policy="omit", **kwargs).compute()
    np.testing.assert_allclose(got, getattr(scipy_stats, name)(a, nan_policy="omit", **kwargs), rtol=1e-10)
    propagated = getattr(stats, name)(x, **kwargs).compute()
    assert np.isnan(propagated[[0, 3]]).all() and not np.isnan(propagated[[1, 2, 4, 5]]).any()


@pytest.mark.parametrize("name", ["skewtest", "kurtosistest", "normaltest"])
def test_omit_nans_in_normality_tests(with_nans, name):
    a, _ = with_nans
    x = sa.from_array(a, chunks=(7, 4))
    _close(getattr(stats, name)(x, nan_policy="omit").compute(), getattr(scipy_stats, name)(a, nan_policy="omit"))


def test_omit_nans_in_ttests(with_nans):
    a, b = with_nans
    x, y = sa.from_array(a, chunks=(7, 4)), sa.from_array(b, chunks=(9, 3))
    got = stats.ttest_1samp(x, 1.0, nan_policy="omit").compute()
    expected = scipy_stats.ttest_1samp(a, 1.0, nan_policy="omit")
    _close(got, expected)
    np.testing.assert_array_equal(got.df, expected.df)
    for equal_var in (True, False):
        _close(stats.ttest_ind(x, y, nan_policy="omit", equal_var=equal_var).compute(),
               scipy_stats.ttest_ind(a, b, nan_policy="omit", equal_var=equal_var))
    _close(stats.ttest_rel(x, x[::-1] * 0.3, nan_policy="omit").compute(),
           scipy_stats.ttest_rel(a, a[::-1] * 0.3, nan_policy="omit"))


def test_nan_policy_raise_at_compute(with_nans):
    a, _ = with_nans
    x = sa.from_array(a, chunks=(7, 4))
    result = stats.skew(x, nan_policy="raise")
    with pytest.raises(ValueError, match="nan values"):
        result.compute()
    clean = sa.from_array(np.nan_to_num(a), chunks=(7, 4))
    np.testing.assert_allclose(stats.skew(clean, nan_policy="raise").compute(), scipy_stats.skew(np.nan_to_num(a)))
    with pytest.raises(ValueError, match="nan values"):
        stats.ttest_ind(x, clean, nan_policy="raise").compute()


def test_nan_policy_errors_name_the_option():
    x = sa.ones((6, 2), chunks=3)
    with pytest.raises(NotImplementedError, match="chisquare: nan_policy='omit'"):
        stats.chisquare(x, nan_policy="omit")
    with pytest.raises(NotImplementedError, match="power_divergence: nan_policy='omit'"):
        stats.power_divergence(x, nan_policy="omit")
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        stats.skew(x, nan_policy="ignore")
    with pytest.raises(ValueError, match="alternative"):
        stats.ttest_1samp(x, 0, alternative="sideways")
    with pytest.raises(NotImplementedError, match="trim=0.2"):
        stats.ttest_ind(x, x, trim=0.2)
    with pytest.raises(np.exceptions.AxisError, match=r"axis 2 .*\(6, 2\)"):
        stats.skew(x, axis=2)


def test_keepdims(samples):
    a, b = samples
    x, y = sa.from_array(a, chunks=(7, 4)), sa.from_array(b, chunks=(7, 4))
    got = stats.skew(x, axis=1, keepdims=True)
    assert got.shape == (40, 1)
    np.testing.assert_allclose(got.compute(), scipy_stats.skew(a, axis=1, keepdims=True))
    result = stats.ttest_ind(x, y, keepdims=True).compute()
    expected = scipy_stats.ttest_ind(a, b, keepdims=True)
    assert result.statistic.shape == expected.statistic.shape == (1, 6)
    _close(result, expected)
    _close(stats.normaltest(x, axis=None, keepdims=True).compute(), scipy_stats.normaltest(a, axis=None, keepdims=True))


@pytest.mark.parametrize("equal_var", [True, False])
def test_omit_nans_in_f_oneway(with_nans, equal_var):
    a, b = with_nans
    got = stats.f_oneway(sa.from_array(a, chunks=(7, 4)), b, nan_policy="omit", equal_var=equal_var).compute()
    _close(got, scipy_stats.f_oneway(a, b, nan_policy="omit", equal_var=equal_var))


def test_numpy_inputs_are_accepted(samples):
    a, b = samples
    _close(stats.ttest_ind(a, b).compute(), scipy_stats.ttest_ind(a, b))
    np.testing.assert_allclose(stats.kurtosis(a[:, 0].tolist()).compute(), scipy_stats.kurtosis(a[:, 0]))


def test_float32_keeps_its_dtype(samples):
    a = samples[0].astype(np.float32)
    x = sa.from_array(a, chunks=(9, 4))
    for name in ("skew", "kurtosis"):
        got = getattr(stats, name)(x)
        expected = getattr(scipy_stats, name)(a)
        assert got.dtype == expected.dtype == np.float32
        np.testing.assert_allclose(got.compute(), expected, rtol=1e-4)
    assert stats.moment(x, 2).compute().dtype == np.float32


def test_constant_samples_match_scipy_edge_values():
    ones, twos = np.ones(3), np.full(4, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = [
            (stats.ttest_ind(ones, twos, equal_var=False), scipy_stats.ttest_ind(ones, twos, equal_var=False)),
            (stats.ttest_ind(ones, ones, equal_var=False), scipy_stats.ttest_ind(ones, ones, equal_var=False)),
            (stats.ttest_1samp(ones, 1.0), scipy_stats.ttest_1samp(ones, 1.0)),
            (stats.f_oneway(ones, twos), scipy_stats.f_oneway(ones, twos)),
            (stats.f_oneway(ones, ones), scipy_stats.f_oneway(ones, ones)),
        ]
    for result, expected in cases:
        got = result.compute()
        np.testing.assert_array_equal(np.array(got[:2]), np.array(expected[:2]))
        if hasattr(expected, "df"):
            np.testing.assert_array_equal(got.df, expected.df)


def test_unknown_block_sizes_along_the_axis(samples):
    a, b = samples
    keep = a[:, 0] > 0.5
    x = sa.from_array(a, chunks=(9, 3))[sa.from_array(keep, chunks=9)]
    assert np.isnan(x.shape[0])
    np.testing.assert_allclose(stats.skew(x, bias=False).compute(), scipy_stats.skew(a[keep], bias=False))
    _close(stats.ttest_1samp(x, 0.0).compute(), scipy_stats.ttest_1samp(a[keep], 0.0))
    _close(stats.normaltest(x).compute(), scipy_stats.normaltest(a[keep]))
    _close(stats.f_oneway(x, b).compute(), scipy_stats.f_oneway(a[keep], b))
