"""Graphs of many blocks: chains of Blockwise layers fused before their tasks are built, one
shared tile plan per layer, rechunks in one task per output block. Same tasks and results as
fusing key by key; checked through the optimized graph's tasks, not through timings."""

import gc

import numpy as np
import pytest

import shoal
import shoal.array as sa
from shoal.array.layer_fusion import FusedBlockwise, fuse_layer_chains
from shoal.array.optimization import _chosen_layers, optimize
from shoal.array.rechunk import plan_rechunk
from shoal.array.testing import assert_eq
from shoal.array.tiling import tiled_reduction
from shoal.core import flatten, get_dependencies


def _optimized(y):
    return optimize(y.__shoal_graph__(), y.__shoal_keys__())


def _key_by_key(y):
    """The optimized graph without fusing layers first (the reference the layer fusion must match)."""
    import shoal.array.optimization as opt

    saved = opt.fuse_layer_chains
    opt.fuse_layer_chains = lambda layers, dependencies, keys: layers
    try:
        return _optimized(y)
    finally:
        opt.fuse_layer_chains = saved


def _comparable(x):
    """Tasks as nested plain values: arrays by content, plan objects by their pickled state."""
    if isinstance(x, dict):
        return {k: _comparable(v) for k, v in x.items()}
    if type(x) in (tuple, list):
        return (type(x).__name__,) + tuple(_comparable(a) for a in x)
    if isinstance(x, np.ndarray):
        return ("array", x.shape, x.dtype.str, x.tobytes())
    if type(x).__module__.startswith("shoal.array"):
        return (type(x).__name__, _comparable(x.__reduce__()[1]))
    return x


@pytest.fixture
def data():
    a = np.random.default_rng(2).random((60, 40))
    return a, sa.from_array(a, chunks=(10, 8))


@pytest.mark.parametrize("make", [
    lambda x: ((x + 1) * 2).sum(axis=0),
    lambda x: (x + 1) + (x + 1) * 2,  # x + 1 read by two layers: kept as its own task
    lambda x: (x + 1) * (x + 1),
    lambda x: np.exp(x - x.mean(axis=0)).std(axis=1),
    lambda x: ((x[:25] * 3) - 1).max(),
    lambda x: (x @ x.T + 1).sum(),
    lambda x: ((x.rechunk((30, 4)) if isinstance(x, sa.Array) else x) + 1).sum(),
    lambda x: (x + x[:1]) * 2 - x[:, :1],  # broadcast rows and columns
    lambda x: np.where(x > 0.5, x * 2, -x).astype("f4") + 1,
    lambda x: ((x + 1)[::2] * 2).T.sum(axis=0),
    lambda x: np.concatenate([x + 1, x * 2], axis=0).sum(),
    lambda x: (np.ones_like(x) + x) * np.zeros_like(x[0]),  # constant blocks, one broadcast
])
def test_layer_fusion_gives_the_key_by_key_graph_and_results(data, make):
    a, x = data
    y = make(x)
    assert _comparable(_optimized(y)) == _comparable(_key_by_key(y))
    assert_eq(y, make(a))


def test_constant_blocks_read_by_other_layers_too_are_kept():
    o = sa.ones((30, 20), chunks=(10, 5))
    for y in [(o + 1).rechunk((15, 4)).sum() + o.sum(), o.T @ (o + 1), (o + o) * 2, (o[5:25] + 1).sum()]:
        assert _comparable(_optimized(y)) == _comparable(_key_by_key(y))
    y = o.rechunk((15, 4)) + 1
    keys = list(flatten(y.__shoal_keys__()))
    layers = fuse_layer_chains(_chosen_layers(y.__shoal_graph__(), keys), y.__shoal_graph__().dependencies, keys)
    assert o.name in layers  # the rechunk reads its blocks by key
    assert_eq(y, np.full((30, 20), 2.0))


def test_chain_of_elementwise_layers_is_one_task_per_block():
    x = sa.ones((400, 300), chunks=(100, 50))
    y = (x + 1) * 2
    keys = list(flatten(y.__shoal_keys__()))
    layers = fuse_layer_chains(_chosen_layers(y.__shoal_graph__(), keys), y.__shoal_graph__().dependencies, keys)
    assert isinstance(layers[y.name], FusedBlockwise) and (x + 1).name not in layers
    assert x.name not in layers  # the constant blocks are copied into the tasks that read them
    graph = _optimized(y)
    assert len(graph) == x.npartitions == 24
    assert all(not get_dependencies(graph, task=t) for t in graph.values())
    assert_eq(y, np.full((400, 300), 4.0))


def test_layer_read_by_two_layers_is_not_nested(data):
    _, x = data
    a = x + 1
    y = a + a * 2
    keys = list(flatten(y.__shoal_keys__()))
    layers = fuse_layer_chains(_chosen_layers(y.__shoal_graph__(), keys), y.__shoal_graph__().dependencies, keys)
    # nesting a * 2 into y would leave y reading a twice in one task: all three stay apart
    assert all(n in layers for n in (a.name, (a * 2).name, y.name))
    assert not getattr(layers[y.name], "positions", None)
    graph = _optimized(y)
    assert sum(1 for k in graph if k[0] == a.name) == x.npartitions  # computed once per block


def test_requested_intermediate_is_kept(data):
    a, x = data
    b = x + 1
    c = b * 2
    rb, rc = shoal.compute(b, c)
    np.testing.assert_array_equal(rb, a + 1)
    np.testing.assert_array_equal(rc, (a + 1) * 2)


def test_fused_reduction_tasks_share_one_tile_plan():
    x = sa.ones((4000, 4000), chunks=(1000, 500))
    graph = _optimized(((x + 1) * 2).sum(axis=0))
    tiled = [t for t in graph.values() if t[0] is tiled_reduction]
    assert len(tiled) == x.npartitions
    assert len({id(t[1]) for t in tiled}) == 1
    assert_eq(((x + 1) * 2).sum(axis=0), np.full(4000, 16000.0))


def test_optimizing_restores_the_garbage_collector(data):
    _, x = data
    assert gc.isenabled()
    _optimized((x + 1).sum())
    assert gc.isenabled()
    gc.disable()
    try:
        _optimized((x + 1).sum())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_single_block_rows_take_the_output_index():
    x = sa.ones((5, 40), chunks=(5, 8))
    layer = (x + 1).__shoal_graph__().layers[(x + 1).name]
    assert layer._plan[0][1] is True
    assert_eq((x + 1).sum(axis=1), np.full(5, 80.0))


def test_rechunk_fits_in_one_task_per_output_block():
    x = sa.ones((4000, 4000), chunks=(100, 100))
    y = x.rechunk((4000, 10))
    assert plan_rechunk(x.chunks, y.chunks, itemsize=8) == [y.chunks]
    graph = _optimized(y)
    assert len(graph) == 400  # one task per output block: its 40 pieces are read inside it
    assert y.sum().compute() == 16_000_000


def test_rechunk_too_large_for_one_task_goes_through_a_middle_stage():
    old = ((100,) * 40, (100,) * 40)
    new = ((4000,), (10,) * 400)
    with shoal.config.set({"array.chunk-size": "1MiB"}):
        plan = plan_rechunk(old, new, itemsize=8)
        assert plan == [((100,) * 40, (10,) * 400), new]
        a = np.arange(400 * 400.).reshape(400, 400)
        y = sa.from_array(a, chunks=(10, 10)).rechunk((400, 1))
        assert_eq(y, a)
