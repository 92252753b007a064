"""Benchmarks of shoal.distributed on LocalCluster(2 workers x 1 thread, processes).

``run(quick)`` returns rows {"name", "value", "unit", "goal", "note"}; goals are from the issue, with
what Dask 2026.8 measured on the same machine in the note.
"""

import operator
import statistics
import time


def inc(x):
    return x + 1


def _make_array(nbytes):
    import numpy as np

    return np.ones(nbytes // 8)


def _nbytes(x):
    return x.nbytes


def _warm_up():
    import numpy

    return numpy.__version__


def run(quick: bool) -> list[dict]:
    import shoal
    from shoal.distributed import Client, LocalCluster

    n_latency = 50 if quick else 1000
    n_map = 500 if quick else 20_000
    n_tree = 500 if quick else 10_000
    size = 2_000_000 if quick else 200_000_000
    rows = []

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
    client = Client(cluster)
    startup = time.perf_counter() - t
    rows.append({"name": "cluster start-up", "value": startup, "unit": "s", "goal": "< 1 s",
                 "note": "LocalCluster(2 processes) + Client; Dask 1.25 s"})
    try:
        client.submit(inc, 0).result()
        lat = []
        for i in range(n_latency):
            t = time.perf_counter()
            client.submit(inc, i).result()
            lat.append(time.perf_counter() - t)
        lat.sort()
        rows.append({"name": "submit latency median", "value": statistics.median(lat) * 1e3, "unit": "ms",
                     "goal": "< 1.5 ms", "note": f"sequential submit(inc, i).result(), n={n_latency}; Dask 10.8 ms"})
        rows.append({"name": "submit latency p99", "value": lat[int(0.99 * (len(lat) - 1))] * 1e3, "unit": "ms",
                     "goal": "-", "note": "same run"})

        t = time.perf_counter()
        futures = client.map(inc, range(n_map), key=[f"map-inc-{i}" for i in range(n_map)])
        results = client.gather(futures)
        elapsed = time.perf_counter() - t
        assert results == list(range(1, n_map + 1))
        del futures
        rows.append({"name": "map+gather throughput", "value": n_map / elapsed, "unit": "tasks/s",
                     "goal": "> 4000 tasks/s", "note": f"{n_map} trivial tasks; Dask about 400"})

        leaves = [shoal.delayed(inc)(i) for i in range(n_tree // 2)]
        level = leaves
        while len(level) > 1:
            level = [shoal.delayed(operator.add)(*level[i:i + 2]) if i + 1 < len(level) else level[i]
                     for i in range(0, len(level), 2)]
        total = level[0]
        t = time.perf_counter()
        value = total.compute()
        elapsed = time.perf_counter() - t
        assert value == sum(range(1, n_tree // 2 + 1))
        n_tasks = 2 * len(leaves) - 1
        rows.append({"name": "delayed tree reduction", "value": n_tasks / elapsed, "unit": "tasks/s",
                     "goal": "> 3000 tasks/s", "note": f"{n_tasks} tasks computed on the client; Dask about 255"})

        rows.append({"name": "worker-to-worker transfer", "value": _transfer_speed(client, size), "unit": "GB/s",
                     "goal": "> 2 GB/s", "note": f"{size / 1e6:.0f} MB array, median of 3, by cross-memory attach "
                                                 f"({_cross_memory_reads(client)} copies); Dask 0.9-1.2 GB/s"})

        import numpy as np

        data = np.random.default_rng(0).random(size // 8)
        speeds = []
        for _ in range(3):
            t = time.perf_counter()
            future = client.scatter(data, hash=False)
            back = client.gather(future)
            speeds.append(2 * data.nbytes / (time.perf_counter() - t) / 1e9)
            assert back.shape == data.shape
            del future, back
        rows.append({"name": "scatter+gather", "value": statistics.median(speeds), "unit": "GB/s",
                     "goal": "> 1 GB/s", "note": f"{size / 1e6:.0f} MB each way, median of 3; Dask about 0.3 GB/s"})
    finally:
        client.close()
        cluster.close()
    rows.append({"name": "worker-to-worker transfer, TCP", "value": _tcp_transfer_speed(size), "unit": "GB/s",
                 "goal": "-", "note": "same, with distributed.comm.cross-memory-attach off in the workers"})
    return rows


def _transfer_speed(client, size):
    """Median GB/s of moving a ``size``-byte array from the first worker to the second (3 tries)."""
    workers = sorted(client.ncores())
    client.run(_warm_up)  # import numpy on the workers so the first transfer does not pay for it
    speeds = []
    for _ in range(3):
        src = client.submit(_make_array, size, workers=[workers[0]], pure=False)
        client.submit(_nbytes, src, workers=[workers[0]]).result()
        t = time.perf_counter()
        moved = client.submit(_nbytes, src, workers=[workers[1]]).result()
        speeds.append(moved / (time.perf_counter() - t) / 1e9)
        del src
    return statistics.median(speeds)


def _cross_memory_reads(client):
    from shoal.distributed.comm import cross_memory

    return sum(counts["reads"] for counts in client.run(cross_memory.counters).values())


def _tcp_transfer_speed(size):
    """The same transfer on a cluster whose workers (started with the setting in their environment)
    keep every frame on the socket."""
    import os

    from shoal.distributed import Client, LocalCluster

    name = "SHOAL_DISTRIBUTED__COMM__CROSS_MEMORY_ATTACH"
    previous = os.environ.get(name)
    os.environ[name] = "False"
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
            speed = _transfer_speed(client, size)
            assert _cross_memory_reads(client) == 0
            return speed
    finally:
        if previous is None:
            del os.environ[name]
        else:
            os.environ[name] = previous


if __name__ == "__main__":
    import sys

    for row in run(quick="--quick" in sys.argv):
        print(f"{row['name']:30s} {row['value']:10.3f} {row['unit']:8s} goal {row['goal']:16s} {row['note']}")
