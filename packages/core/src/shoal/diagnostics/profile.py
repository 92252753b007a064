"""Profilers for the local schedulers: per-task timings (Profiler) and CPU/memory samples
(ResourceProfiler, which needs psutil). Both draw themselves with ``.visualize()`` (bokeh)."""

from __future__ import annotations

import threading
from typing import NamedTuple

from shoal.callbacks import Callback
from shoal.diagnostics.clock import Span, now
from shoal.utils import funcname


class TaskRecord(NamedTuple):
    key: object
    task: object
    start: float
    end: float
    worker_id: int

    # Dask's names for the same fields
    @property
    def start_time(self) -> float:
        return self.start

    @property
    def end_time(self) -> float:
        return self.end


class Profiler(Span, Callback):
    """Record when each task started and ended and on which worker: ``prof.results`` is a list of
    :class:`TaskRecord`. Results accumulate over computations until ``clear()``; ``prof.visualize()``
    draws them as a Gantt chart, one row per worker."""

    def __init__(self):
        Span.__init__(self)
        self.results: list[TaskRecord] = []
        self._starts: dict = {}
        self._lock = threading.Lock()

    def _start(self, dsk):
        self._began()

    def _pretask(self, key, dsk, state):
        self._starts[key] = now()

    def _posttask(self, key, result, dsk, state, worker_id):
        end = now()
        with self._lock:
            self.results.append(TaskRecord(key, dsk[key], self._starts.pop(key, end), end, worker_id))

    def _finish(self, dsk, state, errored):
        self._ended()

    def clear(self) -> None:
        Span.__init__(self)
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

    def _plot(self, timeline, **kwargs):
        from shoal.diagnostics.plots import plot_tasks

        return plot_tasks(self.results, timeline, **kwargs)


class ResourceSample(NamedTuple):
    time: float
    mem: float  # MB resident
    cpu: float  # percent (can exceed 100 on several cores)


class ResourceProfiler(Span, Callback):
    """Sample this process's (and its children's) memory and CPU every ``dt`` seconds while computing:
    ``rprof.results`` is a list of :class:`ResourceSample`; ``rprof.visualize()`` plots them."""

    def __init__(self, dt: float = 0.1):
        from shoal.utils import import_required

        Span.__init__(self)
        self._psutil = import_required("psutil", "psutil (or shoal-core[diagnostics])")
        self._dt = dt
        self.results: list[ResourceSample] = []
        self._lock = threading.Lock()
        self._depth = 0

    def _start(self, dsk):
        self._began()
        with self._lock:
            self._depth += 1  # a compute nested in a task shares the outer run's sampler
            if self._depth > 1:
                return
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, args=(self._stop,), daemon=True,
                                            name="shoal-resources")
            self._thread.start()

    def _finish(self, dsk, state, errored):
        with self._lock:
            self._depth -= 1
            if self._depth:
                return
            self._stop.set()
        self._thread.join()
        self._ended()

    def _sample(self, stop: threading.Event):
        proc = self._psutil.Process()
        procs: dict = {}
        stopped = False
        while True:
            self.results.append(self._measure(proc, procs))
            if stopped:
                return
            stopped = stop.wait(self._dt)  # one last sample once the run has ended

    def _measure(self, proc, procs: dict) -> ResourceSample:
        mem = cpu = 0.0
        for p in [proc] + proc.children(recursive=True):
            tracked = procs.setdefault(p.pid, p)  # cpu_percent measures since this object's last call
            try:
                mem += tracked.memory_info().rss / 1e6
                cpu += tracked.cpu_percent()
            except self._psutil.Error:
                continue
        return ResourceSample(now(), mem, cpu)

    def clear(self) -> None:
        Span.__init__(self)
        self.results.clear()

    def _plot(self, timeline, **kwargs):
        from shoal.diagnostics.plots import plot_resources

        return plot_resources(self.results, timeline, **kwargs)
