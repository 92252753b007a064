"""Where the time of a worker-to-worker transfer goes: a standalone timeline.

``python packages/distributed/benchmarks/transfer_timeline.py [MB]`` starts LocalCluster(2 workers x
1 thread, processes), times the comm stages inside both worker processes (frame reads and writes,
message encode/decode, the dependency fetch) around a transfer of a NumPy array, and prints each stage
with its start relative to the submit.  Not part of ``nox -s bench``.
"""

import sys
import time

STAGES = [("comm.tcp", "TCP", "_read_frames"), ("comm.tcp", "TCP", "write"), ("protocol", None, "dumps"),
          ("protocol", None, "loads"), ("worker", "Worker", "gather_dep"), ("worker", "Worker", "get_data"),
          ("comm.tcp", "TCP", "_copy_lent"), ("comm.cross_memory", None, "read_into")]


def make_array(nbytes):
    import numpy as np

    return np.ones(nbytes // 8)


def nbytes(x):
    return x.nbytes


def instrument():
    """In a worker process: wrap the stages so each call logs (name, start, stop) in wall-clock time."""
    import importlib
    import inspect

    import shoal.distributed as package

    log = package.__dict__.setdefault("_timeline", [])
    for module_name, class_name, name in STAGES:
        module = importlib.import_module(f"shoal.distributed.{module_name}")
        owner = getattr(module, class_name) if class_name else module
        original = getattr(owner, name)
        if getattr(original, "_timed", False):
            continue
        if inspect.iscoroutinefunction(original):
            async def timed(*args, _f=original, _n=name, **kwargs):
                start = time.time()
                try:
                    return await _f(*args, **kwargs)
                finally:
                    log.append((_n, start, time.time()))
        else:
            def timed(*args, _f=original, _n=name, **kwargs):
                start = time.time()
                try:
                    return _f(*args, **kwargs)
                finally:
                    log.append((_n, start, time.time()))
        timed._timed = True
        setattr(owner, name, timed)
        if module_name == "protocol":  # the comm calls protocol.<name> through its module
            setattr(importlib.import_module("shoal.distributed.comm.tcp").protocol, name, timed)


def take_timeline():
    import shoal.distributed as package

    log = list(package._timeline)
    package._timeline.clear()
    return log


def main(megabytes=200):
    from shoal.distributed import Client, LocalCluster

    size = int(megabytes * 1e6)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        source, target = sorted(client.ncores())
        client.run(instrument)
        for attempt in range(3):
            data = client.submit(make_array, size, workers=[source], pure=False)
            client.submit(nbytes, data, workers=[source]).result()
            client.run(take_timeline)
            t0, start = time.time(), time.perf_counter()
            client.submit(nbytes, data, workers=[target]).result()
            elapsed = time.perf_counter() - start
            print(f"attempt {attempt}: {size / elapsed / 1e9:.2f} GB/s, {elapsed * 1e3:.1f} ms in all")
            for worker, log in client.run(take_timeline).items():
                role = "source" if worker == source else "target"
                for name, begin, end in sorted(log, key=lambda e: e[1]):
                    if end - begin > 0.001 and begin >= t0 - 0.001:  # skip idle waits that began earlier
                        print(f"    {role:6s} {name:12s} {1e3 * (end - begin):8.1f} ms  from +{1e3 * (begin - t0):.1f} ms")
            del data


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 200)
