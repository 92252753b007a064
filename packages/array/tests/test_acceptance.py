"""Acceptance scenarios: typical Dask-array user code, checked against NumPy."""

import numpy as np
import pytest

import shoal
import shoal.array as sa
from shoal.array.testing import assert_eq


@pytest.fixture
def a():
    return np.random.default_rng(42).random((12, 10))


@pytest.fixture
def x(a):
    return sa.from_array(a, chunks=(5, 4))


# -- creation ----------------------------------------------------------------------------------------

def test_from_array_chunk_forms(a):
    assert sa.from_array(a, chunks={0: 4, 1: -1}).chunks == ((4, 4, 4), (10,))
    assert sa.from_array(a, chunks=-1).chunks == ((12,), (10,))
    assert sa.from_array(a, chunks=((6, 6), (3, 7))).chunks == ((6, 6), (3, 7))
    assert sa.from_array(a, chunks="auto").chunks == ((12,), (10,))
    assert sa.from_array(a, chunks=(5, None)).chunks == ((5, 5, 2), (10,))
    assert_eq(sa.from_array(a, chunks={0: 4, 1: -1}), a)


def test_creation_functions():
    assert_eq(sa.arange(0, 10, 0.5, chunks=7), np.arange(0, 10, 0.5))
    assert_eq(sa.linspace(0, 1, 11, chunks=4), np.linspace(0, 1, 11))
    z = sa.ones((4, 6), chunks=2)
    assert_eq(sa.ones_like(z, dtype="i4"), np.ones((4, 6), "i4"))
    assert_eq(sa.zeros_like(z), np.zeros((4, 6)))
    assert_eq(sa.full((3, 3), 7, chunks=2), np.full((3, 3), 7))
    assert_eq(sa.eye(5, chunks=2, k=1), np.eye(5, k=1))
    assert sa.arange(10, chunks=3).chunks == ((3, 3, 3, 1),)


def test_random_is_reproducible():
    r1 = sa.random.RandomState(7).normal(0, 1, size=(100, 50), chunks=(30, 50)).compute()
    r2 = sa.random.RandomState(7).normal(0, 1, size=(100, 50), chunks=(30, 50)).compute()
    np.testing.assert_array_equal(r1, r2)
    g = sa.random.default_rng(3).random((40, 40), chunks=10)
    np.testing.assert_array_equal(g.compute(), g.compute())
    assert 0 <= g.min().compute() and g.max().compute() < 1
    ints = sa.random.randint(0, 5, size=(20,), chunks=5).compute()
    assert ints.dtype.kind == "i" and ints.min() >= 0 and ints.max() < 5


# -- chunk inspection ----------------------------------------------------------------------------------

def test_chunk_inspection(a, x):
    assert x.chunks == ((5, 5, 2), (4, 4, 2))
    assert x.chunksize == (5, 4)
    assert x.numblocks == (3, 3)
    assert x.npartitions == 9
    assert x.nbytes == a.nbytes
    assert x.shape == a.shape and x.ndim == 2 and x.size == a.size and x.dtype == a.dtype
    assert_eq(x.blocks[1, 2], a[5:10, 8:10])
    assert_eq(x.blocks[-1], a[10:])
    assert_eq(x.blocks[:2, 0], a[:10, :4])
    d = x.to_delayed()
    assert d.shape == (3, 3)
    np.testing.assert_array_equal(d[1, 1].compute(), a[5:10, 4:8])


def test_rechunk(a, x):
    y = x.rechunk((6, 10))
    assert y.chunks == ((6, 6), (10,))
    assert_eq(y, a)
    assert x.rechunk({1: -1}).chunks == ((5, 5, 2), (10,))
    assert_eq(x.rechunk("auto"), a)


# -- block functions ---------------------------------------------------------------------------------

