"""Every time-like argument (timeout, interval, target_duration, ...) takes seconds or strings like '200ms'."""

import asyncio
import datetime
import io
import time

import pytest

from shoal.distributed import (Adaptive, Client, Event, Lock, Nanny, Queue, Scheduler, Semaphore, Sub, TimeoutError,
                               Variable, Worker, as_completed, progress, wait)
from shoal.distributed.config import parse_timedelta

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


def fail(x):
    raise ValueError(x)


@pytest.mark.parametrize("value, seconds", [
    (2, 2), (0.5, 0.5), ("2s", 2), ("200ms", 0.2), ("2 s", 2), ("1min", 60), ("1.5 h", 5400), ("3", 3),
    (datetime.timedelta(milliseconds=250), 0.25), (None, None),
])
def test_parse_timedelta(value, seconds):
    assert parse_timedelta(value) == seconds


@pytest.mark.parametrize("value", ["soon", "2 parsecs", True, [1]])
def test_a_time_that_is_not_one_is_a_clear_error(value):
    with pytest.raises(ValueError, match="as a time"):
        parse_timedelta(value)


@pytest.mark.parametrize("timeout", ["5s", "5000ms", 5, 5.0])
def test_client_waits_take_time_strings(client, timeout):
    x = client.submit(inc, 1)
    bad = client.submit(fail, 1)
    assert x.result(timeout=timeout) == 2
    assert isinstance(bad.exception(timeout=timeout), ValueError)
    assert bad.traceback(timeout=timeout) is not None
    assert len(wait([x, bad], timeout=timeout).done) == 2
    assert len(list(as_completed([x], timeout=timeout))) == 1
    client.wait_for_workers(2, timeout=timeout)
    progress(x, interval=timeout, file=io.StringIO())
    assert client.scatter(5, timeout=timeout).result() == 5
    with Client(client.scheduler_address, timeout=timeout, set_as_default=False) as other:
        assert other.timeout == 5


def test_a_short_string_timeout_expires_in_time(client):
    slow = client.submit(time.sleep, 2)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        slow.result(timeout="100ms")
    with pytest.raises(TimeoutError):
        wait(slow, timeout="100ms")
    assert time.monotonic() - start < 1.5


def test_restart_takes_a_time_string(client):
    client.restart(timeout="20s")
    assert client.submit(inc, 1).result() == 2


def test_coordination_primitives_take_time_strings(client):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        Variable("never-set", client=client).get(timeout="100ms")
    with pytest.raises(TimeoutError):
        Queue("empty", client=client).get(timeout="100ms")
    lock = Lock("held", client=client)
    assert lock.acquire(timeout="1s")
    assert not Lock("held", client=client).acquire(timeout="100ms")
    lock.release()
    sem = Semaphore(max_leases=1, name="one", client=client)
    assert sem.acquire(timeout="1s")
    assert not Semaphore(max_leases=1, name="one", client=client).acquire(timeout="100ms")
    sem.release()
    assert not Event("not-set", client=client).wait(timeout="100ms")
    with pytest.raises(TimeoutError):
        Sub("quiet", client=client).get(timeout="100ms")
    assert time.monotonic() - start < 5


def test_servers_and_adaptive_take_time_strings():
    async def main():
        async with Scheduler(protocol="inproc", worker_ttl="90s", dashboard_address=None) as s:
            assert s.worker_ttl == 90
            async with Worker(s.address, nthreads=1, heartbeat_interval="500ms") as w:
                assert w.heartbeat_interval == 0.5
            adaptive = Adaptive(s, _Mechanism(), interval="250ms", target_duration="1min")
            assert (adaptive.interval, adaptive.target_duration) == (0.25, 60)
            assert Nanny("tcp://127.0.0.1:8786", startup_timeout="30s").startup_timeout == 30  # not started

    asyncio.run(main())


class _Mechanism:
    async def scale(self, n):
        pass
