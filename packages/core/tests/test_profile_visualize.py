"""Bokeh plots of profiles: shoal.diagnostics.visualize and each profiler's .visualize(), on real computes."""

import os
import subprocess
import sys
import time

import pytest

import shoal
from shoal.diagnostics import CacheProfiler, Profiler, ResourceProfiler, visualize
from shoal.diagnostics.plots import held_over_time, task_label

bokeh = pytest.importorskip("bokeh")  # listed in shoal-core's test extra
from bokeh.models import Column, GlyphRenderer, HoverTool  # noqa: E402


def nap(x, seconds=0.1):
    time.sleep(seconds)
    return x


def total(parts):
    return sum(parts)


def profiled_compute(num_workers=2):
    """Four 0.1 s naps on two threads, then their sum: under all three profilers."""
    parts = [shoal.delayed(nap)(i) for i in range(4)]
    result = shoal.delayed(total)(parts)
    with Profiler() as prof, ResourceProfiler(dt=0.02) as rprof, CacheProfiler() as cprof:
        assert result.compute(scheduler="threads", num_workers=num_workers, optimize_graph=False) == 6
    return prof, rprof, cprof


def glyph_data(fig, glyph_type):
    return [r.data_source.data for r in fig.renderers
            if isinstance(r, GlyphRenderer) and type(r.glyph).__name__ == glyph_type]


@pytest.fixture(scope="module")
def profiles():
    return profiled_compute()


def test_gantt_chart_has_a_row_per_worker_and_a_bar_per_task(profiles):
    prof, _, _ = profiles
    fig = prof.visualize(show=False, save=False)
    assert list(fig.y_range.factors) == ["worker 1", "worker 0"]
    (bars,) = glyph_data(fig, "HBar")
    assert len(bars["key"]) == 5
    assert sorted(set(bars["prefix"])) == ["nap", "total"]
    # one colour per task prefix
    colours = {p: c for p, c in zip(bars["prefix"], bars["colour"])}
    assert len(set(colours.values())) == 2
    assert all(c == colours[p] for p, c in zip(bars["prefix"], bars["colour"]))
    # bars run from each task's start to its end, in seconds from the first start
    for left, right in zip(bars["start"], bars["end"]):
        assert 0 <= left < right
    naps = [r - s for r, s, p in zip(bars["end"], bars["start"], bars["prefix"]) if p == "nap"]
    assert all(d >= 0.09 for d in naps)
    tooltips = dict(next(t for t in fig.tools if isinstance(t, HoverTool)).tooltips)
    assert {"key", "task", "start", "end"} <= set(tooltips)
    assert all(t.startswith("nap(") for t, p in zip(bars["task"], bars["prefix"]) if p == "nap")


def test_resources_plot_cpu_and_memory_on_two_axes(profiles):
    _, rprof, _ = profiles
    fig = rprof.visualize(show=False, save=False)
    assert "memory" in fig.extra_y_ranges
    assert [a.axis_label for a in fig.right] == ["Memory (MB)"]
    lines = glyph_data(fig, "Line")
    assert len(lines[0]["time"]) == len(rprof.results) >= 3
    assert max(lines[0]["mem"]) == pytest.approx(max(s.mem for s in rprof.results))
    assert fig.extra_y_ranges["memory"].end >= max(s.mem for s in rprof.results)


def test_cache_plot_steps_through_what_is_held(profiles):
    _, _, cprof = profiles
    fig = cprof.visualize(show=False, save=False)
    steps = glyph_data(fig, "Step")
    assert len(steps) == 3  # 'nap', 'total' and all results
    times, held = held_over_time(cprof.results)
    assert max(held) == 5  # the four naps are released only once their sum is stored
    assert held[-1] == 0  # everything is released at the end
    assert steps[-1]["y"] == [0] + held
    assert fig.yaxis.axis_label == "Cache size (count)"


def test_held_over_time_by_hand():
    from shoal.diagnostics import CacheData

    records = [CacheData("a", None, 3, 0.0, 2.0), CacheData("b", None, 4, 1.0, 3.0),
               CacheData("c", None, float("nan"), 1.0, 1.5), CacheData("d", None, 1, 2.0, 3.0)]
    assert held_over_time(records) == ([0.0, 1.0, 2.0, 3.0], [3, 7, 5, 0])


def test_profilers_stack_on_a_shared_time_axis(profiles, tmp_path):
    prof, rprof, cprof = profiles
    target = tmp_path / "profile.html"
    layout = visualize([prof, rprof, cprof], filename=str(target), show=False, title="my run")
    assert isinstance(layout, Column) and len(layout.children) == 3
    ranges = {id(fig.x_range) for fig in layout.children}
    assert len(ranges) == 1
    x_range = layout.children[0].x_range
    first = min(prof.start_time, rprof.start_time, cprof.start_time)
    assert x_range.start == 0
    assert x_range.end == pytest.approx(max(prof.end_time, rprof.end_time, cprof.end_time) - first)
    assert x_range.end >= 0.2  # two rounds of 0.1 s naps on two threads
    assert layout.children[0].title.text == "my run"
    assert [p.name for p in tmp_path.iterdir()] == ["profile.html"]
    page = target.read_text()
    assert "nap" in page and "total" in page
    assert "Bokeh" in page and "<script" in page
    assert "cdn.bokeh.org" not in page  # inline resources: opens offline


