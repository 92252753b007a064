import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_map_blocks_basic_and_dtype():
    a = np.arange(24).reshape(4, 6)
    x = sa.from_array(a, chunks=(2, 3))
    y = x.map_blocks(lambda b: b * 2.5)
    assert y.dtype == np.float64
    assert_eq(y, a * 2.5)
    assert_eq(sa.map_blocks(np.add, x, x), a + a)
    z = x.map_blocks(lambda b: b[:1], chunks=(1, 3))
    assert z.chunks == ((1, 1), (3, 3))
    assert_eq(z, a[[0, 2]])


def test_map_blocks_block_info_and_ids():
    a = np.zeros((4, 6))
    x = sa.from_array(a, chunks=(2, 3))

    def where_am_i(block, block_info=None):
        (r0, _), (c0, _) = block_info[0]["array-location"]
        return block + r0 * 100 + c0

    expected = np.zeros((4, 6))
    for r in (0, 2):
        for c in (0, 3):
            expected[r:r + 2, c:c + 3] = r * 100 + c
    assert_eq(x.map_blocks(where_am_i), expected)
    ids = x.map_blocks(lambda b, block_id=None: np.full(b.shape, block_id[0] * 10 + block_id[1]), dtype=int)
    assert_eq(ids, np.array([[0] * 3 + [1] * 3] * 2 + [[10] * 3 + [11] * 3] * 2))


def test_map_blocks_drop_and_new_axis():
    a = np.arange(24.).reshape(4, 6)
    x = sa.from_array(a, chunks=(2, 6))
    s = x.map_blocks(lambda b: b.sum(axis=1), drop_axis=1)
    assert_eq(s, a.sum(axis=1))
    e = x.map_blocks(lambda b: b[:, :, None] * np.ones(3), new_axis=2, chunks=(2, 6, 3))
    assert_eq(e, a[:, :, None] * np.ones(3))


def test_blockwise_contraction_and_new_axes():
    a = np.arange(12.).reshape(3, 4)
    x = sa.from_array(a, chunks=2)
    out = sa.blockwise(lambda b: b.sum(axis=1), "i", x, "ij", dtype=float, concatenate=True)
    assert_eq(out, a.sum(axis=1))
    outer = sa.blockwise(np.multiply.outer, "ij", x[0], "i", x[:, 0], "j", dtype=float)
    assert_eq(outer, np.multiply.outer(a[0], a[:, 0]))
    with pytest.raises(ValueError, match="not in any input"):
        sa.blockwise(np.add, "ik", x, "ij", dtype=float)


def test_map_overlap_boundaries():
    a = np.arange(100.).reshape(10, 10) ** 1.5
    x = sa.from_array(a, chunks=(3, 4))

    def lap(b):
        out = b.copy()
        out[1:-1, 1:-1] = b[:-2, 1:-1] + b[2:, 1:-1] + b[1:-1, :-2] + b[1:-1, 2:] - 4 * b[1:-1, 1:-1]
        return out

    for mode, np_mode in [("reflect", "symmetric"), ("periodic", "wrap"), ("nearest", "edge")]:
        assert_eq(x.map_overlap(lap, depth=1, boundary=mode), lap(np.pad(a, 1, mode=np_mode))[1:-1, 1:-1])
    assert_eq(sa.map_overlap(lap, x, depth=1, boundary=0), lap(np.pad(a, 1))[1:-1, 1:-1])
    assert_eq(x.map_overlap(lap, depth=1, boundary="none"), lap(a))
    thin = sa.from_array(a, chunks=(1, 2))
    assert_eq(thin.map_overlap(lap, depth={0: 2, 1: 2}, boundary="reflect"),
              lap(np.pad(a, 2, mode="symmetric"))[2:-2, 2:-2])
    g = sa.overlap.overlap(x, depth=1, boundary="none")
    assert g.chunks == ((4, 5, 5, 2), (5, 6, 3))
    assert_eq(sa.overlap.trim_internal(g, {0: 1, 1: 1}), a)
    g = sa.overlap.overlap(x, depth={0: 2, 1: 1}, boundary="periodic")
    assert_eq(g.blocks[0, 0], np.pad(a, ((2, 2), (1, 1)), mode="wrap")[:8, :6])


def test_apply_gufunc_like_rolling_mean():
    a = np.arange(50.)
    x = sa.from_array(a, chunks=10)
    rolled = x.map_overlap(lambda b: np.convolve(b, np.ones(3) / 3, mode="same"), depth=1, boundary="none")
    assert_eq(rolled, np.convolve(a, np.ones(3) / 3, mode="same"))


def test_enforce_ndim():
    x = sa.ones((4, 4), chunks=2)
    with pytest.raises(ValueError, match="expected 2 dimensions"):
        x.map_blocks(lambda b: b.sum(), enforce_ndim=True).compute()
    assert_eq(x.map_blocks(lambda b: b * 2, enforce_ndim=True), np.full((4, 4), 2.0))


def test_apply_gufunc():
    a = np.random.default_rng(0).random((6, 5, 4))
    b = np.random.default_rng(1).random((5, 4))
    x = sa.from_array(a, chunks=(2, 3, 4))
    y = sa.from_array(b, chunks=(2, 4))
    assert_eq(sa.apply_gufunc(lambda v: v.mean(axis=-1), "(i)->()", x), a.mean(axis=-1))
    assert_eq(sa.apply_gufunc(lambda u, v: (u * v).sum(axis=-1), "(i),(i)->()", x, y), (a * b).sum(axis=-1))
    mn, mx = sa.apply_gufunc(lambda v: (v.min(axis=-1), v.max(axis=-1)), "(i)->(),()", x)
    assert_eq(mn, a.min(axis=-1))
    assert_eq(mx, a.max(axis=-1))
    outer = sa.apply_gufunc(lambda v: v[..., :, None] * np.ones(3), "(i)->(i,k)", x, output_sizes={"k": 3})
    assert_eq(outer, a[..., :, None] * np.ones(3))
    vec = sa.apply_gufunc(lambda v: np.sort(v)[::-1], "(i)->(i)", x, vectorize=True)
    assert_eq(vec, np.sort(a, axis=-1)[..., ::-1])
    with pytest.raises(ValueError, match="allow_rechunk=True"):
        sa.apply_gufunc(np.sum, "(i)->()", x.rechunk({2: 2}))
    assert_eq(sa.apply_gufunc(lambda v: v.sum(-1), "(i)->()", x.rechunk({2: 2}), allow_rechunk=True), a.sum(-1))
