"""Bokeh figures of the profilers' results: a Gantt chart of tasks per worker (Profiler), CPU and memory
over time (ResourceProfiler), and the metric held in the scheduler's cache over time (CacheProfiler).

bokeh is imported here only inside the functions, so importing this module stays cheap. Every figure of
one :func:`shoal.diagnostics.visualize` call shares a :class:`Timeline`: times are seconds from the first
start, and a task prefix has the same colour in every figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from shoal.utils import apply, funcname, key_split


@dataclass
class Timeline:
    origin: float  # the clock reading shown as 0 s
    x_range: object  # a bokeh Range1d shared by every figure
    colours: dict = field(default_factory=dict)  # task prefix -> colour
    label_size: int = 60  # characters of task text shown on hover

    def colour(self, prefix: str) -> str:
        return self.colours.get(prefix, "grey")


def task_prefix(key) -> str:
    """What tasks are grouped and coloured by: the key's prefix, e.g. ``'sum-aggregate'``."""
    return key_split(key)


def palette_colours(prefixes, palette=None) -> dict:
    """``{prefix: colour}`` from a bokeh palette name (``'Category20'``, ``'Viridis'``, ...) or a list of
    colours, reused in turn when there are more prefixes than colours. By default Category10, or
    Category20 for more than ten prefixes."""
    from bokeh import palettes

    names = sorted(set(prefixes))
    if palette is None:
        palette = "Category10" if len(names) <= 10 else "Category20"
    if isinstance(palette, str):
        sizes = palettes.all_palettes.get(palette)
        if sizes is None:
            raise ValueError(f"{palette!r} is not a bokeh palette name; use e.g. 'Category20', 'Viridis', "
                             "or pass a list of colours")
        fitting = [n for n in sizes if n >= len(names)]
        colours = list(sizes[min(fitting) if fitting else max(sizes)])
    else:
        colours = list(palette)
        if not colours:
            raise ValueError("palette is an empty list of colours")
    return {name: colours[i % len(colours)] for i, name in enumerate(names)}


def task_label(task, size: int = 60) -> str:
    """A short text for a task: ``'add(x-1f3a..., 1)'``, cut to ``size`` characters."""
    text = _describe(task)
    return text if len(text) <= size else text[: max(size - 3, 0)] + "..."


def _describe(x) -> str:
    if type(x) is tuple and x and callable(x[0]):
        if x[0] is apply and len(x) > 1:
            args = x[2] if len(x) > 2 and isinstance(x[2], list) else []
            keywords = ", ..." if len(x) > 3 else ""
            return f"{funcname(x[1])}({', '.join(_describe(a) for a in args)}{keywords})"
        return f"{funcname(x[0])}({', '.join(_describe(a) for a in x[1:])})"
    if isinstance(x, list):
        return "[" + ", ".join(_describe(a) for a in x[:5]) + (", ..." if len(x) > 5 else "") + "]"
    text = repr(x)
    return text if len(text) <= 30 else text[:27] + "..."


def _figure(timeline: Timeline, title: str, y_axis_label: str, **kwargs):
    from bokeh.models import Legend
    from bokeh.plotting import figure

    options = {
        "width": 800,
        "height": 300,
        "title": title,
        "x_range": timeline.x_range,
        "x_axis_label": "Time (s)",
        "y_axis_label": y_axis_label,
        "tools": "save,reset,xwheel_zoom,xpan,box_zoom",
        "toolbar_location": "above",
    }
    options.update(kwargs)
    fig = figure(**options)
    # the legend goes under the plot so that stacked figures keep their time axes aligned
    fig.add_layout(Legend(orientation="horizontal", click_policy="hide", location="center"), "below")
    return fig


def _hover(fig, renderers, tooltips) -> None:
    from bokeh.models import HoverTool

    fig.add_tools(HoverTool(renderers=renderers, tooltips=tooltips))


