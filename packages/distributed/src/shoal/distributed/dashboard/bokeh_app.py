"""The live Bokeh pages served from the scheduler's own Tornado server (imported only if bokeh is).

Each page is a function ``(data, doc)`` filling a Bokeh document from the scheduler state in this
process; the documents run on the scheduler's event loop and refresh every UPDATE_MS.

- ``/status``: tasks by state, progress per task prefix, per-worker processing and memory, task stream
- ``/workers``: a table of the workers; ``/tasks``: the task stream over a long window
- ``/system``: the scheduler process's CPU, memory and network; ``/graph``: the task graph by state
- ``/groups``: progress of every task prefix; ``/individual-*``: one plot each, for embedding
"""

from functools import partial

from .graph_plot import graph_plot
from .page import add_page
from .progress_plot import prefix_progress_plot, state_counts_plot
from .system_plot import system_plots
from .task_stream_plot import live_task_stream
from .worker_plots import memory_bars, processing_and_memory_bars, worker_bars, workers_table

STATUS_STREAM = 1000
TASKS_STREAM = 10_000
WIDE = {"sizing_mode": "stretch_width"}


def status_doc(data, doc):
    counts_fig, counts_update = state_counts_plot(data.counts, height=250, **WIDE)
    progress_fig, progress_update = prefix_progress_plot(data.counts, limit=20, state=data.scheduler.state,
                                                         height=300, **WIDE)
    proc_fig, mem_fig, workers_update = processing_and_memory_bars(data.scheduler, height=250, **WIDE)
    stream_fig, stream_update = live_task_stream(data.scheduler, STATUS_STREAM, height=300, **WIDE)
    add_page(doc, "status", "/status", [counts_fig, progress_fig, proc_fig, mem_fig, stream_fig],
             [counts_update, progress_update, workers_update, stream_update])


def workers_doc(data, doc):
    table, table_update = workers_table(data.scheduler, height=300, **WIDE)
    memory_fig, memory_update = memory_bars(data.scheduler, height=250, **WIDE)
    cpu_fig, cpu_update = worker_bars(data.scheduler, "cpu", y_range=memory_fig.y_range, height=250, **WIDE)
    add_page(doc, "workers", "/workers", [table, memory_fig, cpu_fig], [table_update, memory_update, cpu_update])


def tasks_doc(data, doc):
    stream_fig, update = live_task_stream(data.scheduler, TASKS_STREAM, height=700, **WIDE)
    add_page(doc, "tasks", "/tasks", [stream_fig], [update])


def system_doc(data, doc):
    figures, update = system_plots(data.system, height=220, **WIDE)
    add_page(doc, "system", "/system", figures, [update])


def graph_doc(data, doc):
    fig, note, update = graph_plot(data.scheduler, data.counts, height=700, **WIDE)
    add_page(doc, "graph", "/graph", [note, fig], [update])


def groups_doc(data, doc):
    fig, update = prefix_progress_plot(data.counts, limit=200, state=data.scheduler.state, height=800, **WIDE)
    add_page(doc, "groups", "/groups", [fig], [update])


def _single(make, title, path):
    """A page of one plot without the navigation bar (JupyterLab embeds these)."""

    def doc_function(data, doc):
        fig, update = make(data)
        add_page(doc, title, path, [fig], [update], navigation=False)

    return doc_function


def _individual_system(data):
    from bokeh.layouts import column

    figures, update = system_plots(data.system, height=200, **WIDE)
    return column(*figures, **WIDE), update


def _individual_graph(data):
    from bokeh.layouts import column

    fig, note, update = graph_plot(data.scheduler, data.counts, height=600, **WIDE)
    return column(note, fig, **WIDE), update


INDIVIDUAL = {
    "/individual-task-stream": lambda d: live_task_stream(d.scheduler, STATUS_STREAM, **WIDE),
    "/individual-progress": lambda d: prefix_progress_plot(d.counts, state=d.scheduler.state, **WIDE),
    "/individual-task-counts": lambda d: state_counts_plot(d.counts, **WIDE),
    "/individual-workers": lambda d: workers_table(d.scheduler, **WIDE),
    "/individual-processing": lambda d: worker_bars(d.scheduler, "processing", **WIDE),
    "/individual-memory": lambda d: memory_bars(d.scheduler, **WIDE),
    "/individual-cpu": lambda d: worker_bars(d.scheduler, "cpu", **WIDE),
    "/individual-occupancy": lambda d: worker_bars(d.scheduler, "occupancy", **WIDE),
    "/individual-system": _individual_system,
    "/individual-graph": _individual_graph,
}
ALIASES = {  # the names Dask's JupyterLab extension and users' bookmarks ask for
    "/individual-nprocessing": "/individual-processing",
    "/individual-workers-memory": "/individual-memory",
    "/individual-nbytes": "/individual-memory",
    "/individual-scheduler-system": "/individual-system",
    "/individual-groups": "/individual-progress",
}
INDIVIDUAL.update({alias: INDIVIDUAL[path] for alias, path in ALIASES.items()})

PAGES = {"/status": status_doc, "/workers": workers_doc, "/tasks": tasks_doc, "/system": system_doc,
         "/graph": graph_doc, "/groups": groups_doc,
         **{path: _single(make, path.removeprefix("/individual-"), path) for path, make in INDIVIDUAL.items()}}


def individual_plots():
    """``{title: path}`` of the single-plot pages, as /individual-plots.json lists them."""
    return {path.removeprefix("/individual-").replace("-", " ").capitalize(): path
            for path in INDIVIDUAL if path not in ALIASES}


def applications(data):
    from bokeh.application import Application
    from bokeh.application.handlers.function import FunctionHandler

    return {path: Application(FunctionHandler(partial(page, data))) for path, page in PAGES.items()}
