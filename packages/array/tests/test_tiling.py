"""Tile-by-tile evaluation of fused reductions, and tasks that read the same blocks run together
(output blocks (i, j) and (j, i) of ``x + x.T``): same results as NumPy, fewer tasks."""

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.optimization import optimize
from shoal.array.testing import assert_eq


@pytest.fixture(scope="module")
def square():
    a = np.random.default_rng(5).random((1200, 1200))
    return a, sa.from_array(a, chunks=(400, 400))


def _together(y):
    graph = optimize(y.__shoal_graph__(), y.__shoal_keys__())
    return [k for k in graph if "-together" in str(k)]


def test_mirrored_blocks_are_reduced_together(square):
    a, x = square
    y = (x + x.T).mean()
    assert len(_together(y)) == 3  # the 3 off-diagonal pairs of a 3x3 grid
    assert_eq(y, (a + a.T).mean())


@pytest.mark.parametrize("expr", [
    lambda m: (m - 2 * m.T).sum(axis=0),
    lambda m: (m * m.T + m).max(axis=1),
    lambda m: np.abs(m.T - m).sum(axis=1, keepdims=True),
    lambda m: ((m + m.T) > 1).any(axis=0),
    lambda m: (m.T / (m + 1)).std(axis=1),
])
def test_any_elementwise_mix_of_x_and_its_transpose(square, expr):
    a, x = square
    y = expr(x)
    assert _together(y)
    assert_eq(y, expr(a))


def test_three_dimensional_transposes_and_broadcast_leaves():
    b = np.random.default_rng(6).random((4, 800, 800))
    z = sa.from_array(b, chunks=(2, 400, 400))
    row = np.random.default_rng(7).random(800)
    y = (z + z.transpose(0, 2, 1) * row).sum(axis=(0, 2))
    assert _together(y)
    assert_eq(y, (b + b.transpose(0, 2, 1) * row).sum(axis=(0, 2)))


def test_unrelated_blocks_are_not_grouped(square):
    a, x = square
    y = (x + 1).sum(axis=0)
    assert not _together(y)
    assert_eq(y, (a + 1).sum(axis=0))


def test_blocks_built_alike_are_not_grouped():
    # every block of ones() is the same creation task: sharing it saves nothing, and scanning all of
    # its readers for every task made optimizing 40,000 blocks take minutes
    y = (sa.ones((4000, 40), chunks=(10, 10)) + 1).sum(axis=0)
    assert not _together(y)
    assert_eq(y, (np.ones((4000, 40)) + 1).sum(axis=0))
