"""One plain row of facts per worker, from the scheduler's WorkerState and the worker's last heartbeat.

Shared by the Bokeh worker table and bars and by the HTML info pages; capped so that a cluster of
thousands of workers still refreshes quickly.
"""

import time

WORKERS_SHOWN = 1000


def worker_rows(state, limit=WORKERS_SHOWN):
    now = time.time()
    rows = []
    for ws in list(state.workers.values())[:limit]:
        m = ws.metrics
        rows.append({
            "name": str(ws.name), "address": ws.address, "nthreads": ws.nthreads,
            "memory": m.get("memory", 0), "memory_limit": ws.memory_limit,
            "managed": m.get("managed_bytes", ws.nbytes), "spilled": m.get("spilled_bytes", 0),
            "cpu": m.get("cpu", 0.0), "processing": len(ws.processing), "in_memory": len(ws.has_what),
            "occupancy": ws.occupancy,
            "last_seen": max(now - ws.last_seen, 0.0), "status": ws.status, "host": ws.host,
            "pid": ws.pid, "local_directory": ws.local_directory, "nanny": ws.nanny,
            "resources": dict(ws.resources), "executing": m.get("executing", 0), "ready": m.get("ready", 0),
        })
    return rows


def format_bytes(n):
    n = float(n or 0)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024


def memory_text(row):
    limit = format_bytes(row["memory_limit"]) if row["memory_limit"] else "no limit"
    return f"{format_bytes(row['memory'])} / {limit}"
