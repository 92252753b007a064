"""The issue's scenarios end to end: public async API, Client() defaults, collections built from futures."""

import asyncio

import numpy as np
import pytest

from shoal.distributed import Client, Nanny, Scheduler, Worker, get_client
from shoal.distributed.testing import gen_cluster, until

pytestmark = pytest.mark.timeout(90)


def inc(x):
    return x + 1


def test_public_classes_as_async_context_managers():
    async def main():
        async with Scheduler(port=0, dashboard_address=":0") as s:
            async with Worker(s.address, nthreads=2) as w:
                async with Client(s.address, asynchronous=True) as c:
                    assert await c.submit(inc, 1) == 2
                    assert w.address.startswith("tcp://")
                    import urllib.request

                    loop = asyncio.get_running_loop()
                    body = await loop.run_in_executor(
                        None, lambda: urllib.request.urlopen(f"http://127.0.0.1:{s.http_port}/metrics").read())
                    import json

                    metrics = json.loads(body)
                    assert metrics["total_threads"] == 2 and w.address in metrics["workers"]

    asyncio.run(main())


def test_nanny_restarts_its_worker_after_death():
    import os
    import signal

    async def main():
        async with Scheduler(port=0) as s:
            async with Nanny(s.address, nthreads=1, memory_limit="1GB") as n:
                async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                    first = n.worker_address
                    assert await c.submit(inc, 1) == 2
                    os.kill(n.pid, signal.SIGKILL)
                    await until(lambda: n.worker_address != first and list(s.state.workers) == [n.worker_address],
                                timeout=30)
                    assert await c.submit(inc, 2) == 3

    asyncio.run(main())


def test_client_without_address_starts_a_local_cluster():
    with Client(n_workers=1, threads_per_worker=2, processes=False) as c:
        assert sum(c.ncores().values()) == 2
        assert c.submit(inc, 1).result() == 2
        cluster = c.cluster
    assert cluster.status == "closed"


def submit_from_task(n):
    client = get_client()
    futures = client.map(inc, range(n))
    return sum(client.gather(futures))


@gen_cluster(nthreads=[2, 1], timeout=60)
async def test_tasks_can_submit_tasks(c, s, a, b):
    assert await c.submit(submit_from_task, 5) == 15


def make_frame(i):
    import pandas as pd

    return pd.DataFrame({"i": [i, i + 1], "x": [float(i), 2.0 * i]})


def test_dataframe_from_futures(client):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("shoal.dataframe")
    futures = client.map(make_frame, range(100, 110))
    ddf = dd.from_delayed(futures, meta=make_frame(0))
    expected = pd.concat([make_frame(i) for i in range(100, 110)])
    result = ddf.compute()
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected.reset_index(drop=True))
    assert ddf.x.sum().compute() == expected.x.sum()


def test_array_from_futures_and_persist(client):
    da = pytest.importorskip("shoal.array")
    futures = client.map(np.arange, [3, 3, 3])
    parts = [da.from_delayed(f, shape=(3,), dtype=int) for f in futures]
    x = da.concatenate(parts)
    np.testing.assert_array_equal(x.compute(), np.concatenate([np.arange(3)] * 3))
    y = client.persist(x * 2)
    np.testing.assert_array_equal(y.compute(), np.concatenate([np.arange(3)] * 3) * 2)
    np.testing.assert_array_equal(client.compute(y.sum()).result(), 18)


def test_bag_on_the_client(client):
    db = pytest.importorskip("shoal.bag")
    b = db.from_sequence(range(100), npartitions=4)
    assert b.map(inc).sum().compute() == sum(range(1, 101))


