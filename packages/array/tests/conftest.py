"""Shared fixtures and hypothesis strategies for the shoal.array tests."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

settings.register_profile(
    "shoal-array", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("shoal-array")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@st.composite
def shapes_and_chunks(draw, min_dims=1, max_dims=3, max_side=9, min_side=0):
    """A shape and a valid explicit chunking of it (random block sizes, including size-0 axes)."""
    ndim = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.integers(min_side, max_side)) for _ in range(ndim))
    chunks = []
    for n in shape:
        if n == 0:
            chunks.append((0,))
            continue
        sizes = []
        left = n
        while left:
            s = draw(st.integers(1, left))
            sizes.append(s)
            left -= s
        chunks.append(tuple(sizes))
    return shape, tuple(chunks)


def arange_array(shape, dtype=float):
    return (np.arange(int(np.prod(shape)), dtype=float).reshape(shape) * 0.7 - 3).astype(dtype)


@pytest.fixture
def data():
    """A 12x10 float array and the same as a shoal array in ragged 5x4 blocks."""
    import shoal.array as sa

    a = np.random.default_rng(7).random((12, 10))
    return a, sa.from_array(a, chunks=(5, 4))
