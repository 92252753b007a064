"""Closing a cluster with nanny workers: no restarts, no stray processes, quick, no errors logged."""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from shoal.distributed import Client, LocalCluster, Nanny, Scheduler
from shoal.distributed.testing import until, until_blocking


def inc(x):
    return x + 1


def _gone(pids, timeout=10):
    """Wait until none of ``pids`` runs (zombies count as gone); the ones still running."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


def _errors(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("scheduler_first", [False, True], ids=["cluster-close", "client-shutdown"])
def test_closing_a_process_cluster_restarts_no_worker(caplog, scheduler_first):
    with caplog.at_level(logging.INFO, logger="shoal.distributed"):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        nannies = list(cluster.workers.values())
        pids = [n.pid for n in nannies]
        with Client(cluster.scheduler_address) as c:
            assert c.submit(inc, 1).result() == 2
            assert sorted(c.run(os.getpid).values()) == sorted(pids)
            start = time.monotonic()
            if scheduler_first:  # the scheduler goes first and tells the workers to close
                c.shutdown()
                until_blocking(lambda: all(n.status == "closed" for n in nannies), timeout=5)
        cluster.close()
        took = time.monotonic() - start
    assert took < 5
    assert [n.restarts for n in nannies] == [0, 0]
    assert _gone(pids) == []
    assert _errors(caplog) == []
    assert "died" not in caplog.text


def test_nanny_closes_with_its_worker_when_the_scheduler_closes():
    async def main():
        s = await Scheduler(port=0, dashboard_address=None)
        async with Nanny(s.address, nthreads=1, memory_limit="1GB") as n:
            pid = n.pid
            await until(lambda: len(s.state.workers) == 1)
            await s.close()
            await until(lambda: n.status == "closed", timeout=5)
            assert n.restarts == 0
            assert not n.process.is_alive()
        return pid

    pid = asyncio.run(main())
    assert _gone([pid]) == []


def test_a_worker_that_dies_is_still_restarted_but_a_retired_one_is_not():
    async def main():
        async with Scheduler(port=0, dashboard_address=None) as s:
            async with Nanny(s.address, nthreads=1, name="crashes") as a, \
                    Nanny(s.address, nthreads=1, name="retires") as b:
                await until(lambda: len(s.state.workers) == 2)
                first = a.worker_address
                os.kill(a.pid, signal.SIGKILL)
                await until(lambda: a.worker_address != first and a.worker_address in s.state.workers, timeout=30)
                assert a.restarts == 1
                await s.retire_workers(msg={"workers": [b.worker_address]})
                await until(lambda: b.status == "closed", timeout=5)
                assert b.restarts == 0 and list(s.state.workers) == [a.worker_address]

    asyncio.run(main())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cli_nanny_workers_exit_with_the_scheduler(tmp_path):
    port = _free_port()
    sched = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.scheduler", "--host", "127.0.0.1",
                              "--port", str(port), "--dashboard-address", "none"], stderr=subprocess.DEVNULL)
    log = open(tmp_path / "worker.log", "w+")
    worker = subprocess.Popen([sys.executable, "-m", "shoal.distributed.cli.worker", f"tcp://127.0.0.1:{port}",
                               "--nanny", "--nworkers", "2", "--nthreads", "1", "--memory-limit", "1GB"],
                              stderr=log)
    try:
        with Client(f"tcp://127.0.0.1:{port}", timeout=20) as c:
            c.wait_for_workers(2, timeout=30)
            assert c.submit(sum, [1, 2]).result(timeout=10) == 3  # a builtin: the CLI cannot import this file
            pids = list(c.run(os.getpid).values())
        start = time.monotonic()
        sched.terminate()
        assert worker.wait(10) == 0
        took = time.monotonic() - start
    finally:
        for proc in (worker, sched):
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
    log.seek(0)
    text = log.read()
    assert took < 5, text
    assert _gone(pids) == [], text
    assert "ERROR" not in text and "died" not in text and "started worker" in text, text
    assert text.count("started worker") == 2, text  # no restarts
