"""The threaded scheduler (the default): tasks run in a pool of threads sharing memory.

Good for NumPy, pandas and other code that releases the GIL. The calling thread works too, so
``num_workers`` threads run tasks in all. A compute started from inside a task runs inline in that
thread, which keeps nested computes from waiting on a pool that is busy with their parent.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from shoal.local import Run, get_sync, in_worker_thread

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def default_num_workers() -> int:
    from shoal import config

    return config.get("num-workers", None) or os.cpu_count() or 1


def _pool(n: int) -> ThreadPoolExecutor:
    with _pools_lock:
        pool = _pools.get(n)
        if pool is None:
            pool = _pools[n] = ThreadPoolExecutor(n, thread_name_prefix="shoal-worker")
        return pool


def get(dsk, keys, num_workers=None, callbacks=None, pool=None, **kwargs):
    """Run the graph on ``num_workers`` threads (default: config ``num-workers`` or the CPU count)."""
    num_workers = num_workers or default_num_workers()
    if in_worker_thread() or num_workers == 1:
        return get_sync(dsk, keys, callbacks=callbacks)
    run = Run(dsk, keys, callbacks)
    helpers = min(num_workers - 1, len(run.dsk) - 1)
    if helpers > 0:
        pool = pool or _pool(num_workers - 1)
        for i in range(1, helpers + 1):
            pool.submit(run.work, i)
    try:
        run.work(0)
        run.wait_for_others()
    except KeyboardInterrupt:
        run.abort()
        raise
    return run.result()
