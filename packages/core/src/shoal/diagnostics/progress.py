"""A terminal progress bar with elapsed time for computations on the local schedulers."""

from __future__ import annotations

import sys
import threading
import time

from shoal.callbacks import Callback
from shoal.utils import format_time


class ProgressBar(Callback):
    """``with ProgressBar(): x.compute()`` draws ``[#####     ] | 50% Completed | 1.2 s``.

    ``minimum``: seconds a computation must run before the bar appears; ``width``: characters;
    ``dt``: seconds between redraws; ``out``: the stream (stdout by default).
    """

    def __init__(self, minimum: float = 0, width: int = 40, dt: float = 0.1, out=None):
        self._minimum = minimum
        self._width = width
        self._dt = dt
        self._out = out if out is not None else sys.stdout
        self.last_duration = 0.0

    def _start(self, dsk):
        self._state = None
        self._start_time = time.perf_counter()
        self._running = True
        self._shown = False
        self._thread = threading.Thread(target=self._timer, daemon=True, name="shoal-progress")
        self._thread.start()

    def _start_state(self, dsk, state):
        self._state = state

    def _finish(self, dsk, state, errored):
        self._running = False
        self._thread.join()
        elapsed = time.perf_counter() - self._start_time
        self.last_duration = elapsed
        if elapsed < self._minimum:
            return
        if not errored:
            self._draw(1.0, elapsed)
        else:
            self._draw(self._fraction(), elapsed)
        self._out.write("\n")
        self._out.flush()

    def _fraction(self) -> float:
        s = self._state
        if s is None or not s.ntasks:
            return 0.0
        return s.nfinished / s.ntasks

    def _timer(self):
        while self._running:
            elapsed = time.perf_counter() - self._start_time
            if elapsed > self._minimum:
                self._draw(self._fraction(), elapsed)
            time.sleep(self._dt)

    def _draw(self, fraction: float, elapsed: float):
        filled = int(self._width * fraction)
        bar = "#" * filled + " " * (self._width - filled)
        self._out.write(f"\r[{bar}] | {fraction * 100:3.0f}% Completed | {format_time(elapsed)}")
        self._out.flush()
