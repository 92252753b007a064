"""The clock every profiler reads, and the span of time a profiler covers, so that several profilers of
the same computation line up on one time axis."""

from __future__ import annotations

import time

now = time.perf_counter


class Span:
    """``start_time``: when the first computation profiled began; ``end_time``: when the last ended
    (both ``None`` before anything ran). Gives every profiler ``.visualize(**kwargs)``."""

    def __init__(self):
        self.start_time: float | None = None
        self.end_time: float | None = None

    def _began(self) -> None:
        if self.start_time is None:
            self.start_time = now()

    def _ended(self) -> None:
        self.end_time = now()

    def visualize(self, **kwargs):
        """Draw this profiler's results with bokeh; the arguments are those of
        :func:`shoal.diagnostics.visualize`."""
        from shoal.diagnostics.output import visualize

        return visualize([self], **kwargs)
