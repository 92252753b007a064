"""``progress(futures)``: a text progress bar until the futures (or a persisted collection) finish."""

import sys
import time

from .config import parse_timedelta
from .future import futures_of


def progress(*objs, width=40, interval=0.1, file=None, complete=True, **kwargs):
    """Print a bar of finished/total futures in ``objs`` until all are done (errors count as done)."""
    futures = futures_of(list(objs))
    interval = parse_timedelta(interval)
    out = file or sys.stdout
    start = time.monotonic()
    while True:
        done = sum(f.done() for f in futures)
        total = len(futures) or 1
        filled = int(width * done / total)
        errors = sum(f.status == "error" for f in futures)
        note = f" | {errors} erred" if errors else ""
        out.write(f"\r[{'#' * filled}{' ' * (width - filled)}] | {100 * done // total:3d}% Completed | "
                  f"{time.monotonic() - start:.1f}s{note}")
        out.flush()
        if done == len(futures):
            break
        time.sleep(interval)
    if complete:
        out.write("\n")
    return futures
