"""Diagnostics for the local schedulers, used as context managers: a progress bar and profilers of
tasks (Profiler), CPU and memory (ResourceProfiler) and the scheduler's cache (CacheProfiler), drawn
with bokeh by ``visualize([prof, rprof, cprof])`` or each profiler's ``.visualize()``."""

from shoal.callbacks import Callback
from shoal.diagnostics.cache import CacheData, CacheProfiler
from shoal.diagnostics.output import visualize
from shoal.diagnostics.profile import Profiler, ResourceProfiler, ResourceSample, TaskRecord
from shoal.diagnostics.progress import ProgressBar

__all__ = ["CacheData", "CacheProfiler", "Callback", "ProgressBar", "Profiler", "ResourceProfiler",
           "ResourceSample", "TaskRecord", "visualize"]
