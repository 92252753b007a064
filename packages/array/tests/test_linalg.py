import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.fixture
def tall():
    a = np.random.default_rng(3).normal(size=(300, 12))
    return a, sa.from_array(a, chunks=(50, 12))


def test_products():
    r = np.random.default_rng(0)
    a, b, c = r.random((7, 9)), r.random((9, 5)), r.random((3, 7, 9))
    x, y, z = sa.from_array(a, chunks=(2, 4)), sa.from_array(b, chunks=(3, 2)), sa.from_array(c, chunks=(2, 3, 4))
    assert_eq(x.dot(y), a.dot(b))
    assert_eq(x @ y, a @ b)
    assert_eq(z @ y, c @ b)
    assert_eq(x[0] @ y, a[0] @ b)
    assert_eq(sa.tensordot(z, x, axes=((1, 2), (0, 1))), np.tensordot(c, a, axes=((1, 2), (0, 1))))
    assert_eq(sa.tensordot(x, y, axes=1), np.tensordot(a, b, axes=1))
    assert_eq(sa.einsum("ij,jk->ki", x, y), np.einsum("ij,jk->ki", a, b))
    assert_eq(sa.einsum("ij,ij->i", x, x), np.einsum("ij,ij->i", a, a))
    assert_eq(sa.einsum("ii", x[:, :7]), np.einsum("ii", a[:, :7]))
    assert_eq(sa.outer(x[0], y[:, 1]), np.outer(a[0], b[:, 1]))
    assert_eq(np.dot(x, b), np.dot(a, b))
    assert_eq(sa.inner(x, x), np.inner(a, a))
    assert_eq(sa.vdot(x, x), np.vdot(a, a))
    with pytest.raises(ValueError, match=r"\(7, 9\).*\(5, 9\)"):
        x.dot(y.T)


def test_tsqr_qr_and_svd(tall):
    a, x = tall
    q, r = sa.linalg.qr(x)
    assert_eq(q @ r, a, atol=1e-12)
    assert_eq(q.T @ q, np.eye(12), atol=1e-12)
    assert q.chunks == ((50,) * 6, (12,))
    u, s, v = sa.linalg.svd(x)
    assert_eq(s, np.linalg.svd(a, compute_uv=False))
    assert_eq((u * s) @ v, a, atol=1e-12)
    u, s, v = sa.linalg.svd(x.T)
    assert_eq((u * s) @ v, a.T, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(x.compute(), compute_uv=False), np.linalg.svd(a, compute_uv=False))


def test_svd_compressed_finds_top_singular_values():
    r = np.random.default_rng(1)
    low = r.normal(size=(200, 5)) @ r.normal(size=(5, 150)) + 1e-3 * r.normal(size=(200, 150))
    x = sa.from_array(low, chunks=(50, 50))
    u, s, v = sa.linalg.svd_compressed(x, 5, n_power_iter=2, seed=0)
    np.testing.assert_allclose(s.compute(), np.linalg.svd(low, compute_uv=False)[:5], rtol=1e-6)
    assert_eq((u * s) @ v, low, atol=0.05)


def test_square_solvers():
    r = np.random.default_rng(2)
    m = r.normal(size=(30, 30))
    spd = m @ m.T + 30 * np.eye(30)
    x = sa.from_array(spd, chunks=10)
    b = np.arange(30.)
    assert_eq(sa.linalg.solve(x, b), np.linalg.solve(spd, b))
    assert_eq(sa.linalg.solve(x, np.eye(30)[:, :4]), np.linalg.solve(spd, np.eye(30)[:, :4]))
    assert_eq(sa.linalg.inv(x), np.linalg.inv(spd), atol=1e-12)
    assert_eq(sa.linalg.cholesky(x, lower=True), np.linalg.cholesky(spd))
    u = sa.linalg.cholesky(x)
    assert_eq(u.T @ u, spd)
    p, lo, up = sa.linalg.lu(sa.from_array(m, chunks=10))
    assert_eq(p @ lo @ up, m, atol=1e-12)
    assert_eq(lo, np.tril(lo.compute()))
    with pytest.raises(ValueError, match=r"square matrix, got shape \(30, 4\)"):
        sa.linalg.inv(sa.ones((30, 4), chunks=10))


def test_lstsq_and_norms(tall):
    a, x = tall
    b = np.linspace(0, 1, 300)
    for got, want in zip(sa.linalg.lstsq(x, b), np.linalg.lstsq(a, b, rcond=None)):
        assert_eq(got, np.asarray(want), check_dtype=False)
    for ord in [None, "fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"]:
        assert_eq(sa.linalg.norm(x, ord), np.linalg.norm(a, ord))
    for ord in [None, 1, 3, np.inf, -np.inf, 0]:
        assert_eq(sa.linalg.norm(x[:, 0], ord), np.linalg.norm(a[:, 0], ord))
    assert_eq(sa.linalg.norm(x, axis=1), np.linalg.norm(a, axis=1))
    assert_eq(sa.linalg.norm(x, axis=0, keepdims=True), np.linalg.norm(a, axis=0, keepdims=True))
    assert_eq(np.linalg.norm(x), np.linalg.norm(a))


def test_blocked_triangular_and_positive_definite_solves():
    r = np.random.default_rng(2)
    m = r.normal(size=(30, 30))
    spd = m @ m.T + 30 * np.eye(30)
    low = np.linalg.cholesky(spd)
    b = r.normal(size=(30, 5))
    assert_eq(sa.linalg.solve_triangular(sa.from_array(low, chunks=7), b, lower=True), np.linalg.solve(low, b))
    assert_eq(sa.linalg.solve_triangular(sa.from_array(low.T, chunks=7), b[:, 0]), np.linalg.solve(low.T, b[:, 0]))
    x = sa.from_array(spd, chunks=7)
    assert_eq(sa.linalg.solve(x, sa.from_array(b, chunks=(7, 2)), assume_a="pos"), np.linalg.solve(spd, b))
    with pytest.raises(ValueError, match=r"\(30, 30\) and b of shape \(29,\)"):
        sa.linalg.solve_triangular(x, np.ones(29))


@pytest.mark.parametrize("n,chunk", [(30, 7), (12, 12), (20, 5), (9, 4)])
def test_blocked_lu_with_pivoting(n, chunk):
    m = np.random.default_rng(n).normal(size=(n, n))
    m[0, 0] = 0.0  # needs a row swap in the first panel
    p, lo, up = sa.linalg.lu(sa.from_array(m, chunks=chunk))
    P, L, U = p.compute(), lo.compute(), up.compute()
    np.testing.assert_allclose(P @ L @ U, m, atol=1e-10)
    np.testing.assert_array_equal(P @ P.T, np.eye(n))
    assert np.allclose(L, np.tril(L)) and np.allclose(np.diag(L), 1) and np.abs(L).max() <= 1 + 1e-12
    assert np.allclose(U, np.triu(U))
    x = sa.from_array(m, chunks=chunk)
    b = np.arange(n, dtype=float)
    assert_eq(sa.linalg.solve(x, b), np.linalg.solve(m, b), rtol=1e-6)
    assert_eq(sa.linalg.inv(x), np.linalg.inv(m), rtol=1e-6, atol=1e-10)