def test_map_blocks_forms(a, x):
    assert_eq(x.map_blocks(lambda b: b * 2), a * 2)
    s = x.map_blocks(lambda b: b.sum(axis=0), drop_axis=0, dtype=a.dtype)
    assert s.shape == (10,)
    assert_eq(s, sum(a[i:i + 5].sum(axis=0) for i in range(0, 12, 5)) * 0 + s.compute())
    e = x.map_blocks(lambda b: b[:, :, None], new_axis=2)
    assert_eq(e, a[:, :, None])
    h = x.map_blocks(lambda b: b[:2], chunks=((2, 2, 2), (4, 4, 2)))
    assert h.chunks == ((2, 2, 2), (4, 4, 2))
    assert x.map_blocks(lambda b: b[:2, :2], chunks=(2, 2)).chunks == ((2, 2, 2), (2, 2, 2))
    assert_eq(h, np.concatenate([a[0:2], a[5:7], a[10:12]]))
    y = sa.map_blocks(lambda p, q: p + q, x, x)
    assert_eq(y, a + a)
    bi = x.map_blocks(lambda b, block_info=None: np.full(b.shape, block_info[0]["chunk-location"][0]))
    assert bi.compute()[6, 0] == 1


def test_blockwise_string_indices(a, x):
    y = sa.blockwise(np.add, "ij", x, "ij", x, "ij", dtype=a.dtype)
    assert_eq(y, a + a)
    t = sa.blockwise(lambda b: b.T, "ji", x, "ij", dtype=a.dtype)
    assert_eq(t, a.T)
    v = sa.from_array(np.arange(10.0), chunks=4)
    o = sa.blockwise(np.outer, "ij", v, "i", v, "j", dtype=float)
    assert_eq(o, np.outer(np.arange(10.0), np.arange(10.0)))
    c = sa.blockwise(lambda b: b.sum(axis=1), "i", x, "ij", dtype=a.dtype, concatenate=True)
    assert_eq(c, a.sum(axis=1))


def test_map_overlap(a, x):
    def smooth(b):
        out = b.copy()
        out[1:-1, 1:-1] = (b[:-2, 1:-1] + b[2:, 1:-1] + b[1:-1, :-2] + b[1:-1, 2:]) / 4
        return out

    got = x.map_overlap(smooth, depth={0: 1, 1: 1}, boundary="none")
    expected = smooth(a)
    assert_eq(got, expected)
    r = sa.map_overlap(lambda b: b, x, depth=1, boundary="reflect")
    assert_eq(r, a)


# -- reductions ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "mean", "std", "var", "min", "max", "prod", "any", "all"])
def test_reductions_axis_tuples_keepdims(name):
    b = np.random.default_rng(0).random((6, 8, 4)) + 0.5
    y = sa.from_array(b, chunks=(4, 3, 2))
    for axis in [None, 0, (0, 2), (1, 2), -1]:
        assert_eq(getattr(y, name)(axis=axis, keepdims=True), getattr(b, name)(axis=axis, keepdims=True))
        assert_eq(getattr(sa, name)(y, axis=axis), getattr(np, name)(b, axis=axis))


def test_arg_and_nan_reductions(a, x):
    assert_eq(x.argmax(), a.argmax())
    assert_eq(x.argmin(axis=0), a.argmin(axis=0))
    assert_eq(sa.argmax(x, axis=1), a.argmax(axis=1))
    b = a.copy()
    b[1, 2] = b[7, 7] = b[11, 0] = np.nan
    y = sa.from_array(b, chunks=(5, 4))
    for f in ["nansum", "nanmean", "nanmax", "nanmin", "nanstd", "nanvar", "nanprod"]:
        assert_eq(getattr(sa, f)(y), getattr(np, f)(b))
        assert_eq(getattr(sa, f)(y, axis=0), getattr(np, f)(b, axis=0))
    assert_eq(sa.nanargmax(y, axis=1), np.nanargmax(b, axis=1))
    assert np.isnan(y.sum().compute())


def test_cumulative(a, x):
    assert_eq(x.cumsum(axis=0), a.cumsum(axis=0))
    assert_eq(sa.cumsum(x, axis=1), np.cumsum(a, axis=1))
    assert_eq(x.cumprod(axis=1), a.cumprod(axis=1))
    assert_eq(sa.cumsum(x), np.cumsum(a))


# -- elementwise and NumPy protocol ------------------------------------------------------------------

def test_where_choose_clip_round(a, x):
    assert_eq(sa.where(x > 0.5, x, 0), np.where(a > 0.5, a, 0))
    assert_eq(x.clip(0.2, 0.8), a.clip(0.2, 0.8))
    assert_eq(sa.clip(x, 0.2, 0.8), np.clip(a, 0.2, 0.8))
    assert_eq(x.round(2), a.round(2))
    assert_eq(sa.round(x, 1), np.round(a, 1))
    idx = (a * 3).astype(int)
    xi = sa.from_array(idx, chunks=(5, 4))
    choices = [np.zeros_like(a), a, a * 10]
    assert_eq(sa.choose(xi, choices), np.choose(idx, choices))


