"""Worker-to-worker transfers between processes of one machine go by cross-memory attach.

Real LocalClusters of worker processes: the data arrives identical, the fast path is used (the
``cross_memory.counters()`` of each process say so), the receiver owns its copy, held frames are let
go, and when the fast path is switched off or fails the data comes over TCP just the same.
"""

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import shoal.config
from shoal.distributed import Client, LocalCluster
from shoal.distributed.comm import cross_memory
from shoal.distributed.testing import until_blocking

pytestmark = [pytest.mark.timeout(120),
              pytest.mark.skipif(not cross_memory.available(), reason="process_vm_readv is Linux-only")]

N = 3_000_000  # 24 MB of float64


def make_array(n, seed):
    return np.random.default_rng(seed).random(n)


def digest(x):
    if isinstance(x, pd.DataFrame):
        return int(pd.util.hash_pandas_object(x, index=True).sum())
    if isinstance(x, bytes):
        return hashlib.sha256(x).hexdigest()
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()


def overwrite_first(x):
    x[0] = -1.0
    return float(x[0])


def first(x):
    return float(x[0])


def make_frame(n):
    rng = np.random.default_rng(3)
    return pd.DataFrame({"a": rng.random(n), "b": np.arange(n), "s": [f"row-{i}" for i in range(n)]})


def make_bytes(n):
    return bytes(range(256)) * (n // 256)


def counters():
    return cross_memory.counters()


def break_comms_to(peer, dask_worker=None):
    """Point this worker's idle comms to ``peer`` at a pid that no longer exists: the next copy fails."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    comms = dask_worker.pool.idle.get(peer, [])
    for comm in comms:
        comm.cross_memory.peer_pid = proc.pid
    return len(comms)


def switch_cross_memory(on, dask_worker=None):
    """Turn the fast path on or off in this worker; comms opened from now on follow the setting."""
    shoal.config.set({"distributed.comm.cross-memory-attach": on})
    for address in list(dask_worker.pool.idle):
        dask_worker.pool.remove(address)


@pytest.fixture(scope="module")
def cluster_client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            yield client


def _workers(client):
    return sorted(client.ncores())


def _move(client, value_future, to, func=digest):
    return client.submit(func, value_future, workers=[to], pure=False).result()


def test_large_array_moves_between_worker_processes_by_cross_memory(cluster_client):
    c = cluster_client
    a, b = _workers(c)
    before = c.run(counters)
    x = c.submit(make_array, N, 0, workers=[a])
    assert _move(c, x, b) == digest(make_array(N, 0))
    after = c.run(counters)
    assert after[b]["reads"] > before[b]["reads"]
    assert after[b]["bytes"] - before[b]["bytes"] >= N * 8
    assert after[a]["frames_lent"] > before[a]["frames_lent"]
    assert after[b]["fallbacks"] == before[b]["fallbacks"]
    # the sender lets go of the frames once the receiver acknowledged its copy
    until_blocking(lambda: c.run(counters, workers=[a])[a]["frames_held"] == 0, what="frames released")


def test_receiver_owns_a_copy(cluster_client):
    c = cluster_client
    a, b = _workers(c)
    x = c.submit(make_array, N, 1, workers=[a])
    original = make_array(N, 1)[0]
    assert _move(c, x, b, overwrite_first) == -1.0
    assert c.submit(first, x, workers=[a], pure=False).result() == original


def test_dataframes_and_bytes_go_by_cross_memory(cluster_client):
    c = cluster_client
    a, b = _workers(c)
    df = c.submit(make_frame, 300_000, workers=[a])
    raw = c.submit(make_bytes, 8 << 20, workers=[a])
    before = c.run(counters, workers=[b])[b]
    assert _move(c, df, b) == digest(make_frame(300_000))
    assert _move(c, raw, b) == digest(make_bytes(8 << 20))
    after = c.run(counters, workers=[b])[b]
    assert after["reads"] - before["reads"] >= 3  # two numeric columns (at least) and the bytes
    pd.testing.assert_frame_equal(df.result(), make_frame(300_000))


def test_failed_copy_falls_back_to_tcp(cluster_client):
    c = cluster_client
    a, b = _workers(c)
    x = c.submit(make_array, N, 2, workers=[a])
    assert _move(c, x, b) == digest(make_array(N, 2))  # b now has an idle comm to a
    assert c.run(break_comms_to, a, workers=[b])[b] >= 1
    before = c.run(counters)
    y = c.submit(make_array, N, 4, workers=[a])
    assert _move(c, y, b) == digest(make_array(N, 4))
    after = c.run(counters)
    assert after[b]["fallbacks"] - before[b]["fallbacks"] == 1
    assert after[b]["reads"] == before[b]["reads"]
    until_blocking(lambda: c.run(counters, workers=[a])[a]["frames_held"] == 0, what="frames released")


def test_scatter_and_gather_with_a_client_on_the_same_machine(cluster_client):
    c = cluster_client
    data = make_array(N, 5)
    future = c.scatter(data, hash=False)
    before = cross_memory.counters()
    back = c.gather(future)
    np.testing.assert_array_equal(back, data)
    assert cross_memory.counters()["reads"] > before["reads"]
    back[0] = 7.0  # the client's copy is its own
    assert c.submit(first, future, pure=False).result() == data[0]


def test_receiver_switched_off_gets_data_over_tcp(cluster_client):
    """Only the receiving worker has the fast path off: it never introduces itself, so the sender,
    which still has it on, writes everything to the socket."""
    c = cluster_client
    a, b = _workers(c)
    c.run(switch_cross_memory, False, workers=[b])
    try:
        before = c.run(counters)
        x = c.submit(make_array, N, 6, workers=[a])
        assert _move(c, x, b) == digest(make_array(N, 6))
        after = c.run(counters)
        assert after[b]["reads"] == before[b]["reads"] and after[b]["fallbacks"] == before[b]["fallbacks"]
        assert after[a]["frames_lent"] == before[a]["frames_lent"]
    finally:
        c.run(switch_cross_memory, True, workers=[b])
