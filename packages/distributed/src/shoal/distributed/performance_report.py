"""``with performance_report(filename='report.html'): ...``: a standalone HTML report of a block.

The report has a summary (duration, tasks, errors, workers, threads, bytes produced), a table per
task prefix (count, total and mean compute time) and the task stream figure, with BokehJS inlined so
the file opens anywhere, offline.
"""

import time

from shoal.utils import format_bytes, key_split


class performance_report:
    def __init__(self, filename="shoal-report.html", client=None):
        self.filename = filename
        self.client = client

    def __enter__(self):
        from .client import default_client

        self.client = self.client or default_client()
        self.start = time.time()
        return self

    def __exit__(self, *exc):
        stop = time.time()
        records = self.client.get_task_stream(start=self.start, stop=stop + 1)
        info = self.client.scheduler_info()
        write_report(self.filename, records, info, self.start, stop)

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, *exc):
        import asyncio

        stop = time.time()
        records = await self.client.get_task_stream(start=self.start, stop=stop + 1)
        info = await self.client.scheduler_info()
        # building the HTML takes a moment: keep the event loop free meanwhile
        await asyncio.get_running_loop().run_in_executor(
            None, write_report, self.filename, records, info, self.start, stop)


def summarize(records, info, start, stop):
    """Plain numbers of the report: totals and per-prefix statistics."""
    prefixes = {}
    for r in records:
        compute = sum(s["stop"] - s["start"] for s in r["startstops"] if s["action"] == "compute")
        p = prefixes.setdefault(key_split(r["key"]), {"count": 0, "total": 0.0, "errors": 0})
        p["count"] += 1
        p["total"] += compute
        p["errors"] += r["status"] != "OK"
    workers = info.get("workers", {})
    return {
        "duration": stop - start,
        "tasks": len(records),
        "errors": sum(p["errors"] for p in prefixes.values()),
        "compute_time": sum(p["total"] for p in prefixes.values()),
        "transfer_time": sum(s["stop"] - s["start"] for r in records for s in r["startstops"]
                             if s["action"] == "transfer"),
        "bytes": sum(r.get("nbytes") or 0 for r in records),
        "workers": len(workers),
        "threads": sum(w.get("nthreads", 0) for w in workers.values()),
        "prefixes": prefixes,
    }


def write_report(filename, records, info, start, stop):
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, DataTable, Div, TableColumn

    from .dashboard.task_stream_plot import save_figure, task_stream_figure

    s = summarize(records, info, start, stop)
    summary = Div(text=(
        f"<h2>shoal performance report</h2>"
        f"<p>Duration: {s['duration']:.3f} s &middot; Tasks: {s['tasks']} &middot; Errors: {s['errors']} "
        f"&middot; Compute time: {s['compute_time']:.3f} s &middot; Transfer time: {s['transfer_time']:.3f} s "
        f"&middot; Results: {format_bytes(s['bytes'])}</p>"
        f"<p>Scheduler: {info.get('address', '?')} &middot; Workers: {s['workers']} &middot; "
        f"Threads: {s['threads']}</p>"
    ), width=900)
    names = sorted(s["prefixes"], key=lambda n: -s["prefixes"][n]["total"])
    table = DataTable(source=ColumnDataSource({
        "prefix": names,
        "count": [s["prefixes"][n]["count"] for n in names],
        "errors": [s["prefixes"][n]["errors"] for n in names],
        "total": [round(s["prefixes"][n]["total"], 6) for n in names],
        "mean_ms": [round(1000 * s["prefixes"][n]["total"] / s["prefixes"][n]["count"], 3) for n in names],
    }), columns=[TableColumn(field="prefix", title="task prefix"), TableColumn(field="count", title="tasks"),
                 TableColumn(field="errors", title="errors"), TableColumn(field="total", title="compute (s)"),
                 TableColumn(field="mean_ms", title="mean (ms)")], width=900, height=min(400, 30 + 28 * len(names)),
        index_position=None)
    return save_figure(column(summary, table, task_stream_figure(records)), filename,
                       title="shoal performance report")
