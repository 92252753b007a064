"""HTTP endpoints served by the scheduler's Tornado application.

``/health`` answers ``ok`` while the scheduler runs; ``/metrics`` gives machine-readable JSON (task
counts by state, workers with their memory/CPU, clients). ``/json/identity.json``, ``/json/counts.json``,
``/sitemap.json`` and ``/individual-plots.json`` are small JSON documents (json_routes); ``/info/main/workers.html``,
``/info/main/logs.html``, ``/info/worker/<address>.html``, ``/info/logs/<address>.html`` and
``/info/task/<key>.html`` plain HTML pages (info_pages). ``/status`` and the other live pages (bokeh_app)
need bokeh (``pip install shoal-distributed[dashboard]``); without it ``/status`` is a small HTML
overview. ``/`` redirects to ``/status``.
"""

import errno
import json
from html import escape
import logging
import time

from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPServerConnectionDelegate
from tornado.web import Application, RedirectHandler, RequestHandler

from ..comm.core import parse_host_port
from . import info_pages, json_routes
from .live_data import LiveData

logger = logging.getLogger("shoal.distributed.dashboard")


class _Base(RequestHandler):
    def initialize(self, scheduler):
        self.scheduler = scheduler


class HealthHandler(_Base):
    def get(self):
        self.set_header("Content-Type", "text/plain")
        self.write("ok" if self.scheduler.status == "running" else self.scheduler.status)


class MetricsHandler(_Base):
    def get(self):
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(metrics(self.scheduler), default=str))


class StatusHandler(_Base):
    def get(self):
        m = metrics(self.scheduler)
        rows = "".join(
            f"<tr><td>{escape(str(i['name']))}</td><td>{escape(w)}</td><td>{i['nthreads']}</td>"
            f"<td>{i['processing']}</td><td>{i['in_memory']}</td>"
            f"<td>{i['metrics'].get('memory', 0) // 2**20} MiB</td></tr>"
            for w, i in m["workers"].items()
        )
        counts = ", ".join(f"{escape(k)}: {v}" for k, v in sorted(m["tasks"].items())) or "no tasks"
        self.write(
            f"<html><head><title>shoal scheduler</title><meta http-equiv='refresh' content='2'></head><body>"
            f"<h2>Scheduler {escape(str(m['address']))}</h2><p>Tasks: {counts}</p><table border=1>"
            f"<tr><th>Name</th><th>Worker</th><th>Threads</th><th>Processing</th><th>In memory</th><th>Memory</th></tr>{rows}"
            f"</table></body></html>"
        )


def metrics(scheduler):
    st = scheduler.state
    return {
        "address": scheduler.address,
        "status": scheduler.status,
        "uptime": time.time() - scheduler.start_time,
        "tasks": st.counts(),
        "transitions": st.transition_counter,
        "clients": len(st.clients),
        "workers": {w: ws.info() for w, ws in st.workers.items()},
        "total_threads": sum(ws.nthreads for ws in st.workers.values()),
        "task_durations": dict(st.durations),
    }


class DashboardServer:
    def __init__(self, server, port, app=None, data=None):
        self.server = server
        self.port = port
        self.app = app
        self.data = data

    def stop(self):
        self.server.stop()
        self.app.stop()
        if self.data is not None:
            self.data.close()


class LazyApplication(HTTPServerConnectionDelegate):
    """The dashboard's Tornado application, built on the first request.

    Importing Bokeh takes about a second: a cluster starts without waiting for it, and only the
    first visit to the dashboard pays for it.
    """

    def __init__(self, data, routes, port):
        self.data = data
        self.routes = routes
        self.port = port
        self.app = None

    def start_request(self, server_conn, request_conn):
        if self.app is None:
            self.app = _build_application(self.data, self.routes, self.port)
        return self.app.start_request(server_conn, request_conn)

    def on_close(self, server_conn):
        if self.app is not None:
            self.app.on_close(server_conn)

    def stop(self):
        if hasattr(self.app, "stop"):
            self.app.stop()


