"""How far the work is: tasks by state, and one progress bar per task prefix (``inc``, ``sum``, ...).

Both read the dashboard's incremental TaskCounts, so a refresh costs per prefix, not per task.
"""

from .task_counts import STATES

PREFIXES_SHOWN = 50
SEGMENTS = [  # (name, states, colour) drawn left to right in each prefix's bar
    ("memory", ("memory",), "#2ca02c"),
    ("processing", ("processing",), "#1f77b4"),
    ("erred", ("erred",), "#d62728"),
    ("waiting", ("waiting", "queued", "no-worker"), "#c7c7c7"),
]


def state_counts_plot(counts, **figure_kwargs):
    """A bar per task state and its update function."""
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure

    source = ColumnDataSource({"state": list(STATES), "count": [0] * len(STATES)})
    fig = figure(x_range=list(STATES), title="Tasks by state", toolbar_location=None, **figure_kwargs)
    fig.vbar(x="state", top="count", width=0.8, source=source)

    def update():
        by_state = counts.by_state()
        source.data = {"state": list(STATES), "count": [by_state.get(s, 0) for s in STATES]}

    return fig, update


def prefix_progress_rows(counts, limit=PREFIXES_SHOWN, durations=None):
    """Plain columns of the progress bars: fractions of each prefix's tasks per segment, and the
    prefix's mean task duration (``{prefix: seconds}``, as the scheduler keeps) for the hover."""
    durations = {} if durations is None else durations
    cols = {"prefix": [], "total": [], "label": [], "duration": []}
    for name, _, _ in SEGMENTS:
        cols[name] = []
        cols[f"{name}_left"] = []
    for prefix, by_state in counts.prefixes(limit):
        total = sum(by_state.values()) or 1
        left = 0.0
        for name, states, _ in SEGMENTS:
            n = sum(by_state.get(s, 0) for s in states)
            cols[f"{name}_left"].append(left)
            left += n / total
            cols[name].append(left)
        cols["prefix"].append(str(prefix))
        cols["total"].append(total)
        mean = durations.get(prefix)
        cols["duration"].append("not known yet" if mean is None else f"{mean * 1000:.1f} ms")
        cols["label"].append(f"{prefix}  {by_state.get('memory', 0)} / {total}"
                             + (f"  ({by_state['erred']} erred)" if by_state.get("erred") else ""))
    return cols


def prefix_progress_plot(counts, limit=PREFIXES_SHOWN, state=None, **figure_kwargs):
    """Horizontal progress bars per task prefix (the largest ``limit`` prefixes) and the update function;
    the hover shows mean durations when given the scheduler ``state``."""
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    source = ColumnDataSource(prefix_progress_rows(counts, limit, None if state is None else state.durations))
    fig = figure(y_range=[], x_range=(0, 1), title="Progress by task prefix", toolbar_location=None,
                 **figure_kwargs)
    for name, _, color in SEGMENTS:
        fig.hbar(y="prefix", left=f"{name}_left", right=name, height=0.8, color=color, source=source,
                 legend_label=name)
    fig.text(x=0.01, y="prefix", text="label", source=source, text_baseline="middle", text_font_size="11px")
    fig.legend.location = "bottom_right"
    fig.legend.orientation = "horizontal"
    fig.xaxis.visible = False
    fig.add_tools(HoverTool(tooltips=[("prefix", "@prefix"), ("tasks", "@total"), ("mean duration", "@duration")]))

    def update():
        cols = prefix_progress_rows(counts, limit, None if state is None else state.durations)
        factors = list(reversed(cols["prefix"]))  # the largest prefix on top
        if list(fig.y_range.factors) != factors:
            fig.y_range.factors = factors
        source.data = cols

    return fig, update
