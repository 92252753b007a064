"""The scheduler's HTTP endpoints: /health, /metrics (JSON) and a small /status page."""
