"""Core benchmarks: per-task overhead of the local schedulers, the cost of building a delayed graph,
and the time of `import shoal`."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def _inc(x):
    return x + 1


def _graph(n: int) -> tuple[dict, str]:
    """n trivial tasks: independent increments summed in a tree of fan-in 100 (like a reduction)."""
    dsk = {("x", i): (_inc, i) for i in range(n)}
    keys, level = list(dsk), 0
    while len(keys) > 1:
        level += 1
        new = []
        for j in range(0, len(keys), 100):
            k = ("sum", level, j)
            dsk[k] = (sum, keys[j:j + 100])
            new.append(k)
        keys = new
    return dsk, keys[0]


def _per_task_us(get, n: int, repeat: int) -> float:
    dsk, root = _graph(n)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        get(dsk, root)
        times.append(time.perf_counter() - start)
    return min(times) / len(dsk) * 1e6


def _delayed_tree_us(n: int) -> float:
    """Building (not computing) ``n`` delayed calls and a pairwise tree summing them, per call."""
    from shoal import delayed

    start = time.perf_counter()
    parts = [delayed(_inc)(i) for i in range(n)]
    calls = n
    while len(parts) > 1:
        pairs = [delayed(sum)(parts[i:i + 2]) for i in range(0, len(parts), 2)]
        calls += len(pairs)
        parts = pairs
    return (time.perf_counter() - start) / calls * 1e6


def _import_ms(repeat: int) -> float:
    code = "import time; t = time.perf_counter(); import shoal; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(repeat)]
    return statistics.median(runs) * 1e3


def run(quick: bool) -> list[dict]:
    from shoal.local import get_sync
    from shoal.multiprocessing import get as get_processes
    from shoal.threaded import get as get_threads

    n = 2_000 if quick else 100_000
    repeat = 1 if quick else 3
    return [
        {"name": f"sync scheduler, {n:,} trivial tasks", "value": _per_task_us(get_sync, n, repeat),
         "unit": "us/task", "goal": "<= 20 (Dask 2026.8: ~100)", "note": ""},
        {"name": f"threaded scheduler, {n:,} trivial tasks", "value": _per_task_us(get_threads, n, repeat),
         "unit": "us/task", "goal": "<= 50 (Dask 2026.8: ~145)", "note": "2 threads"},
        {"name": f"processes scheduler, {n:,} trivial tasks", "value": _per_task_us(get_processes, n, 1),
         "unit": "us/task", "goal": "", "note": "includes pool start-up"},
        {"name": f"building {n:,} delayed calls and their sum tree", "value": _delayed_tree_us(n),
         "unit": "us/call", "goal": "", "note": "graph construction only"},
        {"name": "import shoal", "value": _import_ms(3 if quick else 7), "unit": "ms", "goal": "< 150",
         "note": "median of fresh interpreters"},
    ]
