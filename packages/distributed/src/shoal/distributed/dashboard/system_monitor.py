"""The scheduler process's CPU, memory and network traffic over time (psutil), for the /system page."""

import time
from collections import deque

import psutil

HISTORY = 3600  # samples kept: an hour at one a second


class SystemMonitor:
    """Samples at most every ``interval`` seconds, however many pages ask for an update."""

    def __init__(self, interval=0.5, history=HISTORY):
        self.interval = interval
        self.process = psutil.Process()
        self.process.cpu_percent(interval=None)  # the first call only starts the measurement
        self.samples = {name: deque(maxlen=history) for name in ("time", "cpu", "memory", "read_bps", "write_bps")}
        self._last = (time.time(), _net_bytes())

    def update(self):
        now = time.time()
        last_time, (last_read, last_write) = self._last
        if now - last_time < self.interval:
            return False
        read, write = _net_bytes()
        elapsed = now - last_time
        self._last = (now, (read, write))
        self.samples["time"].append(now * 1000)  # Bokeh datetime axes count milliseconds
        self.samples["cpu"].append(self.process.cpu_percent(interval=None))
        self.samples["memory"].append(self.process.memory_info().rss)
        self.samples["read_bps"].append(max(read - last_read, 0) / elapsed)
        self.samples["write_bps"].append(max(write - last_write, 0) / elapsed)
        return True

    def columns(self):
        return {name: list(values) for name, values in self.samples.items()}


def _net_bytes():
    try:
        counters = psutil.net_io_counters()
    except (OSError, RuntimeError):  # no network statistics in some containers
        return 0, 0
    return (counters.bytes_recv, counters.bytes_sent) if counters is not None else (0, 0)

