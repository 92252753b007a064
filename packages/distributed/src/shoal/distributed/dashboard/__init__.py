"""The scheduler's dashboard: live Bokeh pages (/status, /workers, /tasks, /system, /graph, /groups,
/individual-*), plain HTML /info pages, JSON routes and /health, /metrics; see http.py for the routes."""
