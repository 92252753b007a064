"""A Bokeh figure of the task stream: one row per worker thread, one bar per task (imports bokeh)."""

from shoal.utils import key_split

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
TRANSFER_COLOR = "#d62728"
ERROR_COLOR = "black"


def task_stream_columns(records, origin=None):
    """Plain columns for a ColumnDataSource: one entry per compute or transfer interval."""
    origin = min((r["start"] for r in records), default=0.0) if origin is None else origin
    colors = {}
    threads = {}  # (worker, thread id) -> a short per-worker number for the row label
    cols = {"row": [], "start": [], "stop": [], "duration_ms": [], "key": [], "prefix": [], "action": [],
            "color": []}
    for r in records:
        prefix = key_split(r["key"])
        for span in r["startstops"]:
            action = span["action"]
            if action == "transfer":
                color = TRANSFER_COLOR
            elif r["status"] != "OK":
                color = ERROR_COLOR
            else:
                color = colors.setdefault(prefix, PALETTE[len(colors) % len(PALETTE)])
            number = threads.setdefault((r["worker"], r["thread"]),
                                        sum(w == r["worker"] for w, _ in threads) + 1)
            cols["row"].append(f"{r['worker']} #{number}")
            cols["start"].append(span["start"] - origin)
            cols["stop"].append(span["stop"] - origin)
            cols["duration_ms"].append(1000 * (span["stop"] - span["start"]))
            cols["key"].append(str(r["key"]))
            cols["prefix"].append(prefix)
            cols["action"].append(action)
            cols["color"].append(color)
    return cols


def task_stream_figure(records, width=900, height=None):
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    cols = task_stream_columns(records)
    rows = sorted(set(cols["row"])) or ["no tasks"]
    fig = figure(y_range=rows, width=width, height=height or max(200, 40 + 30 * len(rows)),
                 title="Task stream", x_axis_label="seconds", toolbar_location="above",
                 tools="xpan,xwheel_zoom,box_zoom,reset,save")
    fig.hbar(y="row", left="start", right="stop", height=0.8, color="color", source=ColumnDataSource(cols))
    fig.add_tools(HoverTool(tooltips=[("key", "@key"), ("action", "@action"), ("duration", "@duration_ms{0.00} ms")]))
    return fig


def save_figure(layout, filename, title):
    """A standalone HTML file with BokehJS inlined (it opens without network access)."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    html = file_html(layout, resources=INLINE, title=title)
    with open(filename, "w", encoding="utf-8") as f:
        f.write(html)
    return filename
