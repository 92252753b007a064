import numpy as np
import pytest

import shoal
import shoal.array as sa
from shoal.array.testing import assert_eq

h5py = pytest.importorskip("h5py")
zarr = pytest.importorskip("zarr")


def test_h5py_read_index_and_store(tmp_path):
    data = np.arange(4 * 120 * 50, dtype="f4").reshape(120, 4, 50)
    with h5py.File(tmp_path / "a.h5", "w") as f:
        f.create_dataset("x", data=data, chunks=(10, 4, 25))
    with h5py.File(tmp_path / "a.h5", "r") as f:
        x = sa.from_array(f["x"], chunks=(40, 4, 25))
        assert x.dtype == np.float32
        assert_eq(x[100, :, :], data[100, :, :])
        assert_eq(x[0, 0], data[0, 0])
        assert_eq(x.mean(axis=0), data.mean(axis=0), rtol=1e-5)
        with h5py.File(tmp_path / "b.h5", "w") as g:
            out = g.create_dataset("y", shape=data.shape, dtype="f8")
            sa.store(x.astype("f8") * 2, out)
            np.testing.assert_array_equal(out[:], data * 2.0)
    y = sa.from_array(data, chunks=(30, 4, 50))
    y.to_hdf5(str(tmp_path / "c.h5"), "/data")
    with h5py.File(tmp_path / "c.h5", "r") as f:
        np.testing.assert_array_equal(f["data"][:], data)
        assert f["data"].chunks == (30, 4, 50)
    sa.to_hdf5(str(tmp_path / "c.h5"), {"/p": y + 1, "/q/r": y[:5] * 2})
    sa.to_hdf5(str(tmp_path / "c.h5"), "/s", y[0], chunks=None)
    with h5py.File(tmp_path / "c.h5", "r") as f:
        np.testing.assert_array_equal(f["p"][:], data + 1)
        np.testing.assert_array_equal(f["q/r"][:], data[:5] * 2)
        np.testing.assert_array_equal(f["s"][:], data[0])
        assert f["s"].chunks is None
    with pytest.raises(ValueError, match="to_hdf5"):
        sa.to_hdf5(str(tmp_path / "c.h5"), y)


def test_zarr_roundtrip(tmp_path):
    a = np.random.default_rng(0).random((50, 40))
    x = sa.from_array(a, chunks=(20, 15))
    x.to_zarr(str(tmp_path / "z.zarr"))
    y = sa.from_zarr(str(tmp_path / "z.zarr"))
    assert y.chunks == ((20, 20, 10), (15, 15, 10))
    assert_eq(y, a)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        x.to_zarr(str(tmp_path / "z.zarr"))
    (x + 1).to_zarr(str(tmp_path / "z.zarr"), overwrite=True)
    assert_eq(sa.from_zarr(str(tmp_path / "z.zarr")), a + 1)
    z = zarr.open_array(str(tmp_path / "z.zarr"), mode="r")
    assert_eq(sa.from_array(z), a + 1)
    with pytest.raises(ValueError, match="regular chunks"):
        sa.from_array(a, chunks=((10, 40), (40,))).to_zarr(str(tmp_path / "bad.zarr"))


def test_npy_stack_roundtrip(tmp_path):
    a = np.arange(90.).reshape(9, 10)
    x = sa.from_array(a, chunks=(4, 3))
    sa.to_npy_stack(str(tmp_path / "stack"), x, axis=0)
    y = sa.from_npy_stack(str(tmp_path / "stack"))
    assert y.chunks == ((4, 4, 1), (10,))
    assert_eq(y, a)


def test_store_numpy_targets_lazily_and_return_stored():
    a = np.arange(30.).reshape(5, 6)
    x = sa.from_array(a, chunks=2)
    target = np.zeros((5, 6))
    d = sa.store(x + 1, target, compute=False)
    assert not target.any()
    d.compute()
    np.testing.assert_array_equal(target, a + 1)
    t2 = np.zeros((5, 6))
    (stored,) = sa.store([x * 3], [t2], return_stored=True)
    np.testing.assert_array_equal(t2, a * 3)
    assert_eq(stored, a * 3)
    with pytest.raises(ValueError, match=r"\(5, 6\).*\(4, 4\)"):
        sa.store(x, np.zeros((4, 4)))


def test_from_delayed_and_assembling_blocks():
    make = shoal.delayed(np.arange)
    parts = [sa.from_delayed(make(i * 4, i * 4 + 4), shape=(4,), dtype=int) for i in range(3)]
    x = sa.concatenate(parts)
    assert x.chunks == ((4, 4, 4),)
    assert_eq(x, np.arange(12))
    grid = sa.block([[sa.from_delayed(shoal.delayed(np.full)((2, 3), i * 2 + j), shape=(2, 3), dtype=int)
                      for j in range(2)] for i in range(2)])
    assert_eq(grid, np.block([[np.full((2, 3), i * 2 + j) for j in range(2)] for i in range(2)]))
    bad = sa.from_delayed(make(0, 5), shape=(4,), dtype=int)
    with pytest.raises(ValueError, match=r"shape \(5,\), expected \(4,\)"):
        bad.compute()


def test_to_delayed_and_persist():
    a = np.arange(16.).reshape(4, 4)
    x = sa.from_array(a, chunks=2) + 1
    blocks = x.to_delayed()
    assert len(blocks) == 2 and len(blocks[0]) == 2
    np.testing.assert_array_equal(blocks[1][0].compute(), a[2:, :2] + 1)
    p = x.persist()
    assert p.chunks == x.chunks
    assert_eq(p, a + 1)
    assert len(p.dask) == 4


def test_h5py_plane_reads_only_the_plane(tmp_path):
    from shoal.array.io import getter
    from shoal.array.optimization import optimize

    data = np.arange(60 * 8 * 6, dtype="f8").reshape(60, 8, 6)
    with h5py.File(tmp_path / "p.h5", "w") as f:
        f["d"] = data
    with h5py.File(tmp_path / "p.h5", "r") as f:
        x = sa.from_array(f["d"], chunks=(20, 4, 6))
        plane = x[45, :, 1:5]
        graph = optimize(plane.dask, plane.__shoal_keys__())
        reads = [t for k, t in graph.items() if isinstance(k, tuple) and t[0] is getter]
        assert len(reads) == 2
        assert all(t[2][0] == 45 and t[2][2] == slice(1, 5) for t in reads)
        assert_eq(plane, data[45, :, 1:5])
        assert_eq(x[5:7, 3, ::2], data[5:7, 3, ::2])