def test_live_bokeh_status_page():
    from bokeh.client import pull_session
    from bokeh.models import ColumnDataSource

    from shoal.distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=False, dashboard_address=":0") as cluster, Client(cluster) as c:
        held = c.map(inc, range(5))
        c.gather(held)
        with pull_session(url=f"http://127.0.0.1:{cluster.scheduler.http_port}/status") as session:
            doc = session.document
            assert doc.title == "shoal scheduler" and len(doc.roots) == 1
            data = {tuple(s.data): dict(s.data) for s in doc.models if isinstance(s, ColumnDataSource)}
            tasks = data[("state", "count")]
            assert dict(zip(tasks["state"], tasks["count"]))["memory"] == 5
            assert sorted(data[("worker", "processing", "memory_mb")]["worker"]) == sorted(c.ncores())
        assert cluster.dashboard_link.endswith("/status")


def test_upload_file_makes_code_importable_on_workers(tmp_path):
    from shoal.distributed import LocalCluster

    source = tmp_path / "shoal_uploaded_helper.py"
    source.write_text("def triple(x):\n    return 3 * x\n")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True) as cluster, Client(cluster) as c:
        c.upload_file(str(source))

        def use(x):
            import shoal_uploaded_helper

            return shoal_uploaded_helper.triple(x)

        assert c.submit(use, 5).result(timeout=30) == 15


def test_publish_dataset_shared_between_clients():
    from shoal.distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False) as cluster:
        with Client(cluster, set_as_default=False) as a, Client(cluster, set_as_default=False) as b:
            x = a.submit(inc, 41)
            a.publish_dataset(answer=[x, "note"])
            assert a.list_datasets() == ["answer"]
            with pytest.raises(KeyError, match="already exists"):
                a.publish_dataset(answer=1)
            del x
            a.close()  # the published keys outlive the client that made them
            got = b.get_dataset("answer")
            assert got[1] == "note" and got[0].client is b
            assert got[0].result(timeout=10) == 42
            assert "answer" in b.datasets
            b.unpublish_dataset("answer")
            assert b.list_datasets() == []
            with pytest.raises(KeyError, match="No dataset"):
                b.get_dataset("answer")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    for name in ("", "other-"):  # the cluster's certificate, and one it does not trust
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=shoal-test",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / f"{name}key.pem"),
             "-out", str(d / f"{name}cert.pem")],
            check=True, capture_output=True,
        )
    return str(d / "cert.pem"), str(d / "key.pem")


def test_tls_cluster_end_to_end(tls_files):
    from shoal.distributed import LocalCluster, Security

    cert, key = tls_files
    sec = Security(tls_ca_file=cert, tls_cert=cert, tls_key=key)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, security=sec) as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        with Client(cluster) as c:
            x = c.submit(np.arange, 10, workers=[sorted(c.ncores())[0]])
            y = c.submit(np.sum, x, workers=[sorted(c.ncores())[1]])  # worker to worker over TLS
            assert y.result(timeout=30) == 45
            assert all(a.startswith("tls://") for a in c.ncores())
        with pytest.raises(ValueError, match="tls_ca_file"):
            Client(cluster.scheduler_address, timeout=1, security=Security())
        other_cert, other_key = cert.replace("cert.pem", "other-cert.pem"), key.replace("key.pem", "other-key.pem")
        with pytest.raises(OSError):  # a certificate the cluster does not trust is refused
            Client(cluster.scheduler_address, timeout=1,
                   security=Security(tls_ca_file=cert, tls_cert=other_cert, tls_key=other_key))


def test_tls_scheduler_ignores_plain_tcp_clients(tls_files):
    import socket

    cert, key = tls_files
    from shoal.distributed import Security

    sec = Security(tls_ca_file=cert, tls_cert=cert, tls_key=key)

    async def main():
        async with Scheduler(protocol="tls", security=sec) as s:
            async with Worker(s.address, nthreads=1, security=sec):
                loop = asyncio.get_running_loop()

                def plain():
                    with socket.create_connection(("127.0.0.1", s.port)) as sock:
                        sock.sendall(b"\x00" * 64)

                await loop.run_in_executor(None, plain)
                async with Client(s.address, asynchronous=True, security=sec, set_as_default=False) as c:
                    assert await c.submit(inc, 1) == 2

    asyncio.run(main())