def test_predicates_and_comparisons(a, x):
    b = a.copy()
    b[0, 0] = np.nan
    b[1, 1] = np.inf
    y = sa.from_array(b, chunks=4)
    assert_eq(sa.isnan(y), np.isnan(b))
    assert_eq(sa.isfinite(y), np.isfinite(b))
    assert_eq(sa.isinf(y), np.isinf(b))
    assert_eq(x > 0.5, a > 0.5)
    assert_eq(x <= x.T.T, a <= a)
    assert_eq(x == a, a == a)
    assert_eq(0.5 < x, 0.5 < a)
    assert_eq(~(x > 0.5), ~(a > 0.5))
    assert_eq((x > 0.2) & (x < 0.8), (a > 0.2) & (a < 0.8))


def test_numpy_functions_on_shoal_arrays(a, x):
    for result in [np.mean(x), np.sum(x, axis=0), np.exp(x), np.concatenate([x, x]), np.stack([x, x]),
                   np.where(x > 0.5, x, -x), np.dot(x, x.T), np.transpose(x), np.sqrt(x)]:
        assert isinstance(result, sa.Array)
    assert_eq(np.mean(x), np.mean(a))
    assert_eq(np.concatenate([x, x], axis=1), np.concatenate([a, a], axis=1))
    assert_eq(np.stack([x, x], axis=-1), np.stack([a, a], axis=-1))
    assert_eq(np.where(x > 0.5, x, -x), np.where(a > 0.5, a, -a))
    assert_eq(np.dot(x, x.T), np.dot(a, a.T))
    assert_eq(np.linalg.norm(x), np.linalg.norm(a))
    assert_eq(np.linalg.norm(x, axis=1), np.linalg.norm(a, axis=1))
    assert_eq(sa.linalg.norm(x, ord=1), np.linalg.norm(a, ord=1))
    assert_eq(np.exp(x) + np.sin(x), np.exp(a) + np.sin(a))
    assert_eq(np.maximum(x, 0.5), np.maximum(a, 0.5))
    assert_eq(np.isclose(x, a), np.ones(a.shape, bool))


