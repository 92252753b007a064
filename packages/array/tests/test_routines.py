import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.fixture
def data():
    a = np.random.default_rng(5).normal(size=(40, 30))
    return a, sa.from_array(a, chunks=(7, 8))


def test_topk_argtopk(data):
    a, x = data
    assert_eq(sa.topk(x, 3, axis=0), -np.sort(-a, axis=0)[:3])
    assert_eq(x.topk(-4, axis=1), np.sort(a, axis=1)[:, :4])
    assert_eq(x.ravel().topk(5), np.sort(a.ravel())[::-1][:5])
    assert_eq(sa.argtopk(x, 2, axis=0), np.argsort(a, axis=0)[::-1][:2])
    assert_eq(x.argtopk(-3, axis=1), np.argsort(a, axis=1)[:, :3])


def test_histogram(data):
    a, x = data
    counts, edges = sa.histogram(x, bins=12, range=(-3, 3))
    ec, ee = np.histogram(a, bins=12, range=(-3, 3))
    assert_eq(counts, ec, check_dtype=False)
    assert_eq(edges, ee)
    counts, edges = sa.histogram(x, bins=9)
    ec, ee = np.histogram(a, bins=9)
    assert_eq(counts, ec, check_dtype=False)
    assert_eq(edges, ee)
    bins = np.array([-5, -1, 0, 0.5, 5])
    w = np.abs(a)
    counts, _ = sa.histogram(x, bins=bins, weights=sa.from_array(w, chunks=5), density=True)
    assert_eq(counts, np.histogram(a, bins=bins, weights=w, density=True)[0])
    h, ex, ey = sa.histogram2d(x[:, 0], x[:, 1], bins=4, range=[(-3, 3), (-3, 3)])
    eh = np.histogram2d(a[:, 0], a[:, 1], bins=4, range=[(-3, 3), (-3, 3)])[0]
    assert_eq(h, eh)


def test_percentile_quantile_median(data):
    a, x = data
    assert_eq(sa.percentile(x[:, 0].rechunk(-1), [10, 50, 90]), np.percentile(a[:, 0], [10, 50, 90]))
    approx = sa.percentile(x, [5, 25, 50, 75, 95]).compute()
    np.testing.assert_allclose(approx, np.percentile(a, [5, 25, 50, 75, 95]), atol=0.15)
    assert_eq(sa.percentile(x, 30, axis=0), np.percentile(a, 30, axis=0))
    assert_eq(sa.quantile(x, [0.1, 0.9], axis=1), np.quantile(a, [0.1, 0.9], axis=1))
    assert_eq(sa.median(x, axis=1), np.median(a, axis=1))
    assert_eq(sa.median(x), np.median(a))
    b = a.copy()
    b[::3, 2] = np.nan
    assert_eq(sa.nanpercentile(sa.from_array(b, chunks=9), 40, axis=0), np.nanpercentile(b, 40, axis=0))
    with pytest.raises(ValueError, match="range"):
        sa.percentile(x, 150)


def test_unique_bincount_digitize_isin():
    a = np.random.default_rng(1).integers(0, 13, size=(17, 9))
    x = sa.from_array(a, chunks=(5, 4))
    assert_eq(sa.unique(x), np.unique(a))
    got = sa.unique(x, return_index=True, return_inverse=True, return_counts=True)
    want = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
    assert_eq(got[0], want[0])
    assert_eq(got[1], want[1])
    assert_eq(got[2], want[2].ravel())
    assert_eq(got[3], want[3])
    f = a.ravel()
    y = sa.from_array(f, chunks=20)
    assert_eq(sa.bincount(y), np.bincount(f))
    assert_eq(sa.bincount(y, minlength=20), np.bincount(f, minlength=20))
    w = np.linspace(0, 1, f.size)
    assert_eq(sa.bincount(y, weights=sa.from_array(w, chunks=20)), np.bincount(f, weights=w))
    assert_eq(sa.digitize(x, [2, 5, 9]), np.digitize(a, [2, 5, 9]))
    assert_eq(sa.isin(x, [1, 4, 7]), np.isin(a, [1, 4, 7]))


def test_apply_along_axis_and_misc(data):
    a, x = data
    assert_eq(sa.apply_along_axis(np.sort, 0, x), np.apply_along_axis(np.sort, 0, a))
    assert_eq(sa.apply_along_axis(np.sum, 1, x), np.apply_along_axis(np.sum, 1, a))
    assert_eq(sa.apply_along_axis(lambda v: v[:3] * 2, 1, x), np.apply_along_axis(lambda v: v[:3] * 2, 1, a))
    assert_eq(np.apply_along_axis(np.max, 0, x), np.apply_along_axis(np.max, 0, a))
    m = a > 1
    for got, want in zip(sa.nonzero(sa.from_array(m, chunks=(7, 8))), np.nonzero(m)):
        assert_eq(got, want)
    assert_eq(sa.argwhere(sa.from_array(m, chunks=(7, 8))), np.argwhere(m))
    assert_eq(sa.flatnonzero(sa.from_array(m, chunks=(7, 8))), np.flatnonzero(m))
    assert_eq(sa.count_nonzero(sa.from_array(m, chunks=(7, 8)), axis=0), np.count_nonzero(m, axis=0))
    assert_eq(x.repeat(2, axis=1), a.repeat(2, axis=1))
    assert_eq(sa.tile(x[:3, :4], (2, 3)), np.tile(a[:3, :4], (2, 3)))
    assert_eq(sa.trace(x), np.trace(a))
    assert_eq(sa.diff(x, axis=0), np.diff(a, axis=0))
    assert_eq(sa.diff(x, n=2), np.diff(a, n=2))
    assert_eq(sa.roll(x, 5, axis=1), np.roll(a, 5, axis=1))
    assert_eq(sa.roll(x, -7), np.roll(a, -7))
    assert_eq(sa.flip(x, 0), np.flip(a, 0))
    assert_eq(sa.take(x, [3, 0, 39], axis=0), np.take(a, [3, 0, 39], axis=0))
    assert_eq(sa.cov(x[:, :5].T), np.cov(a[:, :5].T))
    assert_eq(sa.corrcoef(x[:, :5].T), np.corrcoef(a[:, :5].T))
