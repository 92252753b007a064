"""Actors: stateful objects on one worker, called through proxies from the client and from tasks."""

import asyncio

import pytest

from shoal.distributed import Actor, ActorFuture
from shoal.distributed.testing import gen_cluster

pytestmark = pytest.mark.timeout(60)


class Counter:
    def __init__(self, start=0):
        self.n = start

    def increment(self, by=1):
        self.n += by
        return self.n

    def fail(self):
        raise KeyError("no such thing")

    async def slow_add(self, by):
        await asyncio.sleep(0.01)
        self.n += by
        return self.n

    def where(self):
        from shoal.distributed import get_worker

        return get_worker().address


def bump_many(counter, times):
    return [counter.increment().result() for _ in range(times)][-1]


def test_actor_methods_run_on_its_worker_and_keep_state(client):
    workers = sorted(client.ncores())
    future = client.submit(Counter, 10, actor=True, workers=[workers[1]])
    counter = future.result()
    assert isinstance(counter, Actor) and "Counter" in repr(counter)
    call = counter.increment()
    assert isinstance(call, ActorFuture)
    assert call.result() == 11
    assert [counter.increment(2).result() for _ in range(3)] == [13, 15, 17]
    assert counter.n == 17  # attributes are read on the worker
    assert counter.where().result() == workers[1]
    assert counter.slow_add(3).result() == 20
    with pytest.raises(KeyError, match="no such thing"):
        counter.fail().result()
    assert counter.increment(0).result() == 20  # an error leaves the actor alive


def test_actor_passed_to_tasks_on_any_worker(client):
    a, b = sorted(client.ncores())
    future = client.submit(Counter, actor=True, workers=[a])
    # tasks on both workers call the same object: every increment is counted once
    results = client.gather([client.submit(bump_many, future, 5, workers=[w], pure=False) for w in (a, b)])
    assert max(results) == 10
    assert future.result().n == 10


def test_proxy_alone_keeps_the_actor_alive_and_travels_into_tasks(client):
    import gc

    counter = client.submit(Counter, 1, actor=True).result()  # the future itself is dropped at once
    gc.collect()
    assert client.submit(bump_many, counter, 3, pure=False).result() == 4  # the proxy, passed directly
    assert counter.increment().result() == 5


def test_two_actors_are_separate_and_released(client):
    f1 = client.submit(Counter, actor=True)
    f2 = client.submit(Counter, actor=True)
    assert f1.key != f2.key and f1.key.startswith("Counter-")
    c1, c2 = f1.result(), f2.result()
    c1.increment(5).result()
    assert (c1.n, c2.n) == (5, 0)
    worker = client.who_has([f1])[f1.key][0]
    key = f1.key
    del f1, c1

    def holds(key, dask_worker):
        return key in dask_worker.actors

    import time

    deadline = time.time() + 10
    while client.run(holds, key, workers=[worker])[worker] and time.time() < deadline:
        time.sleep(0.02)
    assert not client.run(holds, key, workers=[worker])[worker]


@gen_cluster(nthreads=[1])
async def test_actor_with_async_client(c, s, a):
    counter = await c.submit(Counter, 1, actor=True)
    assert await counter.increment(4) == 5
    assert await counter.n == 5