def plot_tasks(results, timeline: Timeline, **kwargs):
    """Gantt chart: a row per worker id, a bar per task from its start to its end, coloured by prefix."""
    from bokeh.models import ColumnDataSource

    workers = [f"worker {w}" for w in sorted({r.worker_id for r in results})]
    fig = _figure(timeline, kwargs.pop("title", "Tasks per worker"), "Worker",
                  y_range=workers[::-1] or ["worker 0"], **kwargs)
    prefixes = [task_prefix(r.key) for r in results]
    source = ColumnDataSource({
        "worker": [f"worker {r.worker_id}" for r in results],
        "start": [r.start - timeline.origin for r in results],
        "end": [r.end - timeline.origin for r in results],
        "duration": [r.end - r.start for r in results],
        "key": [str(r.key) for r in results],
        "task": [task_label(r.task, timeline.label_size) for r in results],
        "prefix": prefixes,
        "colour": [timeline.colour(p) for p in prefixes],
    })
    bars = fig.hbar(y="worker", left="start", right="end", height=0.8, source=source, fill_color="colour",
                    line_color="white", legend_field="prefix")
    _hover(fig, [bars], [("key", "@key"), ("task", "@task"), ("start", "@start{0.000} s"),
                         ("end", "@end{0.000} s"), ("duration", "@duration{0.000} s")])
    return fig


def plot_resources(results, timeline: Timeline, **kwargs):
    """CPU % (left axis) and resident memory in MB (right axis) over time."""
    from bokeh.models import ColumnDataSource, LinearAxis, Range1d

    cpu = [s.cpu for s in results]
    mem = [s.mem for s in results]
    fig = _figure(timeline, kwargs.pop("title", "CPU and memory"), "% CPU",
                  y_range=Range1d(0, max(cpu, default=0) * 1.1 or 100), **kwargs)
    fig.extra_y_ranges = {"memory": Range1d(0, max(mem, default=0) * 1.1 or 1)}
    fig.add_layout(LinearAxis(y_range_name="memory", axis_label="Memory (MB)"), "right")
    source = ColumnDataSource({"time": [s.time - timeline.origin for s in results], "cpu": cpu, "mem": mem})
    cpu_line = fig.line("time", "cpu", source=source, color="navy", line_width=2, legend_label="% CPU")
    mem_line = fig.line("time", "mem", source=source, color="firebrick", line_width=2, y_range_name="memory",
                        legend_label="Memory (MB)")
    _hover(fig, [cpu_line, mem_line], [("time", "@time{0.000} s"), ("CPU", "@cpu{0.0} %"),
                                       ("memory", "@mem{0.0} MB")])
    return fig


def held_over_time(records) -> tuple[list[float], list[float]]:
    """The metric held in the cache after each change: ``(times, totals)``, from the records'
    ``cache_time`` (+metric) and ``free_time`` (-metric). Records with a NaN metric are left out."""
    changes: dict = {}
    for r in records:
        if isinstance(r.metric, float) and math.isnan(r.metric):
            continue
        changes[r.cache_time] = changes.get(r.cache_time, 0) + r.metric
        changes[r.free_time] = changes.get(r.free_time, 0) - r.metric
    times, totals, held = [], [], 0
    for t in sorted(changes):
        held += changes[t]
        times.append(t)
        totals.append(held)
    return times, totals


def plot_cache(results, timeline: Timeline, metric_name: str = "count", **kwargs):
    """The metric held in the cache over time as step lines: one per task prefix and one for all results."""
    from bokeh.models import ColumnDataSource

    fig = _figure(timeline, kwargs.pop("title", f"Results held in cache ({metric_name})"),
                  f"Cache size ({metric_name})", **kwargs)
    by_prefix: dict = {}
    for r in results:
        by_prefix.setdefault(task_prefix(r.key), []).append(r)
    for prefix in sorted(by_prefix):
        times, held = held_over_time(by_prefix[prefix])
        fig.step([0.0] + [t - timeline.origin for t in times], [0] + held, mode="after",
                 color=timeline.colour(prefix), line_width=2, legend_label=prefix)
    times, held = held_over_time(results)
    source = ColumnDataSource({"time": [t - timeline.origin for t in times], "held": held})
    fig.step([0.0] + source.data["time"], [0] + held, mode="after", color="black", line_width=2,
             line_dash="dashed", legend_label="all results")
    points = fig.scatter("time", "held", source=source, color="black", size=4)
    _hover(fig, [points], [("time", "@time{0.000} s"), (metric_name, "@held")])
    return fig
