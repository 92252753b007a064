"""Per-worker bars (tasks processing, memory by kind against the limit, CPU %) and the live workers table."""

from .worker_info import format_bytes, memory_text, worker_rows

BARS = {  # name -> (title, value in a worker row, colour)
    "processing": ("Tasks processing per worker", lambda r: r["processing"], "#1f77b4"),
    "cpu": ("Worker CPU %", lambda r: r["cpu"], "#9467bd"),
    "occupancy": ("Expected work per worker (s)", lambda r: r["occupancy"], "#8c564b"),
}


def worker_bars(scheduler, which, y_range=None, **figure_kwargs):
    """A horizontal bar per worker of ``which`` (a key of BARS) and its update function."""
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool
    from bokeh.plotting import figure

    title, value, color = BARS[which]
    source = ColumnDataSource({"worker": [], "value": [], "text": []})
    fig = figure(y_range=y_range or FactorRange(), title=title, toolbar_location=None, **figure_kwargs)
    fig.x_range.start = 0  # an idle cluster's zero bars sit on the left edge, not mid-plot
    fig.hbar(y="worker", right="value", height=0.8, color=color, source=source)
    fig.add_tools(HoverTool(tooltips=[("worker", "@worker"), (which, "@text")]))

    def update():
        rows = worker_rows(scheduler.state)
        names = [r["address"] for r in rows]
        if list(fig.y_range.factors) != names:
            fig.y_range.factors = names
        source.data = {"worker": names, "value": [value(r) for r in rows],
                       "text": [f"{value(r):.1f}" for r in rows]}

    return fig, update


MEMORY_KINDS = [  # stacked left to right: (column, label, colour)
    ("managed", "managed (task results)", "#e6550d"),
    ("unmanaged", "unmanaged (the rest of the process)", "#fdae6b"),
    ("spilled", "spilled to disk", "#969696"),
]


def memory_columns(rows):
    """MiB per worker of results held, the rest of the process, and spilled bytes, stacked."""
    cols = {"worker": [], "limit": [], "text": []}
    for name, _, _ in MEMORY_KINDS:
        cols[name], cols[f"{name}_left"] = [], []
    for r in rows:
        managed = min(r["managed"], r["memory"]) if r["memory"] else r["managed"]
        sizes = {"managed": managed, "unmanaged": max(r["memory"] - managed, 0), "spilled": r["spilled"]}
        left = 0.0
        for name, _, _ in MEMORY_KINDS:
            cols[f"{name}_left"].append(left)
            left += sizes[name] / 2**20
            cols[name].append(left)
        cols["worker"].append(r["address"])
        cols["limit"].append(r["memory_limit"] / 2**20)
        cols["text"].append(f"{memory_text(r)}, {format_bytes(managed)} managed, "
                            f"{format_bytes(r['spilled'])} spilled")
    return cols


def memory_bars(scheduler, **figure_kwargs):
    """Each worker's memory by kind, with its limit as a tick, and the update function."""
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool
    from bokeh.plotting import figure

    source = ColumnDataSource(memory_columns([]))
    fig = figure(y_range=FactorRange(), title="Worker memory by kind (MiB)", toolbar_location=None,
                 **figure_kwargs)
    fig.x_range.start = 0
    for name, label, color in MEMORY_KINDS:
        fig.hbar(y="worker", left=f"{name}_left", right=name, height=0.8, color=color, source=source,
                 legend_label=label)
    fig.scatter(x="limit", y="worker", marker="dash", angle=1.5708, size=30, color="black", source=source,
                legend_label="memory limit")
    legend = fig.legend[0]
    legend.orientation = "horizontal"
    fig.add_layout(legend, "below")  # under the axis: the bars and the limit ticks stay visible
    fig.add_tools(HoverTool(tooltips=[("worker", "@worker"), ("memory", "@text")]))

    def update():
        cols = memory_columns(worker_rows(scheduler.state))
        if list(fig.y_range.factors) != cols["worker"]:
            fig.y_range.factors = cols["worker"]
        source.data = cols

    return fig, update


def processing_and_memory_bars(scheduler, **figure_kwargs):
    """The status page's two bar charts of the workers, sharing one source and one worker axis."""
    from bokeh.models import ColumnDataSource, FactorRange, HoverTool
    from bokeh.plotting import figure

    source = ColumnDataSource({"worker": [], "processing": [], "memory_mb": []})
    proc = figure(y_range=FactorRange(), title=BARS["processing"][0], toolbar_location=None, **figure_kwargs)
    proc.hbar(y="worker", right="processing", height=0.8, color=BARS["processing"][2], source=source)
    mem = figure(y_range=proc.y_range, title="Worker memory (MiB)", toolbar_location=None, **figure_kwargs)
    mem.hbar(y="worker", right="memory_mb", height=0.8, color="#ff7f0e", source=source)
    for fig in (proc, mem):
        fig.x_range.start = 0
    proc.add_tools(HoverTool(tooltips=[("worker", "@worker"), ("processing", "@processing")]))
    mem.add_tools(HoverTool(tooltips=[("worker", "@worker"), ("memory", "@memory_mb{0.0} MiB")]))

    def update():
        rows = worker_rows(scheduler.state)
        names = [r["address"] for r in rows]
        if list(proc.y_range.factors) != names:
            proc.y_range.factors = names
        source.data = {"worker": names, "processing": [r["processing"] for r in rows],
                       "memory_mb": [r["memory"] / 2**20 for r in rows]}

    return proc, mem, update


TABLE_COLUMNS = [("name", "Name"), ("address", "Address"), ("nthreads", "Threads"), ("memory_text", "Memory"),
                 ("cpu", "CPU %"), ("processing", "Processing"), ("in_memory", "In memory"),
                 ("spilled_text", "Spilled"), ("last_seen", "Last seen (s ago)")]


def workers_table_columns(rows):
    cols = {name: [] for name, _ in TABLE_COLUMNS}
    for r in rows:
        for name, _ in TABLE_COLUMNS:
            if name == "memory_text":
                cols[name].append(memory_text(r))
            elif name == "spilled_text":
                cols[name].append(format_bytes(r["spilled"]))
            elif name in ("cpu", "last_seen"):
                cols[name].append(round(r[name], 1))
            else:
                cols[name].append(r[name])
    return cols


def workers_table(scheduler, **kwargs):
    """A DataTable with a row per worker and its update function."""
    from bokeh.models import ColumnDataSource, DataTable, TableColumn

    source = ColumnDataSource(workers_table_columns([]))
    table = DataTable(source=source, columns=[TableColumn(field=f, title=t) for f, t in TABLE_COLUMNS],
                      index_position=None, **kwargs)

    def update():
        source.data = workers_table_columns(worker_rows(scheduler.state))

    return table, update