def test_cdn_mode_links_bokeh_and_bad_modes_are_named(profiles, tmp_path):
    prof, _, _ = profiles
    visualize(prof, filename=str(tmp_path / "cdn.html"), show=False, mode="cdn")
    page = (tmp_path / "cdn.html").read_text()
    assert "cdn.bokeh.org" in page and "nap" in page
    with pytest.raises(ValueError, match="mode='server'"):
        visualize(prof, filename=str(tmp_path / "x.html"), show=False, mode="server")


def test_save_false_writes_nothing_and_save_default_writes_profile_html(profiles, tmp_path, monkeypatch):
    prof, _, _ = profiles
    monkeypatch.chdir(tmp_path)
    prof.visualize(show=False, save=False)
    assert list(tmp_path.iterdir()) == []
    prof.visualize(show=False)
    assert [p.name for p in tmp_path.iterdir()] == ["profile.html"]


def test_figure_options_and_palette_pass_through(profiles):
    prof, _, _ = profiles
    fig = prof.visualize(show=False, save=False, width=500, height=200, palette=["#111111", "#222222"])
    assert fig.width == 500 and fig.height == 200
    (bars,) = glyph_data(fig, "HBar")
    assert set(bars["colour"]) == {"#111111", "#222222"}
    with pytest.raises(ValueError, match="'NoSuchPalette' is not a bokeh palette"):
        prof.visualize(show=False, save=False, palette="NoSuchPalette")


def test_empty_profilers_draw(tmp_path):
    target = tmp_path / "empty.html"
    layout = visualize([Profiler(), ResourceProfiler(), CacheProfiler()], filename=str(target), show=False)
    assert len(layout.children) == 3
    assert target.exists() and "Bokeh" in target.read_text()
    assert Profiler().visualize(show=False, save=False).x_range.end == 1.0


def test_visualize_rejects_what_it_cannot_draw():
    with pytest.raises(TypeError, match="cannot draw dict"):
        visualize([Profiler(), {}], show=False, save=False)
    with pytest.raises(ValueError, match="at least one profiler"):
        visualize([], show=False, save=False)


def test_sync_profile_has_one_row_and_processes_profile_draws(tmp_path):
    parts = [shoal.delayed(nap)(i, 0.01) for i in range(3)]
    with Profiler() as prof:
        shoal.compute(*parts, scheduler="sync")
    assert list(prof.visualize(show=False, save=False).y_range.factors) == ["worker 0"]
    naps = [shoal.delayed(time.sleep)(0.01) for _ in range(3)]  # workers need not import this module
    with Profiler() as prof, CacheProfiler() as cprof:
        shoal.compute(*naps, scheduler="processes", num_workers=2)
    assert len(prof.results) == len(cprof.results) == 3
    visualize([prof, cprof], filename=str(tmp_path / "p.html"), show=False)
    assert "sleep" in (tmp_path / "p.html").read_text()


def test_task_labels_are_short():
    from shoal.utils import apply

    assert task_label((nap, "x-1", 3)) == "nap('x-1', 3)"
    assert task_label((apply, nap, ["x", 1], (dict, [["seconds", 1]]))) == "nap('x', 1, ...)"
    assert len(task_label((nap, list(range(1000))), 20)) == 20


def test_missing_bokeh_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "bokeh", None)
    with pytest.raises(ImportError, match=r"shoal-core\[diagnostics\]"):
        Profiler().visualize(show=False, save=False)


def test_importing_shoal_and_its_diagnostics_does_not_import_bokeh():
    code = "import sys, shoal, shoal.diagnostics; from shoal.diagnostics import visualize; " \
           "print('bokeh' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_show_opens_the_saved_page_in_the_browser(tmp_path):
    # a real run in a fresh interpreter whose "browser" (the BROWSER variable) records the URL it was given
    browser = tmp_path / "browser.py"
    browser.write_text("import sys, pathlib; pathlib.Path(sys.argv[1]).write_text(sys.argv[2])\n")
    opened = tmp_path / "opened.txt"
    page = tmp_path / "shown.html"
    code = ("import shoal; from shoal.diagnostics import Profiler\n"
            "with Profiler() as prof: shoal.delayed(abs)(-1).compute(scheduler='sync')\n"
            f"prof.visualize(filename={str(page)!r})\n")
    env = {**os.environ, "BROWSER": f"{sys.executable} {browser} {opened} %s"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert opened.read_text() == "file://" + str(page)
    assert "abs" in page.read_text()


def test_default_palette_gives_distinct_colours_then_cycles():
    from shoal.diagnostics.plots import palette_colours

    few = palette_colours([f"p{i}" for i in range(10)])
    assert len(set(few.values())) == 10
    many = palette_colours([f"p{i}" for i in range(25)])
    assert len(set(many.values())) == 20 and len(many) == 25
    assert palette_colours(["a", "b", "c"], "Viridis")["a"] != palette_colours(["a", "b", "c"], "Viridis")["c"]
