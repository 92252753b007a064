"""Helpers for tests of code that runs on shoal.distributed (for plugin authors too).

``@gen_cluster(nthreads=[1, 2])`` runs ``async def test(c, s, a, b)`` with an in-process scheduler
``s`` (validate=True), one worker per entry of ``nthreads`` and an asynchronous client ``c``::

    from shoal.distributed.testing import gen_cluster

    @gen_cluster(nthreads=[1, 1])
    async def test_sum(c, s, a, b):
        assert await c.submit(sum, [1, 2]) == 3

``inproc_cluster`` is the same as an async context manager, and the ``client`` pytest fixture (import
it into a conftest.py) gives a blocking Client on an in-process LocalCluster.  ``until`` (async) and
``until_blocking`` wait for a condition instead of sleeping a guessed time, so tests stay green on
a loaded machine.
"""

import asyncio
import contextlib
import functools
import time

from .client import Client
from .scheduler import Scheduler
from .worker import Worker


@contextlib.asynccontextmanager
async def inproc_cluster(nthreads=(1, 1), validate=True, scheduler_kwargs=None, worker_kwargs=None,
                         protocol="inproc"):
    """Yield ``(scheduler, [workers])`` running in this process."""
    async with Scheduler(protocol=protocol, validate=validate, allow_run_on_scheduler=True,
                         **(scheduler_kwargs or {})) as s:
        workers = [Worker(s.address, nthreads=n, validate=validate, name=f"w{i}", **(worker_kwargs or {}))
                   for i, n in enumerate(nthreads)]
        await asyncio.gather(*workers)
        try:
            yield s, workers
        finally:
            await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)


async def until(predicate, timeout=10, interval=0.01, what=None):
    """Wait until ``predicate()`` is true; ``TimeoutError`` naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout} s waiting for {what or _describe(predicate)}")
        await asyncio.sleep(interval)


def until_blocking(predicate, timeout=10, interval=0.01, what=None):
    """``until`` for blocking code (tests using the synchronous Client)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"Gave up after {timeout} s waiting for {what or _describe(predicate)}")
        time.sleep(interval)


def _describe(predicate):
    import inspect

    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def gen_cluster(nthreads=(1, 1), client=True, timeout=30, validate=True, scheduler_kwargs=None,
                worker_kwargs=None, protocol="inproc"):
    """Decorate ``async def test(c, s, *workers)`` (``test(s, *workers)`` with ``client=False``)."""

    def decorator(test):
        @functools.wraps(test)
        def wrapper(*args, **kwargs):
            async def run():
                async with inproc_cluster(nthreads, validate, scheduler_kwargs, worker_kwargs, protocol) as (s, ws):
                    if not client:
                        return await test(*args, s, *ws, **kwargs)
                    async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                        result = await test(*args, c, s, *ws, **kwargs)
                    if validate:
                        s.state.validate_state()
                    return result

            return asyncio.run(asyncio.wait_for(run(), timeout))

        # keep pytest from treating the wrapped test's cluster parameters as fixtures
        wrapper.__signature__ = _without_cluster_params(test, client, len(nthreads))
        return wrapper

    return decorator


def _without_cluster_params(test, client, n_workers):
    import inspect

    sig = inspect.signature(test)
    params = list(sig.parameters.values())
    drop = (1 if client else 0) + 1 + n_workers
    return sig.replace(parameters=params[: max(len(params) - drop, 0)])


def client_fixture():
    """A pytest fixture factory: ``client = client_fixture()`` in a conftest gives a blocking Client."""
    import pytest

    @pytest.fixture
    def client():
        from .deploy.local import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, validate=True) as cluster:
            with Client(cluster) as c:
                yield c

    return client
