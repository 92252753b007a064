"""Live Bokeh pages served from the scheduler's own Tornado server (imported only if bokeh is).

``/status``: task counts by state, per-worker processing/memory bars and the task stream (the last
tasks run, per worker thread), refreshed every 500 ms from the scheduler state in this process (the
documents run on the scheduler's event loop).
"""

from functools import partial

from .task_stream_plot import task_stream_columns, task_stream_figure

TASK_STREAM_SHOWN = 1000


def status_doc(scheduler, doc):
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure

    states = ["released", "waiting", "queued", "no-worker", "processing", "memory", "erred"]
    tasks = ColumnDataSource({"state": states, "count": [0] * len(states)})
    workers = ColumnDataSource({"worker": [], "processing": [], "memory_mb": []})

    task_fig = figure(x_range=states, height=250, width=700, title="Tasks by state", toolbar_location=None)
    task_fig.vbar(x="state", top="count", width=0.8, source=tasks)
    proc_fig = figure(y_range=[], height=250, width=700, title="Tasks processing per worker", toolbar_location=None)
    proc_fig.hbar(y="worker", right="processing", height=0.8, source=workers)
    mem_fig = figure(y_range=proc_fig.y_range, height=250, width=700, title="Worker memory (MB)",
                     toolbar_location=None)
    mem_fig.hbar(y="worker", right="memory_mb", height=0.8, source=workers, color="orange")
    stream_fig = task_stream_figure([], width=700)
    stream_source = stream_fig.renderers[0].data_source
    shown = {"last": None}  # the newest entry drawn: redraw only when tasks ran since

    def update():
        counts = scheduler.state.counts()
        tasks.data = {"state": states, "count": [counts.get(s, 0) for s in states]}
        names = list(scheduler.state.workers)
        wss = [scheduler.state.workers[w] for w in names]
        proc_fig.y_range.factors = names
        workers.data = {
            "worker": names,
            "processing": [len(ws.processing) for ws in wss],
            "memory_mb": [ws.metrics.get("memory", 0) / 2**20 for ws in wss],
        }
        entries = scheduler.task_stream.entries
        if entries and entries[-1] is not shown["last"]:
            shown["last"] = entries[-1]
            recent = scheduler.task_stream.recent(TASK_STREAM_SHOWN)
            columns = task_stream_columns(recent, origin=scheduler.start_time)
            stream_fig.y_range.factors = sorted(set(columns["row"]))
            stream_source.data = columns

    update()
    doc.title = "shoal scheduler"
    doc.add_root(column(task_fig, proc_fig, mem_fig, stream_fig))
    doc.add_periodic_callback(update, 500)


def applications(scheduler):
    from bokeh.application import Application
    from bokeh.application.handlers.function import FunctionHandler

    return {"/status": Application(FunctionHandler(partial(status_doc, scheduler)))}