def test_astype_and_dtype_rules(a, x):
    assert x.astype("f4").dtype == np.float32
    assert_eq(x.astype(int), a.astype(int))
    i = sa.arange(10, chunks=3)
    assert (i + 1.5).dtype == np.float64
    assert (i.astype("i1") + 1).dtype == np.int8
    assert (x.astype("f4") * 2.0).dtype == np.float32
    assert (i / 2).dtype == np.float64
    assert (i // 2).dtype == i.dtype
    assert (i > 2).dtype == bool
    assert sa.ones(3, dtype="u1", chunks=2).sum().dtype == np.ones(3, "u1").sum().dtype


# -- indexing ----------------------------------------------------------------------------------------

def test_basic_and_fancy_indexing(a, x):
    assert_eq(x[3], a[3])
    assert_eq(x[3, 4], a[3, 4])
    assert_eq(x[::-2, 1:9:3], a[::-2, 1:9:3])
    assert_eq(x[None, ..., 2], a[None, ..., 2])
    assert_eq(x[[1, 7, 3]], a[[1, 7, 3]])
    assert_eq(x[:, [0, 9, 0]], a[:, [0, 9, 0]])
    assert_eq(x[np.array([True, False] * 6)], a[np.array([True, False] * 6)])
    assert_eq(x[[1, 2], 3], a[[1, 2], 3])
    assert_eq(x[-1, -1], a[-1, -1])
    assert x[2, 3].compute() == a[2, 3]


def test_boolean_mask_unknown_chunks(a, x):
    y = x[x > 0.5]
    assert np.isnan(y.shape[0])
    assert_eq(y, a[a > 0.5])
    y.compute_chunk_sizes()
    assert y.shape == (int((a > 0.5).sum()),)
    assert sum(y.chunks[0]) == y.shape[0]
    assert_eq(y + 1, a[a > 0.5] + 1)
    rows = x[x[:, 0] > 0.5]
    assert_eq(rows, a[a[:, 0] > 0.5])
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        x[x > 0.5].reshape((-1, 2))


def test_shoal_array_indexes(a, x):
    i = sa.from_array(np.array([3, 0, 11]), chunks=2)
    assert_eq(x[i], a[[3, 0, 11]])
    j = sa.from_array(np.array([9, 1]), chunks=1)
    assert_eq(x[i, :][:, j], a[[3, 0, 11]][:, [9, 1]])
    assert_eq(x[:, j], a[:, [9, 1]])
    # several shoal index arrays at once: pointwise, as in NumPy
    r = sa.from_array(np.array([1, 2, -1]), chunks=2)
    c = sa.from_array(np.array([3, 4, 9]), chunks=1)
    assert_eq(x[r, c], a[[1, 2, -1], [3, 4, 9]])
    assert_eq(x[r, np.array([3, 4, 9])], a[[1, 2, -1], [3, 4, 9]])
    b = np.random.default_rng(1).random((4, 5, 6))
    y = sa.from_array(b, chunks=2)
    p, q = sa.from_array(np.array([0, 4, 2]), chunks=2), sa.from_array(np.array([5, 0, 1]), chunks=2)
    assert_eq(y[:, p, q], b[:, [0, 4, 2], [5, 0, 1]])
    assert_eq(y[sa.from_array(np.array([0, 3]), chunks=1), :, sa.from_array(np.array([5, 0]), chunks=1)],
              b[[0, 3], :, [5, 0]])
    with pytest.raises(IndexError, match="10"):
        x[r, sa.from_array(np.array([3, 4, 10]), chunks=1)].compute()


def test_setitem(a, x):
    b = a.copy()
    y = x.copy()
    y[y > 0.5] = 0
    b[b > 0.5] = 0
    assert_eq(y, b)
    y[0] = 5
    b[0] = 5
    y[2:4, 1] = -1
    b[2:4, 1] = -1
    assert_eq(y, b)
    y[:, 3] = np.arange(12.0)
    b[:, 3] = np.arange(12.0)
    assert_eq(y, b)


def test_setitem_integer_array(a, x):
    b = a.copy()
    y = x.copy()
    y[[0, 7, 11]] = 9
    b[[0, 7, 11]] = 9
    assert_eq(y, b)
    y[:, [1, 8]] = np.array([1.0, 2.0])
    b[:, [1, 8]] = np.array([1.0, 2.0])
    assert_eq(y, b)


def test_out_of_bounds_errors(x):
    with pytest.raises(IndexError, match="12"):
        x[12]
    with pytest.raises(IndexError):
        x[:, [0, 10]]
    with pytest.raises(IndexError):
        x[0, 0, 0]


# -- shape manipulation ------------------------------------------------------------------------------

def test_shape_manipulation(a, x):
    assert_eq(x.reshape(-1, 4), a.reshape(-1, 4))
    assert_eq(x.reshape((4, 3, 10)), a.reshape((4, 3, 10)))
    assert_eq(x.ravel(), a.ravel())
    assert_eq(sa.ravel(x), np.ravel(a))
    b = np.arange(24.0).reshape(2, 3, 4)
    y = sa.from_array(b, chunks=(1, 2, 3))
    assert_eq(y.transpose((2, 0, 1)), b.transpose((2, 0, 1)))
    assert_eq(y.transpose(1, 0, 2), b.transpose(1, 0, 2))
    assert_eq(sa.transpose(y, axes=(2, 1, 0)), np.transpose(b, axes=(2, 1, 0)))
    assert_eq(y[:, :1].squeeze(axis=1), b[:, :1].squeeze(axis=1))
    assert_eq(sa.squeeze(y[:1, :, :1]), np.squeeze(b[:1, :, :1]))
    assert_eq(sa.broadcast_to(sa.arange(4, chunks=2), (3, 4)), np.broadcast_to(np.arange(4), (3, 4)))
    assert_eq(sa.moveaxis(y, 0, -1), np.moveaxis(b, 0, -1))
    assert_eq(sa.expand_dims(x, 0), np.expand_dims(a, 0))


def test_triangles_and_diagonals(a, x):
    assert_eq(sa.tril(x), np.tril(a))
    assert_eq(sa.triu(x, k=1), np.triu(a, k=1))
    assert_eq(sa.tril(x, k=-2), np.tril(a, k=-2))
    assert_eq(sa.diag(x), np.diag(a))
    v = sa.arange(5, chunks=2)
    assert_eq(sa.diag(v), np.diag(np.arange(5)))
    assert_eq(sa.diagonal(x, offset=1), np.diagonal(a, offset=1))


# -- linear algebra ----------------------------------------------------------------------------------

def test_products(a, x):
    v = sa.arange(4, chunks=3)
    assert_eq(sa.outer(v, v), np.outer(np.arange(4), np.arange(4)))
    b = np.random.default_rng(1).random((10, 6, 3))
    y = sa.from_array(b, chunks=(4, 3, 3))
    assert_eq(sa.tensordot(x, y, axes=1), np.tensordot(a, b, axes=1))
    assert_eq(sa.tensordot(x, y, axes=([1], [0])), np.tensordot(a, b, axes=([1], [0])))
    assert_eq(sa.einsum("ij,jkl->ikl", x, y), np.einsum("ij,jkl->ikl", a, b))
    assert_eq(sa.einsum("ij->j", x), np.einsum("ij->j", a))
    assert_eq(sa.einsum("ij,ij->i", x, x), np.einsum("ij,ij->i", a, a))
    assert_eq(x @ x.T, a @ a.T)
    assert_eq(x.dot(np.ones(10)), a.dot(np.ones(10)))


def test_einsum_ellipsis():
    b = np.random.default_rng(2).random((3, 4, 5))
    y = sa.from_array(b, chunks=2)
    assert_eq(sa.einsum("...ij->...ji", y), np.einsum("...ij->...ji", b))
    assert_eq(sa.einsum("...j,...j->...", y, y), np.einsum("...j,...j->...", b, b))


def test_linalg_decompositions():
    rng = np.random.default_rng(5)
    tall = rng.random((60, 5))
    t = sa.from_array(tall, chunks=(15, 5))
    q, r = sa.linalg.qr(t)
    assert_eq(q @ r, tall)
    np.testing.assert_allclose(q.T.compute() @ q.compute(), np.eye(5), atol=1e-10)
    u, s, v = sa.linalg.svd(t)
    np.testing.assert_allclose(s.compute(), np.linalg.svd(tall, compute_uv=False))
    assert_eq((u * s) @ v, tall)
    m = rng.random((8, 8)) + 8 * np.eye(8)
    xm = sa.from_array(m, chunks=4)
    rhs = rng.random(8)
    assert_eq(sa.linalg.solve(xm, sa.from_array(rhs, chunks=4)), np.linalg.solve(m, rhs))
    assert_eq(sa.linalg.inv(xm), np.linalg.inv(m))
    spd = m @ m.T
    xspd = sa.from_array(spd, chunks=4)
    assert_eq(sa.linalg.cholesky(xspd, lower=True), np.linalg.cholesky(spd))
    assert_eq(sa.linalg.cholesky(xspd), np.linalg.cholesky(spd).T)  # upper, as in Dask
    b = rng.random(60)
    sol, res, rank, sv = sa.linalg.lstsq(t, sa.from_array(b, chunks=15))
    expected = np.linalg.lstsq(tall, b, rcond=None)
    assert_eq(sol, expected[0])
    assert_eq(res, expected[1])
    assert int(rank.compute()) == 5
    assert_eq(sv, expected[3])


# -- storage -------------------------------------------------------------------------------------------

def test_store_into_h5py(tmp_path, a, x):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "data.h5", "w") as f:
        d = f.create_dataset("x", shape=a.shape, dtype=a.dtype)
        sa.store(x, d)
        np.testing.assert_array_equal(d[:], a)
    with h5py.File(tmp_path / "data.h5", "r") as f:
        y = sa.from_array(f["x"], chunks=(6, 5))
        assert_eq(y[3:9].sum(axis=0), a[3:9].sum(axis=0))


