"""Diagnostics for the local schedulers: a progress bar and profilers, used as context managers."""

from shoal.diagnostics.profile import Profiler, ResourceProfiler, ResourceSample, TaskRecord
from shoal.diagnostics.progress import ProgressBar

__all__ = ["ProgressBar", "Profiler", "ResourceProfiler", "ResourceSample", "TaskRecord"]
