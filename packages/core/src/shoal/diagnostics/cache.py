"""CacheProfiler: how much the scheduler holds in its cache of results over a computation — each
result measured by a metric (1 per task by default, or bytes, rows, ...) from when it was stored to
when the scheduler released it."""

from __future__ import annotations

import math
import threading
import warnings
from typing import NamedTuple

from shoal.callbacks import Callback
from shoal.diagnostics.clock import Span, now
from shoal.utils import funcname


class CacheData(NamedTuple):
    key: object
    task: object
    metric: float
    cache_time: float
    free_time: float


def _count(value) -> int:
    return 1


class CacheProfiler(Span, Callback):
    """Record, for every task, ``CacheData(key, task, metric(result), cache_time, free_time)`` in
    ``cprof.results``: ``cache_time`` is when the result was stored, ``free_time`` when the scheduler
    released it (for the results the caller asked for: when the computation ended).

    ``metric``: a function of a result, e.g. ``len`` or ``lambda a: a.nbytes``; by default each result
    counts 1. ``metric_name`` labels the plot (default: the metric's name, or ``"count"``).
    Results accumulate over computations until ``clear()``; ``cprof.visualize()`` plots the metric held
    in the cache over time.
    """

    def __init__(self, metric=None, metric_name: str | None = None):
        Span.__init__(self)
        self._metric = metric if metric is not None else _count
        self.metric_name = metric_name or (funcname(metric) if metric is not None else "count")
        self.results: list[CacheData] = []
        self._held: dict = {}  # run -> {key: (task, metric, cache_time)}
        self._lock = threading.Lock()
        self._warned = False

    def _start(self, dsk):
        self._began()

    def _posttask(self, key, result, dsk, state, worker_id):
        value = self._measure(key, result)
        with self._lock:
            self._held.setdefault(state, {})[key] = (dsk[key], value, now())

    def _release(self, key, dsk, state):
        freed = now()
        with self._lock:
            held = self._held.get(state, {}).pop(key, None)
            if held is not None:
                self.results.append(CacheData(key, *held, freed))

    def _finish(self, dsk, state, errored):
        freed = now()
        with self._lock:
            for key, held in self._held.pop(state, {}).items():
                self.results.append(CacheData(key, *held, freed))
        self._ended()

    def _measure(self, key, result) -> float:
        # The metric runs inside the scheduler's bookkeeping, where raising would wreck the run: a
        # failing metric counts as NaN and is reported once.
        try:
            return self._metric(result)
        except Exception as e:  # noqa: BLE001
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"CacheProfiler metric {self.metric_name!r} failed on the result of {key!r} "
                    f"({type(result).__name__}): {type(e).__name__}: {e}; recording NaN",
                    RuntimeWarning,
                    stacklevel=2,
                )
            return math.nan

    def clear(self) -> None:
        Span.__init__(self)
        with self._lock:
            self.results.clear()
            self._held.clear()
        self._warned = False

    def _plot(self, timeline, **kwargs):
        from shoal.diagnostics.plots import plot_cache

        return plot_cache(self.results, timeline, metric_name=self.metric_name, **kwargs)
