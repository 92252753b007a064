"""Text and HTML summaries of clients, clusters, schedulers and futures (for notebooks)."""

import html

from shoal.utils import format_bytes


def _workers_summary(info):
    workers = (info or {}).get("workers", {})
    threads = sum(w["nthreads"] for w in workers.values())
    memory = sum(w["memory_limit"] or 0 for w in workers.values())
    return len(workers), threads, memory


def _table(rows):
    cells = "".join(f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
                    f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def scheduler_html(info):
    n, threads, memory = _workers_summary(info)
    return "<div><h3>Scheduler</h3>" + _table([
        ("Address", info.get("address")), ("Workers", n), ("Total threads", threads),
        ("Total memory", format_bytes(memory)), ("Tasks", info.get("n_tasks", 0)),
    ]) + "</div>"


def client_html(client, info):
    rows = [("Client", client.id), ("Scheduler", client.scheduler_address), ("Status", client.status)]
    if info is not None:
        n, threads, memory = _workers_summary(info)
        rows += [("Workers", n), ("Threads", threads), ("Memory", format_bytes(memory))]
    if client.dashboard_link:
        rows.append(("Dashboard", client.dashboard_link))
    return "<div><h3>Client</h3>" + _table(rows) + "</div>"


def cluster_html(cluster, info):
    n, threads, memory = _workers_summary(info)
    rows = [("Cluster", type(cluster).__name__), ("Scheduler", cluster.scheduler_address),
            ("Workers", n), ("Threads", threads), ("Memory", format_bytes(memory))]
    if getattr(cluster, "dashboard_link", None):
        rows.append(("Dashboard", cluster.dashboard_link))
    return f"<div><h3>{html.escape(type(cluster).__name__)}</h3>" + _table(rows) + "</div>"


def future_html(future):
    rows = [("Key", future.key), ("Status", future.status)]
    if future._state.type:
        rows.append(("Type", future._state.type))
    return "<div><strong>Future</strong>" + _table(rows) + "</div>"
