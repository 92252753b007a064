"""A Bokeh figure of the task stream: one row per worker thread, one bar per task (imports bokeh).

``task_stream_figure`` draws a fixed list of records (performance reports, ``Client.get_task_stream``);
``live_task_stream`` follows the scheduler's stream, adding only the tasks that ran since the last refresh.
"""

from shoal.utils import key_split

from ..task_stream import _record

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
TRANSFER_COLOR = "#d62728"
ERROR_COLOR = "black"
COLUMNS = ("row", "start", "stop", "duration_ms", "key", "prefix", "action", "color")


class StreamColumns:
    """Turns records into plot columns, keeping colours per prefix and row labels per worker thread
    stable from one batch of records to the next."""

    def __init__(self, origin):
        self.origin = origin
        self.colors = {}
        self.threads = {}  # (worker, thread id) -> a short per-worker number for the row label
        self.per_worker = {}

    def row(self, worker, thread):
        label = self.threads.get((worker, thread))
        if label is None:
            number = self.per_worker[worker] = self.per_worker.get(worker, 0) + 1
            label = self.threads[worker, thread] = f"{worker} #{number}"
        return label

    def color(self, record, action):
        if action == "transfer":
            return TRANSFER_COLOR
        if record["status"] != "OK":
            return ERROR_COLOR
        prefix = key_split(record["key"])
        return self.colors.setdefault(prefix, PALETTE[len(self.colors) % len(PALETTE)])

    def columns(self, records):
        cols = {name: [] for name in COLUMNS}
        for r in records:
            prefix = key_split(r["key"])
            row = self.row(r["worker"], r["thread"])
            for span in r["startstops"]:
                cols["row"].append(row)
                cols["start"].append(span["start"] - self.origin)
                cols["stop"].append(span["stop"] - self.origin)
                cols["duration_ms"].append(1000 * (span["stop"] - span["start"]))
                cols["key"].append(str(r["key"]))
                cols["prefix"].append(prefix)
                cols["action"].append(span["action"])
                cols["color"].append(self.color(r, span["action"]))
        return cols


def task_stream_columns(records, origin=None):
    """Plain columns for a ColumnDataSource: one entry per compute or transfer interval."""
    origin = min((r["start"] for r in records), default=0.0) if origin is None else origin
    return StreamColumns(origin).columns(records)


def task_stream_figure(records, width=900, height=None, sizing_mode=None):
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    cols = task_stream_columns(records)
    rows = sorted(set(cols["row"])) or ["no tasks"]
    fig = figure(y_range=rows, width=width, height=height or max(200, 40 + 30 * len(rows)),
                 title="Task stream", x_axis_label="seconds", toolbar_location="above",
                 tools="xpan,xwheel_zoom,box_zoom,reset,save", sizing_mode=sizing_mode)
    fig.hbar(y="row", left="start", right="stop", height=0.8, color="color", source=ColumnDataSource(cols))
    fig.add_tools(HoverTool(tooltips=[("key", "@key"), ("action", "@action"), ("duration", "@duration_ms{0.00} ms")]))
    return fig


def live_task_stream(scheduler, shown, **figure_kwargs):
    """A task stream figure of the last ``shown`` tasks and its update function."""
    fig = task_stream_figure([], **figure_kwargs)
    source = fig.renderers[0].data_source
    builder = StreamColumns(scheduler.start_time)
    last = {"entry": None}  # the newest entry drawn

    def update():
        new = _entries_since(scheduler.task_stream.entries, last["entry"], shown)
        if not new:
            return
        last["entry"] = new[-1]
        source.stream(builder.columns([_record(*entry) for entry in new]), rollover=shown)
        rows = sorted(set(builder.threads.values()))
        if list(fig.y_range.factors) != rows:
            fig.y_range.factors = rows

    return fig, update


def _entries_since(entries, last, limit):
    """The entries after ``last`` (by identity), oldest first, at most ``limit`` of them."""
    new = []
    for entry in reversed(entries):
        if entry is last or len(new) >= limit:
            break
        new.append(entry)
    new.reverse()
    return new


def save_figure(layout, filename, title):
    """A standalone HTML file with BokehJS inlined (it opens without network access)."""
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    html = file_html(layout, resources=INLINE, title=title)
    with open(filename, "w", encoding="utf-8") as f:
        f.write(html)
    return filename