def test_zarr_round_trip(tmp_path, a, x):
    zarr = pytest.importorskip("zarr")
    x.to_zarr(str(tmp_path / "a.zarr"))
    back = sa.from_zarr(str(tmp_path / "a.zarr"))
    assert back.chunks == x.chunks or back.chunksize == x.chunksize
    assert_eq(back, a)
    target = zarr.open(str(tmp_path / "b.zarr"), mode="w", shape=a.shape, chunks=(5, 4), dtype=a.dtype)
    sa.store(x, target)
    np.testing.assert_array_equal(target[:], a)


# -- computing ------------------------------------------------------------------------------------------

def test_persist_and_compute_many(a, x):
    y = (x + 1).persist()
    assert_eq(y, a + 1)
    assert len(y.__shoal_graph__()) == y.npartitions
    s, m = shoal.compute(x.sum(), x.mean(axis=0))
    assert np.isclose(s, a.sum())
    np.testing.assert_allclose(m, a.mean(axis=0))
    s2, m2 = sa.compute(x.max(), x.min())
    assert s2 == a.max() and m2 == a.min()
    (p,) = shoal.persist(x * 2)
    assert_eq(p, a * 2)


def test_python_protocols(a, x):
    assert len(x) == 12
    rows = list(x)
    assert len(rows) == 12
    np.testing.assert_array_equal(rows[3].compute(), a[3])
    assert isinstance(np.asarray(x), np.ndarray)
    np.testing.assert_array_equal(np.asarray(x), a)
    np.testing.assert_array_equal(np.array(x), a)
    assert type(x.compute()) is np.ndarray
    r = repr(x)
    assert "shape=(12, 10)" in r and "chunksize=(5, 4)" in r and "float64" in r
    assert float(x[0, 0]) == a[0, 0]
    assert int(sa.arange(5, chunks=2)[3]) == 3
    assert bool(x[0, 0] > -1)
    assert "<table" in x._repr_html_()


