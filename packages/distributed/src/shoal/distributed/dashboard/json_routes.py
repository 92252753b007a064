"""Machine-readable dashboard routes: /json/identity.json, /json/counts.json, /sitemap.json and
/individual-plots.json (the single-plot pages JupyterLab offers)."""

import json

from tornado.web import RequestHandler

from .task_counts import STATES


class JSONHandler(RequestHandler):
    def initialize(self, data, paths=None):
        self.data = data
        self.paths = paths

    def write_json(self, payload):
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps(payload, default=str))


class IdentityHandler(JSONHandler):
    def get(self):
        info = self.data.scheduler.scheduler_info()
        self.write_json({"type": info["type"], "id": info["id"], "address": info["address"],
                         "services": info["services"], "started": info["started"], "workers": info["workers"]})


class CountsHandler(JSONHandler):
    def get(self):
        st = self.data.scheduler.state
        by_state = self.data.counts.by_state()
        self.write_json({**{state: by_state.get(state, 0) for state in STATES}, "tasks": len(st.tasks),
                         "workers": len(st.workers), "clients": len(st.clients),
                         "threads": sum(ws.nthreads for ws in st.workers.values())})


class SitemapHandler(JSONHandler):
    def get(self):
        self.write_json({"paths": sorted(self.paths)})


class IndividualPlotsHandler(JSONHandler):
    def get(self):
        from .bokeh_app import individual_plots

        self.write_json({title: path for title, path in individual_plots().items() if path in self.paths})
