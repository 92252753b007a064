"""A sweep of NumPy functions a Dask user expects in shoal.array, each compared with NumPy's own
result on the same data (creation, searching, sorting-like, statistics, histograms, shape routines)."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq

rng = np.random.default_rng(0)
a = rng.random((12, 10))
x = sa.from_array(a, chunks=(5, 4))
ai = rng.integers(0, 20, (12, 10))
xi = sa.from_array(ai, chunks=(5, 4))
v = rng.random(17)
xv = sa.from_array(v, chunks=5)
a3 = rng.random((4, 5, 6))
x3 = sa.from_array(a3, chunks=(2, 3, 4))
w = rng.random(10)
b = a.copy()
b[b > 0.8] = np.nan
xb = sa.from_array(b, chunks=(5, 4))
pts = rng.random((100, 3))
xp = sa.from_array(pts, chunks=(30, 3))

CASES = [
    ("roll", lambda: sa.roll(x, 3, axis=1), np.roll(a, 3, axis=1)),
    ("roll none", lambda: sa.roll(x, -7), np.roll(a, -7)),
    ("roll multi", lambda: sa.roll(x, (2, -3), axis=(0, 1)), np.roll(a, (2, -3), axis=(0, 1))),
    ("tril", lambda: sa.tril(x, -2), np.tril(a, -2)),
    ("triu", lambda: sa.triu(x, 3), np.triu(a, 3)),
    ("diag 2d", lambda: sa.diag(x, 2), np.diag(a, 2)),
    ("diag 1d", lambda: sa.diag(xv, -1), np.diag(v, -1)),
    ("diagonal", lambda: sa.diagonal(x, -3), np.diagonal(a, -3)),
    ("diagonal 3d", lambda: sa.diagonal(x3, 1, axis1=2, axis2=0), np.diagonal(a3, 1, axis1=2, axis2=0)),
    ("nonzero", lambda: [n.compute() for n in sa.nonzero(xi > 10)], lambda: list(np.nonzero(ai > 10))),
    ("argwhere", lambda: sa.argwhere(xi > 10).compute(), np.argwhere(ai > 10)),
    ("flatnonzero", lambda: sa.flatnonzero(xi > 10).compute(), np.flatnonzero(ai > 10)),
    ("isin", lambda: sa.isin(xi, [1, 5, 7]), np.isin(ai, [1, 5, 7])),
    ("isin invert", lambda: sa.isin(xi, sa.from_array(np.array([1, 5, 7]), chunks=2), invert=True), np.isin(ai, [1, 5, 7], invert=True)),
    ("searchsorted", lambda: sa.searchsorted(sa.from_array(np.sort(v), chunks=4), x), np.searchsorted(np.sort(v), a)),
    ("digitize", lambda: sa.digitize(x, [0.2, 0.5, 0.9], right=True), np.digitize(a, [0.2, 0.5, 0.9], right=True)),
    ("take", lambda: sa.take(x, [3, 1, 1, 9], axis=1), np.take(a, [3, 1, 1, 9], axis=1)),
    ("take flat", lambda: sa.take(x, [3, 100, 57]), np.take(a, [3, 100, 57])),
    ("compress", lambda: sa.compress([True, False, True], x, axis=0), np.compress([True, False, True], a, axis=0)),
    ("choose", lambda: sa.choose(xi % 3, [x, -x, x * 2]), np.choose(ai % 3, [a, -a, a * 2])),
    ("select", lambda: sa.select([x > 0.8, x < 0.1], [x, -x], default=7), np.select([a > 0.8, a < 0.1], [a, -a], default=7)),
    ("piecewise", lambda: sa.piecewise(x, [x < 0.3, x > 0.7], [-1, lambda t: t * 2, 0.5]), np.piecewise(a, [a < 0.3, a > 0.7], [-1, lambda t: t * 2, 0.5])),
    ("meshgrid", lambda: sa.meshgrid(xv, sa.arange(4, chunks=2), indexing="ij"), np.meshgrid(v, np.arange(4), indexing="ij")),
    ("meshgrid xy", lambda: sa.meshgrid(xv, sa.arange(4, chunks=2)), np.meshgrid(v, np.arange(4))),
    ("indices", lambda: sa.indices((3, 4), chunks=2), np.indices((3, 4))),
    ("fromfunction", lambda: sa.fromfunction(lambda i, j: i * 10 + j, (5, 6), chunks=3, dtype=int), np.fromfunction(lambda i, j: i * 10 + j, (5, 6), dtype=int)),
    ("tile", lambda: sa.tile(x, (2, 1, 3)), np.tile(a, (2, 1, 3))),
    ("repeat", lambda: sa.repeat(x, 3, axis=1), np.repeat(a, 3, axis=1)),
    ("repeat flat", lambda: sa.repeat(x, 2), np.repeat(a, 2)),
    ("repeat arr", lambda: sa.repeat(xv, np.arange(17) % 3), np.repeat(v, np.arange(17) % 3)),
    ("flip", lambda: sa.flip(x), np.flip(a)),
    ("fliplr", lambda: sa.fliplr(x), np.fliplr(a)),
    ("flipud", lambda: sa.flipud(x), np.flipud(a)),
    ("round", lambda: sa.round(x * 100, 1), np.round(a * 100, 1)),
    ("around", lambda: sa.around(x, -1), np.around(a, -1)),
    ("ptp", lambda: sa.ptp(x, axis=0), np.ptp(a, axis=0)),
    ("ptp all", lambda: sa.ptp(x), np.ptp(a)),
    ("average w", lambda: sa.average(x, axis=1, weights=w), np.average(a, axis=1, weights=w)),
    ("average w full", lambda: sa.average(x, weights=a), np.average(a, weights=a)),
    ("average returned", lambda: sa.average(x, axis=0, returned=True), np.average(a, axis=0, returned=True)),
    ("cov", lambda: sa.cov(x), np.cov(a)),
    ("cov rowvar", lambda: sa.cov(x, rowvar=False, ddof=0), np.cov(a, rowvar=False, ddof=0)),
    ("cov y", lambda: sa.cov(x[:3], x[3:5]), np.cov(a[:3], a[3:5])),
    ("corrcoef", lambda: sa.corrcoef(x), np.corrcoef(a)),
    ("corrcoef rv", lambda: sa.corrcoef(x, rowvar=False), np.corrcoef(a, rowvar=False)),
    ("diff", lambda: sa.diff(x, 2, axis=0), np.diff(a, 2, axis=0)),
    ("diff prepend", lambda: sa.diff(x, prepend=0, append=a[:, :1]), np.diff(a, prepend=0, append=a[:, :1])),
    ("median ax", lambda: sa.median(x, axis=1), np.median(a, axis=1)),
    ("median kd", lambda: sa.median(x, axis=0, keepdims=True), np.median(a, axis=0, keepdims=True)),
    ("median all", lambda: sa.median(x), np.median(a)),
    ("median tuple ax", lambda: sa.median(x3, axis=(0, 2)), np.median(a3, axis=(0, 2))),
    ("nanmedian", lambda: sa.nanmedian(xb, axis=0), np.nanmedian(b, axis=0)),
    ("nancumsum", lambda: sa.nancumsum(xb, axis=1), np.nancumsum(b, axis=1)),
    ("nancumprod", lambda: sa.nancumprod(xb, axis=0), np.nancumprod(b, axis=0)),
    ("nancumsum flat", lambda: sa.nancumsum(xb), np.nancumsum(b)),
    ("cumsum", lambda: sa.cumsum(x, axis=0), np.cumsum(a, axis=0)),
    ("histogram2d", lambda: sa.histogram2d(xp[:, 0], xp[:, 1], bins=5, range=[[0, 1], [0, 1]])[0], np.histogram2d(pts[:, 0], pts[:, 1], bins=5, range=[[0, 1], [0, 1]])[0]),
    ("histogram2d w", lambda: sa.histogram2d(xp[:, 0], xp[:, 1], bins=[3, 4], range=[[0, 1], [0, 1]], weights=xp[:, 2], density=True)[0], np.histogram2d(pts[:, 0], pts[:, 1], bins=[3, 4], range=[[0, 1], [0, 1]], weights=pts[:, 2], density=True)[0]),
    ("histogramdd", lambda: sa.histogramdd(xp, bins=4, range=[(0, 1)] * 3)[0], np.histogramdd(pts, bins=4, range=[(0, 1)] * 3)[0]),
    ("histogramdd edges", lambda: sa.histogramdd(xp, bins=[np.linspace(0, 1, 4)] * 3)[0], np.histogramdd(pts, bins=[np.linspace(0, 1, 4)] * 3)[0]),
    ("histogram", lambda: sa.histogram(x, bins=7, range=(0, 1))[0], np.histogram(a, bins=7, range=(0, 1))[0]),
    ("ravel_multi", lambda: sa.ravel_multi_index((sa.from_array(np.array([1, 2, 3]), chunks=2), sa.from_array(np.array([4, 0, 9]), chunks=2)), (5, 10)), np.ravel_multi_index(([1, 2, 3], [4, 0, 9]), (5, 10))),
    ("unravel", lambda: sa.unravel_index(sa.from_array(np.array([7, 23, 49]), chunks=2), (5, 10)), np.unravel_index([7, 23, 49], (5, 10))),
    ("unravel F", lambda: sa.unravel_index(sa.from_array(np.array([7, 23, 49]), chunks=2), (5, 10), order="F"), np.unravel_index([7, 23, 49], (5, 10), order="F")),
    ("ones_like", lambda: sa.ones_like(x, dtype=int, shape=(3, 4)), np.ones_like(a, dtype=int, shape=(3, 4))),
    ("full_like", lambda: sa.full_like(x, 3, dtype=np.float32), np.full_like(a, 3, dtype=np.float32)),
    ("zeros_like np", lambda: np.zeros_like(x), np.zeros_like(a)),
    ("trace", lambda: sa.trace(x, 1), np.trace(a, 1)),
    ("unique", lambda: sa.unique(xi), np.unique(ai)),
    ("unique counts", lambda: sa.unique(xi, return_counts=True), np.unique(ai, return_counts=True)),
    ("unique inverse", lambda: sa.unique(xi.ravel(), return_inverse=True, return_index=True), np.unique(ai.ravel(), return_inverse=True, return_index=True)),
    ("bincount", lambda: sa.bincount(xi.ravel(), minlength=25), np.bincount(ai.ravel(), minlength=25)),
    ("bincount w", lambda: sa.bincount(xi.ravel(), weights=x.ravel()), np.bincount(ai.ravel(), weights=a.ravel())),
    ("count_nonzero", lambda: sa.count_nonzero(xi > 5, axis=0), np.count_nonzero(ai > 5, axis=0)),
    ("moment", lambda: sa.moment(x, 3, axis=0), ((a - a.mean(0)) ** 3).mean(0)),
    ("topk", lambda: sa.topk(xv, 3), np.sort(v)[-3:][::-1]),
    ("einsum", lambda: sa.einsum("ij,kj->ik", x, x), np.einsum("ij,kj->ik", a, a)),
    ("apply_along_axis", lambda: sa.apply_along_axis(np.cumsum, 1, x), np.apply_along_axis(np.cumsum, 1, a)),
    ("nanvar", lambda: sa.nanvar(xb, axis=1, ddof=1), np.nanvar(b, axis=1, ddof=1)),
    ("quantile", lambda: sa.quantile(x, [0.2, 0.7], axis=0), np.quantile(a, [0.2, 0.7], axis=0)),
    ("clip", lambda: sa.clip(x, 0.2, 0.5), np.clip(a, 0.2, 0.5)),
    ("where", lambda: sa.where(x > 0.5, x, 0), np.where(a > 0.5, a, 0)),
    ("isnan", lambda: sa.isnan(xb), np.isnan(b)),
    ("linspace", lambda: sa.linspace(0, 1, 13, chunks=5), np.linspace(0, 1, 13)),
    ("linspace ep", lambda: sa.linspace(0, 1, 13, endpoint=False, chunks=5), np.linspace(0, 1, 13, endpoint=False)),
    ("eye", lambda: sa.eye(5, M=7, k=2, chunks=3), np.eye(5, 7, k=2)),
    ("tri", lambda: sa.tri(5, 6, -1, chunks=2), np.tri(5, 6, -1)),
    ("arange", lambda: sa.arange(2, 17, 3, chunks=2), np.arange(2, 17, 3)),
    ("arange f", lambda: sa.arange(0, 1, 0.1, chunks=3), np.arange(0, 1, 0.1)),
    ("vindex", lambda: x.vindex[[1, 2, 11], [0, 9, 3]], a[[1, 2, 11], [0, 9, 3]]),
    ("blocks", lambda: x.blocks[1, ::2], np.concatenate([a[5:10, 0:4], a[5:10, 8:10]], 1)),
    ("partitions", lambda: x.partitions[-1, 0], a[10:12, 0:4]),
    ("squeeze", lambda: sa.squeeze(x[:1]), np.squeeze(a[:1])),
    ("block", lambda: sa.block([[x, x[:, :2]], [x[:3], x[:3, :2]]]), np.block([[a, a[:, :2]], [a[:3], a[:3, :2]]])),
    ("hstack", lambda: sa.hstack([x, x]), np.hstack([a, a])),
    ("dstack", lambda: sa.dstack([x, x]), np.dstack([a, a])),
    ("outer", lambda: sa.outer(xv, xv[:3]), np.outer(v, v[:3])),
    ("tensordot", lambda: sa.tensordot(x, x, axes=([1], [1])), np.tensordot(a, a, axes=([1], [1]))),
    ("isclose", lambda: sa.isclose(x, x + 1e-9), np.isclose(a, a + 1e-9)),
    ("nan_to_num", lambda: sa.nan_to_num(xb, nan=-1), np.nan_to_num(b, nan=-1)),
    ("median tuple nan", lambda: sa.nanmedian(sa.from_array(np.where(a3 > 0.8, np.nan, a3), chunks=2), axis=(0, 2), keepdims=True), np.nanmedian(np.where(a3 > 0.8, np.nan, a3), axis=(0, 2), keepdims=True)),
    ("percentile method", lambda: sa.percentile(x, [10, 55], axis=0, method="nearest"), np.percentile(a, [10, 55], axis=0, method="nearest")),
    ("quantile tuple", lambda: sa.quantile(x3, 0.3, axis=(1, 2)), np.quantile(a3, 0.3, axis=(1, 2))),
    ("repeat arr axis", lambda: sa.repeat(x, np.arange(10) % 3, axis=1), np.repeat(a, np.arange(10) % 3, axis=1)),
    ("average returned w", lambda: sa.average(x, axis=1, weights=w, returned=True), np.average(a, axis=1, weights=w, returned=True)),
    ("histogramdd seq", lambda: sa.histogramdd((xp[:, 0], xp[:, 1]), bins=[3, 4], range=[(0, 1)] * 2, weights=xp[:, 2])[0], np.histogramdd((pts[:, 0], pts[:, 1]), bins=[3, 4], range=[(0, 1)] * 2, weights=pts[:, 2])[0]),
]


@pytest.mark.parametrize("label,got,expected", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(label, got, expected):
    got = got() if callable(got) else got
    expected = expected() if callable(expected) else expected
    if isinstance(expected, (tuple, list)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_eq(g, e)
    else:
        assert_eq(got, expected)
