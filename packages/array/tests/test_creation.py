import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_filled_arrays_and_like():
    assert_eq(sa.ones((5, 7), chunks=3), np.ones((5, 7)))
    assert_eq(sa.zeros((5, 7), chunks=(2, 7), dtype="i4"), np.zeros((5, 7), "i4"))
    assert_eq(sa.full((3, 4), 2.5, chunks=2), np.full((3, 4), 2.5))
    assert_eq(sa.full((3,), 7, chunks=2), np.full((3,), 7))
    assert sa.empty((4, 4), chunks=2).compute().shape == (4, 4)
    x = sa.from_array(np.arange(12).reshape(3, 4), chunks=2)
    assert_eq(sa.ones_like(x), np.ones((3, 4), int))
    assert sa.ones_like(x).chunks == x.chunks
    assert_eq(sa.zeros_like(x, dtype=float), np.zeros((3, 4)))
    assert_eq(sa.full_like(x, 9), np.full((3, 4), 9))
    assert_eq(np.ones_like(x), np.ones((3, 4), int))
    with pytest.raises(ValueError, match="fill_value must be a scalar"):
        sa.full((3,), np.ones(3))


@pytest.mark.parametrize("args", [(10,), (2, 11), (1, 20, 3), (10, 0, -2), (0.5, 4.1, 0.3), (5, 5)])
def test_arange(args):
    assert_eq(sa.arange(*args, chunks=3), np.arange(*args))


@pytest.mark.parametrize("num,endpoint", [(50, True), (7, False), (1, True), (0, True)])
def test_linspace(num, endpoint):
    assert_eq(sa.linspace(-1, 3, num, endpoint=endpoint, chunks=4), np.linspace(-1, 3, num, endpoint=endpoint))
    x, step = sa.linspace(0, 1, 11, retstep=True, chunks=3)
    assert step == np.linspace(0, 1, 11, retstep=True)[1]


def test_eye_diag_tri_indices():
    assert_eq(sa.eye(7, chunks=3), np.eye(7))
    assert_eq(sa.eye(5, M=8, k=2, chunks=3, dtype=int), np.eye(5, 8, k=2, dtype=int))
    assert_eq(sa.eye(6, k=-4, chunks=4), np.eye(6, k=-4))
    v = np.arange(1, 6.)
    assert_eq(sa.diag(sa.from_array(v, chunks=2)), np.diag(v))
    m = np.arange(30.).reshape(5, 6)
    assert_eq(sa.diag(sa.from_array(m, chunks=2)), np.diag(m))
    assert_eq(sa.diag(sa.from_array(m, chunks=2), 1), np.diag(m, 1))
    assert_eq(sa.tril(sa.from_array(m, chunks=2), -1), np.tril(m, -1))
    assert_eq(sa.triu(sa.from_array(m, chunks=(3, 4)), 2), np.triu(m, 2))
    assert_eq(sa.indices((3, 4), chunks=2), np.indices((3, 4)))
    g = sa.meshgrid(sa.arange(3, chunks=2), sa.arange(4, chunks=2))
    for r, e in zip(g, np.meshgrid(np.arange(3), np.arange(4))):
        assert_eq(r, e)
    assert_eq(sa.fromfunction(lambda i, j: i * 10 + j, (4, 5), chunks=2, dtype=int),
              np.fromfunction(lambda i, j: i * 10 + j, (4, 5), dtype=int))
    assert_eq(sa.broadcast_to(sa.arange(4, chunks=2), (3, 4)), np.broadcast_to(np.arange(4), (3, 4)))


def test_from_array_memmap(tmp_path):
    path = tmp_path / "data.bin"
    mm = np.memmap(path, dtype="f8", mode="w+", shape=(20, 30))
    mm[:] = np.arange(600.).reshape(20, 30)
    mm.flush()
    ro = np.memmap(path, dtype="f8", mode="r", shape=(20, 30))
    x = sa.from_array(ro, chunks=(7, 11))
    assert_eq(x, np.arange(600.).reshape(20, 30))
    assert_eq(x[3:9, ::4].sum(), np.arange(600.).reshape(20, 30)[3:9, ::4].sum())


def test_asarray_and_array_likes():
    assert_eq(sa.asarray([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]))
    x = sa.ones(3, chunks=2)
    assert sa.asarray(x) is x
    assert_eq(sa.asarray([x, x]), np.ones((2, 3)))
    assert_eq(sa.array(np.arange(3), dtype=float), np.arange(3.))
    assert_eq(sa.from_array(np.float64(3.5)), np.array(3.5))