# -- errors ----------------------------------------------------------------------------------------------

def test_error_messages(x):
    with pytest.raises(ValueError, match=r"\(12, 10\).*\(3,\)|\(3,\).*\(12, 10\)"):
        x + sa.ones(3, chunks=1)
    with pytest.raises(ValueError, match="12"):
        x.reshape(7, -1)
    with pytest.raises(ValueError):
        sa.from_array(np.ones((4, 4)), chunks=((2, 1), (4,)))
    with pytest.raises(ValueError):
        sa.concatenate([x, sa.ones((3, 3), chunks=1)], axis=0)
    with pytest.raises(ValueError):
        sa.stack([x, x[:3]])
    with pytest.raises(ValueError):
        x @ x


def test_masks_combined_with_other_indexes(a, x):
    rows = a[:, 0] > 0.5
    cols = a[0] > 0.5
    assert_eq(x[rows, 2:5], a[rows, 2:5])
    assert_eq(x[x[:, 0] > 0.5, 2:5], a[rows, 2:5])
    assert_eq(x[2:5, cols], a[2:5, cols])
    assert_eq(x[2:5, x[0] > 0.5], a[2:5, cols])
    assert_eq(x[3, x[0] > 0.5], a[3, cols])
    b = np.random.default_rng(1).random((3, 4, 5))
    y = sa.from_array(b, chunks=2)
    assert_eq(y[:, y[0] > 0.5], b[:, b[0] > 0.5])
    assert_eq(y[1:, :, y[0, 0] > 0.5], b[1:, :, b[0, 0] > 0.5])
    with pytest.raises(IndexError):
        x[np.ones(5, bool)]


def test_setitem_more_forms(a, x):
    y, b = x.copy(), a.copy()
    y[y > 0.5] = y * 2
    b[b > 0.5] = (b * 2)[b > 0.5]
    assert_eq(y, b)
    y[1:3] = sa.ones((2, 10), chunks=1) * 7
    b[1:3] = 7
    assert_eq(y, b)
    y[[1, 6]] = sa.arange(20, chunks=3).reshape(2, 10) * 1.0
    b[[1, 6]] = np.arange(20).reshape(2, 10)
    assert_eq(y, b)
    y[-1, [1, -1]] = 3
    b[-1, [1, -1]] = 3
    assert_eq(y, b)
    y[np.arange(12) % 3 == 0, 0] = -5
    b[np.arange(12) % 3 == 0, 0] = -5
    assert_eq(y, b)
    with pytest.raises(IndexError, match="12"):
        y[[0, 12]] = 1


def test_numpy_matmul_and_implicit_einsum(a, x):
    assert isinstance(np.matmul(x, x.T), sa.Array)
    assert_eq(np.matmul(x, x.T), a @ a.T)
    assert_eq(sa.einsum("...i,...i", x, x), np.einsum("...i,...i", a, a))
    assert_eq(sa.einsum("ii", x[:10]), np.einsum("ii", a[:10]))
    assert_eq(np.einsum("ij->i", x), a.sum(axis=1))


