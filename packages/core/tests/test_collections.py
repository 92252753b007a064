"""compute, persist, optimize and visualize over any mix of collections; HighLevelGraph."""

import pytest

import shoal
from shoal import delayed
from shoal.highlevelgraph import HighLevelGraph


def inc(x):
    return x + 1


def test_compute_mixes_collections_and_plain_values(chunks):
    c = chunks.from_list(list(range(10)), 3).map(inc)
    d = delayed(sum)(c)  # a collection inside a delayed call is computed first
    assert shoal.compute(c, d, 5) == (list(range(1, 11)), 55, 5)
    assert c.compute() == list(range(1, 11))
    assert shoal.compute([c, {"d": d}]) == ([list(range(1, 11)), {"d": 55}],)
    assert shoal.compute([c], traverse=False)[0][0] is c


def test_collection_optimizer_is_used_and_gets_options(chunks):
    chunks.optimized_with.clear()
    c = chunks.from_list([1, 2], 2)
    shoal.compute(c, optimize_graph=True, optimize_example=1)
    assert chunks.optimized_with == [{"optimize_example": 1}]
    chunks.optimized_with.clear()
    shoal.compute(c, optimize_graph=False)
    assert chunks.optimized_with == []


def test_persist_returns_collections_holding_results(chunks):
    c = chunks.from_list(list(range(6)), 2).map(inc)
    d = delayed(len)(c)
    c2, d2, other = shoal.persist(c, d, "x")
    assert other == "x"
    assert type(c2) is type(c) and c2.compute() == c.compute()
    assert len(c2.__shoal_graph__()) == 2  # only the results remain
    assert d2.compute() == 6


def test_optimize_returns_same_types_with_smaller_graphs(chunks):
    c = chunks.from_list(list(range(6)), 2).map(inc)
    (opt,) = shoal.optimize(c)
    assert type(opt) is type(c)
    assert opt.compute() == c.compute()
    a = delayed(inc)(delayed(inc)(1))
    (b,) = shoal.optimize(a)
    assert len(b.dask) < len(a.dask) and b.compute() == 3


def test_visualize_writes_dot(tmp_path, chunks):
    c = chunks.from_list([1, 2], 2).map(inc)
    target = tmp_path / "graph.dot"
    source = shoal.visualize(c, delayed(inc)(1), filename=str(target))
    assert target.read_text() == source
    assert source.startswith("digraph") and "inc" in source and "shape=circle" in source
    assert "digraph" in c.visualize(filename=None)
    assert "inc" in shoal.visualize({"x": 1, "y": (inc, "x")}, filename=None)


def test_visualize_renders_png_and_svg_with_graphviz(tmp_path):
    import shutil

    if not shutil.which("dot"):
        pytest.fail("graphviz's dot is not installed (.ci/run installs it)")
    shoal.visualize(delayed(inc)(1), filename=str(tmp_path / "g.png"))
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    delayed(inc)(1).visualize(filename=str(tmp_path / "g"), format="svg")
    assert b"<svg" in (tmp_path / "g.svg").read_bytes()


def test_visualize_without_graphviz_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="graphviz"):
        shoal.visualize(delayed(inc)(1), filename=str(tmp_path / "g.png"))


def test_high_level_graph_layers_and_cull(chunks):
    c = chunks.from_list(list(range(6)), 3)
    m = c.map(inc)
    g = m.__shoal_graph__()
    assert isinstance(g, HighLevelGraph)
    assert set(g.layers) == {c.name, m.name}
    assert g.dependencies[m.name] == {c.name}
    assert len(g) == 6 and (m.name, 0) in g and g[(c.name, 1)] == [2, 3]
    culled = g.cull([(m.name, 0)])
    assert set(culled.to_dict()) == {(m.name, 0), (c.name, 0)}
    merged = HighLevelGraph.merge(g, delayed(inc)(1).dask)
    assert len(merged) == 7
