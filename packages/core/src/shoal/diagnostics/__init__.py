"""Diagnostics for the local schedulers: a progress bar and profilers, used as context managers."""

from shoal.callbacks import Callback
from shoal.diagnostics.profile import Profiler, ResourceProfiler, ResourceSample, TaskRecord
from shoal.diagnostics.progress import ProgressBar

__all__ = ["Callback", "ProgressBar", "Profiler", "ResourceProfiler", "ResourceSample", "TaskRecord"]