def start_http_server(scheduler, address):
    """Serve the endpoints on ``address`` (``':8787'``, ``'127.0.0.1:0'``, or a port number).

    A port already in use is not an error: the dashboard moves to a free port and says so (as two
    clusters on one machine both asking for :8787 expect).
    """
    if isinstance(address, int):
        host, port = "127.0.0.1", address
    else:
        host, port = parse_host_port(str(address).replace("http://", ""), default_port=8787)
    sockets = _bind(host or "127.0.0.1", port)
    port = sockets[0].getsockname()[1]
    data = LiveData(scheduler)
    routes = http_routes(data)
    app = LazyApplication(data, routes, port)
    server = HTTPServer(app)
    server.add_sockets(sockets)
    return DashboardServer(server, port, app, data)


def http_routes(data):
    """The routes that need no bokeh; /sitemap.json lists them with the live pages."""
    scheduler = {"scheduler": data.scheduler}
    routes = [
        (r"/health", HealthHandler, scheduler),
        (r"/metrics", MetricsHandler, scheduler),
        (r"/", RedirectHandler, {"url": "/status"}),
        (r"/info", RedirectHandler, {"url": "/info/main/workers.html"}),
        (r"/info/main/workers\.html", info_pages.WorkersPage, {"data": data}),
        (r"/info/main/logs\.html", info_pages.LogsPage, {"data": data}),
        (r"/info/worker/(.+)\.html", info_pages.WorkerPage, {"data": data}),
        (r"/info/task/(.+)\.html", info_pages.TaskPage, {"data": data}),
        (r"/info/logs/(.+)\.html", info_pages.WorkerLogsPage, {"data": data}),
        (r"/json/identity\.json", json_routes.IdentityHandler, {"data": data}),
        (r"/json/counts\.json", json_routes.CountsHandler, {"data": data}),
    ]
    paths = [pattern.replace("\\", "") for pattern, _, _ in routes if "(" not in pattern]
    paths += ["/sitemap.json", "/individual-plots.json"] + _live_pages()
    listing = {"data": data, "paths": paths}
    return routes + [(r"/sitemap\.json", json_routes.SitemapHandler, listing),
                     (r"/individual-plots\.json", json_routes.IndividualPlotsHandler, listing)]


def _live_pages():
    import importlib.util

    if importlib.util.find_spec("bokeh") is None:
        return ["/status"]
    from .bokeh_app import PAGES

    return list(PAGES)


def _bind(host, port):
    from tornado.netutil import bind_sockets

    try:
        return bind_sockets(port, address=host)
    except OSError as e:
        if e.errno != errno.EADDRINUSE or not port:
            raise
    sockets = bind_sockets(0, address=host)
    logger.warning("Port %d is already in use (another cluster's dashboard?): the dashboard is on port %d instead",
                   port, sockets[0].getsockname()[1])
    return sockets


def _build_application(data, routes, port):
    app = _bokeh_app(data, routes, port)
    if app is None:  # no bokeh: a plain HTML status page instead of the live one
        return Application(routes + [(r"/status", StatusHandler, {"scheduler": data.scheduler})])
    # the Bokeh application runs its jobs on this (the scheduler's) loop
    from tornado.ioloop import IOLoop

    app.initialize(IOLoop.current())
    app.start()
    return app


def _bokeh_app(data, routes, port):
    try:
        from bokeh.server.tornado import BokehTornado
        from bokeh.server.util import create_hosts_allowlist
    except ImportError:
        return None
    from .bokeh_app import applications

    import socket

    origins = create_hosts_allowlist(["localhost", "127.0.0.1", socket.gethostname()], port)
    extra = [(pattern, handler, kwargs) for pattern, handler, kwargs in routes]
    extra.append((r"/plain-status", StatusHandler, {"scheduler": data.scheduler}))
    return BokehTornado(applications(data), extra_websocket_origins=origins, extra_patterns=extra,
                        use_index=False, redirect_root=False)