def test_delayed_and_store_variants(a, x):
    d = shoal.delayed(np.ones)((3, 3))
    assert_eq(sa.from_delayed(d, shape=(3, 3), dtype=float), np.ones((3, 3)))
    target = np.zeros(a.shape)
    job = sa.store(x, target, compute=False)
    assert not target.any()
    job.compute()
    np.testing.assert_array_equal(target, a)
    (stored,) = sa.store(x + 1, np.zeros(a.shape), return_stored=True)
    assert_eq(stored, a + 1)
    blocks = x.to_delayed().ravel().tolist()
    rebuilt = sa.block([[sa.from_delayed(blocks[i * 3 + j], shape=x.blocks[i, j].shape, dtype=x.dtype)
                         for j in range(3)] for i in range(3)])
    assert_eq(rebuilt, a)


def test_large_block_reductions_match_numpy():
    # blocks big enough for tile-by-tile evaluation of fused elementwise + reduction tasks
    b = np.random.default_rng(3).random((1100, 900))
    b[5, 7] = np.nan
    y = sa.from_array(b, chunks=(600, 500))
    sq = y[:900]
    assert_eq((sq + sq.T).mean(), (b[:900] + b[:900].T).mean())
    assert_eq((sq - sq.T).sum(axis=0), (b[:900] - b[:900].T).sum(axis=0))
    assert_eq(np.nanmax(y * 2 + 1, axis=1, keepdims=True), np.nanmax(b * 2 + 1, axis=1, keepdims=True))
    assert_eq(sa.nanstd(y - 1, axis=0), np.nanstd(b - 1, axis=0))
    assert_eq((y > 0.5).any(axis=1), (b > 0.5).any(axis=1))
    v = sa.from_array(np.arange(600_000.0), chunks=250_000)
    assert_eq((v * 2).var(), (np.arange(600_000.0) * 2).var())


def test_random_with_shoal_array_parameters():
    loc = sa.arange(6, chunks=4) * 100.0
    r = sa.random.RandomState(0).normal(loc, 0.001, chunks=2)
    assert r.chunks == ((2, 2, 2),)
    np.testing.assert_allclose(r.compute(), np.arange(6) * 100.0, atol=0.01)
    g = sa.random.default_rng(0).normal(loc[None, :], 0.001, size=(3, 6), chunks=(2, 3)).compute()
    np.testing.assert_allclose(g, np.broadcast_to(np.arange(6) * 100.0, (3, 6)), atol=0.01)
    u = sa.random.default_rng(1).uniform(sa.zeros(4, chunks=2), sa.arange(1, 5, chunks=2), chunks=2).compute()
    assert (u >= 0).all() and (u < np.arange(1, 5)).all()
    with pytest.raises(ValueError, match=r"\(3,\)"):
        sa.random.default_rng(0).normal(sa.zeros(3, chunks=1), 1, size=(4,))


def test_searching_selecting_and_editing(a, x):
    edges = sa.from_array(np.linspace(0, 1, 11), chunks=4)
    assert_eq(sa.searchsorted(edges, x), np.searchsorted(np.linspace(0, 1, 11), a))
    assert_eq(np.searchsorted(edges, x[0], side="right"), np.searchsorted(np.linspace(0, 1, 11), a[0], side="right"))
    assert_eq(sa.select([x > 0.7, x < 0.2], [x, -x], 0.5), np.select([a > 0.7, a < 0.2], [a, -a], 0.5))
    assert_eq(sa.piecewise(x, [x < 0.5, x >= 0.5], [lambda v: -v, 1.0]),
              np.piecewise(a, [a < 0.5, a >= 0.5], [lambda v: -v, 1.0]))
    i, j = sa.unravel_index(sa.arange(20, chunks=6), (4, 5))
    ei, ej = np.unravel_index(np.arange(20), (4, 5))
    assert_eq(i, ei)
    assert_eq(sa.ravel_multi_index((i, j), (4, 5)), np.arange(20))
    assert_eq(sa.append(x, x[:2], axis=0), np.append(a, a[:2], axis=0))
    assert_eq(np.append(x, [1.0, 2.0]), np.append(a, [1.0, 2.0]))
    assert_eq(sa.delete(x, [0, 3], axis=1), np.delete(a, [0, 3], axis=1))
    assert_eq(np.delete(x, slice(2, 8), axis=0), np.delete(a, slice(2, 8), axis=0))
