"""Line plots of the scheduler process over time: CPU %, memory, network read/write bytes per second."""

PLOTS = [("cpu", "Scheduler CPU %", ["cpu"]), ("memory", "Scheduler memory (bytes)", ["memory"]),
         ("network", "Network (bytes / s)", ["read_bps", "write_bps"])]
BYTE_PLOTS = {"memory", "network"}
COLORS = {"cpu": "#1f77b4", "memory": "#ff7f0e", "read_bps": "#2ca02c", "write_bps": "#d62728"}


def system_plots(monitor, **figure_kwargs):
    """The figures (sharing a time axis) and their update function, streaming only new samples."""
    from bokeh.models import ColumnDataSource, NumeralTickFormatter
    from bokeh.plotting import figure

    source = ColumnDataSource(monitor.columns())
    figures = []
    for name, title, fields in PLOTS:
        shared = {"x_range": figures[0].x_range} if figures else {}
        fig = figure(title=title, x_axis_type="datetime", toolbar_location=None, **shared, **figure_kwargs)
        for field in fields:
            extra = {"legend_label": field} if len(fields) > 1 else {}
            fig.line(x="time", y=field, source=source, color=COLORS[field], line_width=2, **extra)
        if name in BYTE_PLOTS:
            fig.yaxis.formatter = NumeralTickFormatter(format="0.0 b")
        fig.y_range.start = 0
        figures.append(fig)
    shown = {"time": source.data["time"][-1] if source.data["time"] else 0.0}

    def update():
        monitor.update()
        cols = monitor.columns()
        new = [i for i, t in enumerate(cols["time"]) if t > shown["time"]]
        if new:
            shown["time"] = cols["time"][-1]
            source.stream({name: [values[i] for i in new] for name, values in cols.items()},
                          rollover=len(cols["time"]))

    return figures, update
