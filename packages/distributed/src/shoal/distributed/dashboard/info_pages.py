"""Plain HTML pages under /info: the workers, one worker, its log, one task, and the scheduler's log.

Every value from the cluster (worker names, keys, log lines) is HTML-escaped; addresses and keys in
links are URL-quoted, so ``tcp://10.0.0.1:4000`` and ``('x', 0)`` make valid links.
"""

import ast
import asyncio
import time
from html import escape
from urllib.parse import quote

from tornado.web import HTTPError, RequestHandler

from .page import navigation_html
from .worker_info import format_bytes, memory_text, worker_rows

TASKS_LISTED = 200
LOG_LINES = 500
LOG_TIMEOUT = 10  # seconds to wait for a worker's log before saying it did not answer
STYLE = ("body{font-family:sans-serif;margin:0}main{padding:10px 14px}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}pre{background:#f5f5f5;padding:8px}")


def page_html(title, body):
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{navigation_html('/info/main/workers.html')}"
            f"<main><h2>{escape(title)}</h2>{body}</main></body></html>")


def worker_link(address):
    return f'<a href="/info/worker/{quote(address, safe="")}.html">{escape(address)}</a>'


def task_link(key):
    return f'<a href="/info/task/{quote(str(key), safe="")}.html">{escape(str(key))}</a>'


def table_html(header, rows):
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def facts_html(pairs):
    """A two-column table; values are escaped here."""
    return table_html(["", ""], [(escape(str(k)), escape(str(v))) for k, v in pairs])


def task_list_html(tasks):
    tasks = list(tasks)
    shown = ", ".join(task_link(ts.key) for ts in tasks[:TASKS_LISTED])
    more = f" ... and {len(tasks) - TASKS_LISTED} more" if len(tasks) > TASKS_LISTED else ""
    return (shown + more) or "none"


class InfoHandler(RequestHandler):
    def initialize(self, data):
        self.data = data

    def write_page(self, title, body):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(page_html(title, body))


class WorkersPage(InfoHandler):
    def get(self):
        rows = [(escape(r["name"]), worker_link(r["address"]), r["nthreads"], escape(memory_text(r)),
                 f"{r['cpu']:.1f}", r["processing"], r["in_memory"], escape(format_bytes(r["spilled"])),
                 f"{r['last_seen']:.1f} s ago") for r in worker_rows(self.data.scheduler.state)]
        header = ["Name", "Address", "Threads", "Memory", "CPU %", "Processing", "In memory", "Spilled", "Last seen"]
        scheduler = self.data.scheduler
        body = (f"<p>Scheduler {escape(str(scheduler.address))}, {len(rows)} workers. "
                f'<a href="/info/main/logs.html">Scheduler logs</a></p>' + table_html(header, rows))
        self.write_page("Workers", body)


class WorkerPage(InfoHandler):
    def get(self, address):
        ws = self.data.scheduler.state.workers.get(address)
        if ws is None:
            raise HTTPError(404, f"no worker {address!r} in this cluster")
        row = next(r for r in worker_rows(self.data.scheduler.state, limit=None) if r["address"] == address)
        facts = [(k, row[k]) for k in ("name", "address", "status", "host", "pid", "nthreads", "local_directory",
                                       "nanny", "resources", "processing", "in_memory", "executing", "ready")]
        facts += [("memory", memory_text(row)), ("managed", format_bytes(row["managed"])),
                  ("spilled", format_bytes(row["spilled"])), ("cpu %", f"{row['cpu']:.1f}"),
                  ("last seen", f"{row['last_seen']:.1f} s ago")]
        logs = f'<p><a href="/info/logs/{quote(address, safe="")}.html">Worker logs</a></p>'
        body = (logs + facts_html(facts)
                + f"<h3>Processing ({len(ws.processing)})</h3><p>{task_list_html(ws.processing)}</p>"
                f"<h3>In memory ({len(ws.has_what)})</h3><p>{task_list_html(ws.has_what)}</p>")
        self.write_page(f"Worker {address}", body)


class TaskPage(InfoHandler):
    def get(self, key_text):
        ts = _find_task(self.data.scheduler.state.tasks, key_text)
        if ts is None:
            raise HTTPError(404, f"no task {key_text!r} on this scheduler")
        facts = [("key", ts.key), ("state", ts.state), ("prefix", ts.prefix), ("priority", ts.priority),
                 ("bytes", format_bytes(ts.nbytes) if ts.nbytes >= 0 else "unknown"), ("type", ts.type),
                 ("retries left", ts.retries), ("exception", ts.exception_text or "")]
        holders = ", ".join(worker_link(ws.address) for ws in ts.who_has) or "none"
        processing = worker_link(ts.processing_on.address) if ts.processing_on is not None else "no"
        story = table_html(["from", "to", "stimulus", "time"],
                           [(escape(str(a)), escape(str(b)), escape(str(s)), escape(time.ctime(t)))
                            for a, b, s, t in ts.history])
        body = (facts_html(facts) + f"<p>Processing on: {processing}</p><p>Held by: {holders}</p>"
                f"<h3>Dependencies</h3><p>{task_list_html(ts.dependencies)}</p>"
                f"<h3>Dependents</h3><p>{task_list_html(ts.dependents)}</p><h3>Story</h3>{story}")
        self.write_page(f"Task {ts.key}", body)


class LogsPage(InfoHandler):
    def get(self):
        lines = "\n".join(escape(text) for _, text in self.data.logs.tail())
        self.write_page("Scheduler logs", f"<pre>{lines or 'no log records yet'}</pre>")


class WorkerLogsPage(InfoHandler):
    async def get(self, address):
        if address not in self.data.scheduler.state.workers:
            raise HTTPError(404, f"no worker {address!r} in this cluster")
        try:
            replies = await asyncio.wait_for(
                self.data.scheduler.get_worker_logs(None, {"workers": [address], "n": LOG_LINES}), LOG_TIMEOUT)
            records = replies.get(address, [])
        except asyncio.TimeoutError:
            records = [("ERROR", f"the worker did not send its log within {LOG_TIMEOUT} s")]
        lines = "\n".join(escape(str(text)) for _, text in records)
        self.write_page(f"Logs of worker {address}", f"<pre>{lines or 'no log records yet'}</pre>")


def _find_task(tasks, key_text):
    """The task whose key prints as ``key_text``: a string key, or a tuple key as its repr."""
    ts = tasks.get(key_text)
    if ts is None and key_text.startswith("("):
        try:
            ts = tasks.get(ast.literal_eval(key_text))
        except (ValueError, SyntaxError, TypeError):
            return None
    return ts
