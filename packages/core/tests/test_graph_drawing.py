"""shoal.visualize / .visualize(): exactly the requested file, in the requested format."""

import shutil

import pytest

import shoal
from shoal.dot import output_path



def inc(x):
    return x + 1


@pytest.fixture
def graph():
    return shoal.delayed(inc)(shoal.delayed(inc)(1))


@pytest.fixture(autouse=True)
def need_graphviz():
    if not shutil.which("dot"):
        pytest.fail("graphviz's dot is not installed (.ci/run installs it)")


def listing(path):
    return sorted(p.name for p in path.iterdir())


@pytest.mark.parametrize("name, magic", [("g.png", b"\x89PNG"), ("g.svg", b"<svg"), ("g.pdf", b"%PDF")])
def test_only_the_requested_image_is_written(graph, tmp_path, name, magic):
    source = graph.visualize(filename=str(tmp_path / name))
    assert listing(tmp_path) == [name]
    assert magic in (tmp_path / name).read_bytes()[:400]
    assert source.startswith("digraph") and "inc" in source


def test_default_filename_is_mydask_png(graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph.visualize()
    shoal.visualize(graph, filename="other")
    assert listing(tmp_path) == ["mydask.png", "other.png"]


def test_format_argument_wins_over_the_extension(graph, tmp_path):
    shoal.visualize(graph, filename=str(tmp_path / "g"), format="svg")
    shoal.visualize(graph, filename=str(tmp_path / "h.png"), format="jpeg")
    shoal.visualize(graph, filename=str(tmp_path / "my.graph"), format="dot")
    assert listing(tmp_path) == ["g.svg", "h.jpeg", "my.graph.dot"]
    assert (tmp_path / "my.graph.dot").read_text().startswith("digraph")


def test_dot_format_writes_the_source(graph, tmp_path):
    source = graph.visualize(filename=str(tmp_path / "g.dot"))
    assert listing(tmp_path) == ["g.dot"]
    assert (tmp_path / "g.dot").read_text() == source


def test_no_filename_writes_nothing_and_displays_in_notebooks(graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = graph.visualize(filename=None)
    assert listing(tmp_path) == []
    assert isinstance(source, str) and "<svg" in source._repr_svg_()


def test_unknown_format_is_named(graph, tmp_path):
    with pytest.raises(ValueError, match="'nosuchformat'"):
        graph.visualize(filename=str(tmp_path / "g"), format="nosuchformat")
    assert listing(tmp_path) == []


def test_output_path():
    assert output_path("mydask", None) == ("mydask.png", "png")
    assert output_path("a/g.SVG", None) == ("a/g.SVG", "svg")
    assert output_path("g.png", "pdf") == ("g.pdf", "pdf")
    assert output_path("v1.2", None) == ("v1.2.png", "png")
