"""Profilers for the local schedulers: per-task timings (Profiler) and CPU/memory samples
(ResourceProfiler, which needs psutil)."""

from __future__ import annotations

import threading
import time
from typing import NamedTuple

from shoal.callbacks import Callback
from shoal.utils import funcname


class TaskRecord(NamedTuple):
    key: object
    task: object
    start: float
    end: float
    worker_id: int


class Profiler(Callback):
    """Record when each task started and ended and on which worker: ``prof.results`` is a list of
    :class:`TaskRecord`. Results accumulate over computations until ``clear()``."""

    def __init__(self):
        self.results: list[TaskRecord] = []
        self._starts: dict = {}
        self._lock = threading.Lock()

    def _pretask(self, key, dsk, state):
        self._starts[key] = time.perf_counter()

    def _posttask(self, key, result, dsk, state, worker_id):
        end = time.perf_counter()
        with self._lock:
            self.results.append(TaskRecord(key, dsk[key], self._starts.pop(key, end), end, worker_id))

    def clear(self) -> None:
        self.results.clear()
        self._starts.clear()

    def summary(self) -> dict:
        """Total seconds spent per function name."""
        out: dict = {}
        for r in self.results:
            task = r.task
            name = funcname(task[0]) if isinstance(task, tuple) and task and callable(task[0]) else "value"
            out[name] = out.get(name, 0.0) + (r.end - r.start)
        return out


class ResourceSample(NamedTuple):
    time: float
    mem: float  # MB resident
    cpu: float  # percent (can exceed 100 on several cores)


class ResourceProfiler(Callback):
    """Sample this process's (and its children's) memory and CPU every ``dt`` seconds while computing:
    ``rprof.results`` is a list of :class:`ResourceSample`."""

    def __init__(self, dt: float = 0.1):
        from shoal.utils import import_required

        self._psutil = import_required("psutil", "psutil (or shoal-core[diagnostics])")
        self._dt = dt
        self.results: list[ResourceSample] = []
        self._running = False

    def _start(self, dsk):
        self._running = True
        self._thread = threading.Thread(target=self._sample, daemon=True, name="shoal-resources")
        self._thread.start()

    def _finish(self, dsk, state, errored):
        self._running = False
        self._thread.join()

    def _sample(self):
        proc = self._psutil.Process()
        procs = {}
        while True:
            now = time.time()
            family = [proc] + proc.children(recursive=True)
            mem = cpu = 0.0
            for p in family:
                tracked = procs.setdefault(p.pid, p)
                try:
                    mem += tracked.memory_info().rss / 1e6
                    cpu += tracked.cpu_percent()
                except self._psutil.Error:
                    continue
            self.results.append(ResourceSample(now, mem, cpu))
            if not self._running:
                return
            time.sleep(self._dt)

    def clear(self) -> None:
        self.results.clear()
