import numpy as np
import pytest
from conftest import arange_array, shapes_and_chunks
from hypothesis import given
from hypothesis import strategies as st

import shoal.array as sa
from shoal.array.testing import assert_eq


@given(shapes_and_chunks(min_side=1, max_side=6, max_dims=4), st.data())
def test_reshape_matches_numpy(sc, data):
    shape, chunks = sc
    a = arange_array(shape)
    x = sa.from_array(a, chunks=chunks)
    size = a.size
    divisors = [d for d in range(1, size + 1) if size % d == 0]
    first = data.draw(st.sampled_from(divisors))
    rest = size // first
    second = data.draw(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
    new = (first, second, rest // second)
    assert_eq(x.reshape(new), a.reshape(new))
    assert_eq(x.reshape(-1), a.reshape(-1))
    assert_eq(x.ravel(), a.ravel())


def test_reshape_errors_name_shapes():
    x = sa.ones((4, 6), chunks=2)
    with pytest.raises(ValueError, match=r"size 24 into shape \(5, 5\)"):
        x.reshape((5, 5))


def test_transpose_family():
    a = arange_array((2, 3, 4, 5))
    x = sa.from_array(a, chunks=(1, 2, 3, 2))
    assert_eq(x.T, a.T)
    assert_eq(x.transpose(1, 0, 3, 2), a.transpose(1, 0, 3, 2))
    assert_eq(x.transpose((2, 0, 1, 3)), a.transpose((2, 0, 1, 3)))
    assert_eq(x.swapaxes(0, -1), a.swapaxes(0, -1))
    assert_eq(sa.moveaxis(x, 0, -1), np.moveaxis(a, 0, -1))
    assert_eq(sa.moveaxis(x, [0, 1], [-1, 0]), np.moveaxis(a, [0, 1], [-1, 0]))
    assert_eq(np.transpose(x), np.transpose(a))
    assert_eq(sa.rollaxis(x, 3, 1), np.rollaxis(a, 3, 1))


def test_squeeze_expand_dims():
    a = arange_array((1, 3, 1, 4))
    x = sa.from_array(a, chunks=2)
    assert_eq(x.squeeze(), a.squeeze())
    assert_eq(x.squeeze(axis=2), a.squeeze(axis=2))
    assert_eq(sa.expand_dims(x, 0), np.expand_dims(a, 0))
    assert_eq(sa.expand_dims(x, (1, -1)), np.expand_dims(a, (1, -1)))
    with pytest.raises(ValueError, match="cannot squeeze axis 1"):
        x.squeeze(axis=1)
    assert_eq(sa.atleast_3d(x[0, :, 0]), np.atleast_3d(a[0, :, 0]))


def test_concatenate_stack_block():
    a = arange_array((4, 5))
    b = arange_array((3, 5)) + 100
    x = sa.from_array(a, chunks=2)
    y = sa.from_array(b, chunks=(2, 3))
    assert_eq(sa.concatenate([x, y]), np.concatenate([a, b]))
    assert_eq(sa.concatenate([x, y.astype(np.float32)], axis=0), np.concatenate([a, b.astype(np.float32)]))
    assert_eq(sa.stack([x, x + 1], axis=1), np.stack([a, a + 1], axis=1))
    assert_eq(sa.block([[x, x], [y, y]]), np.block([[a, a], [b, b]]))
    assert_eq(sa.hstack([x, x]), np.hstack([a, a]))
    assert_eq(sa.vstack([x, y]), np.vstack([a, b]))
    assert_eq(sa.concatenate([x, y], axis=None), np.concatenate([a, b], axis=None))
    with pytest.raises(ValueError, match=r"\(4, 5\).*\(4, 3\)|differ on axis"):
        sa.concatenate([x, x[:, :3]], axis=0)
