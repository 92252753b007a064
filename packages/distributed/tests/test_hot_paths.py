"""The per-task fast paths give the same answers as the general ones they short-cut."""

import asyncio
import gc
import pickle

import pytest

import shoal.config
from shoal.utils import key_split
from shoal.distributed import Scheduler, Worker
from shoal.distributed.testing import gen_cluster
from shoal.distributed.scheduler_state import key_prefix
from shoal.distributed.taskspec import dumps_task, run_task

KEYS = [
    "map-inc-123", "inc-3f2a9b8c7d6e5f4a0b1c2d3e4f5a6b7c", "x-y-12", "a-5", "-5", "5", "", "abc", "abc-",
    "abc-DEADBEEF12", "ab-12-cd-34", "a--1", "1-2-3", "inc-1f3a9b8c", "inc-1f3a9b8", "x-\u00b2", "x-\u0663",
    ("sum-aggregate-3f2a9b8c7d6e5f4a", 1), ("x", 2, 3), ("a-1",), (), (1, 2), b"bytes-1", 12, 1.5, None,
]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_key_prefix_is_key_split(key):
    assert key_prefix(key) == key_split(key)
    assert key_prefix(key) == key_split(key)  # again, from the cache


def test_key_prefix_of_many_keys_of_one_map():
    assert {key_prefix(f"map-inc-{i}") for i in range(1000)} == {"map-inc"}
    assert {key_prefix(("getitem-0123456789abcdef", i)) for i in range(100)} == {"getitem"}


def add(*args):
    return args


@pytest.mark.parametrize("args", [
    (1, 2.5, "a", b"b", None, True, 3j),  # plain: the fast path
    ([1, 2], {"a": 1}),  # containers: cloudpickle
    (lambda x: x,),  # only cloudpickle can
])
def test_run_specs_round_trip_whichever_pickler(args):
    spec = dumps_task("k", (add, *args))
    out = run_task(spec, {}, ())
    assert len(out) == len(args)
    for got, expected in zip(out, args):
        if callable(expected):
            assert got(7) == 7
        else:
            assert got == expected and type(got) is type(expected)


def test_plain_arguments_pickle_as_plain_pickle_reads_them():
    spec = dumps_task("k", (add, 1, "x"))
    assert pickle.loads(spec["a"]) == (1, "x")


def test_gc_full_collections_are_rarer_while_servers_run_and_restored_after():
    before = gc.get_threshold()

    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None) as s:
            assert gc.get_threshold()[2] == max(before[2], 100)
            async with Worker(s.address, nthreads=1):
                assert gc.get_threshold()[2] == max(before[2], 100)
            assert gc.get_threshold()[2] == max(before[2], 100)  # the scheduler still runs
        assert gc.get_threshold() == before

    asyncio.run(main())
    assert gc.get_threshold() == before


def test_gc_setting_left_alone_when_configured_off():
    before = gc.get_threshold()

    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None):
            assert gc.get_threshold() == before

    with shoal.config.set({"distributed.admin.gc-full-collection-interval": None}):
        asyncio.run(main())


def inc(x):
    return x + 1


@gen_cluster(nthreads=[1, 1])
async def test_map_sends_its_tasks_in_batches(c, s, a, b):
    before = s.state.generation
    futures = c.map(inc, range(20), batch_size=7)
    assert await c.gather(futures) == list(range(1, 21))
    assert s.state.generation - before == 3  # 7 + 7 + 6 tasks
    assert await c.gather(c.map(inc, range(2500))) == list(range(1, 2501))
    assert s.state.generation - before == 6  # batches of 1000 by default
    with pytest.raises(ValueError, match="batch_size=0"):
        c.map(inc, range(3), batch_size=0)
