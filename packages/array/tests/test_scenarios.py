"""The issue's 'done means' scenarios, at test-suite sizes."""

import numpy as np
import pytest

import shoal
import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.fixture(scope="module")
def x():
    return sa.random.random((1000, 1000), chunks=(100, 100))


def test_dot_minus_mean_sum(x):
    a = x.compute()
    result = (x.dot(x.T + 1) - x.mean(axis=0)).sum().compute()
    np.testing.assert_allclose(result, (a.dot(a.T + 1) - a.mean(axis=0)).sum(), rtol=1e-10)


def test_standardize(x):
    a = x.compute()
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    assert_eq(z, (a - a.mean(axis=0)) / a.std(axis=0))


def test_tall_svd():
    tall = sa.random.RandomState(0).random((5000, 20), chunks=(500, 20))
    u, s, v = sa.linalg.svd(tall)
    a = tall.compute()
    np.testing.assert_allclose(s.compute(), np.linalg.svd(a, compute_uv=False))
    assert_eq((u * s) @ v, a, atol=1e-10)


def test_scalar_and_plane_from_h5py(tmp_path, x):
    h5py = pytest.importorskip("h5py")
    data = np.random.default_rng(0).random((150, 60, 40))
    with h5py.File(tmp_path / "cube.h5", "w") as f:
        f["cube"] = data
    assert_eq(x[0, 0], x.compute()[0, 0])
    with h5py.File(tmp_path / "cube.h5", "r") as f:
        cube = sa.from_array(f["cube"], chunks=(50, 30, 20))
        assert_eq(cube[100, :, :], data[100, :, :])
        assert_eq(cube[0, 0], data[0, 0])


def test_compute_persist_together_share_work(x):
    m = x.mean()
    s = x.std()
    mv, sv = shoal.compute(m, s)
    a = x.compute()
    np.testing.assert_allclose([mv, sv], [a.mean(), a.std()])
    p = (x + 1).persist()
    assert_eq(p.sum(), (a + 1).sum())


def test_threads_and_sync_schedulers_agree(x):
    y = (x * 2).sum(axis=0)
    assert_eq(y.compute(scheduler="sync"), y.compute(scheduler="threads"))
