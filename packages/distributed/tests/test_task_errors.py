"""Tasks that raise, and bugs in shoal's own bookkeeping, always reach the client as errors: never a hang."""

import pytest

import shoal.bag as sb
from shoal.distributed import Client
from shoal.distributed.errors import InternalError
from shoal.distributed.testing import gen_cluster

pytestmark = pytest.mark.timeout(60)


def load(i):
    return list(range(i, i + 10))


def broken_sum(part, j):
    if j % 2:
        raise TypeError(f"bad record {j}")
    return sum(part) + j


async def gather_outcomes(c, futures):
    outcomes = []
    for f in futures:
        try:
            outcomes.append(await f)
        except TypeError as e:
            outcomes.append(str(e))
    return outcomes


def expected(parts, n):
    return [sum(load(parts[j % len(parts)])) + j if j % 2 == 0 else f"bad record {j}" for j in range(n)]


@gen_cluster(nthreads=[2])
async def test_tasks_sharing_inputs_fail_on_one_worker(c, s, a):
    parts = [c.submit(load, i) for i in range(3)]
    futures = [c.submit(broken_sum, parts[j % 3], j) for j in range(12)]
    assert await gather_outcomes(c, futures) == expected(range(3), 12)
    a.state.validate_state()
    assert await c.submit(sum, [1, 2]) == 3  # the worker still works


@gen_cluster(nthreads=[1, 1])
async def test_tasks_failing_on_fetched_inputs(c, s, a, b):
    parts = [c.submit(load, i, workers=[a.address]) for i in range(3)]
    futures = [c.submit(broken_sum, parts[j % 3], j, workers=[b.address]) for j in range(12)]
    assert await gather_outcomes(c, futures) == expected(range(3), 12)
    for w in (a, b):
        w.state.validate_state()
    assert await c.submit(sum, [1, 2], workers=[b.address]) == 3


@gen_cluster(nthreads=[1])
async def test_a_bug_in_the_worker_state_fails_the_task(c, s, a):
    original = a.state._dependencies_done

    def buggy(ts, stimulus_id):
        if ts.key == "victim":
            raise KeyError("bookkeeping bug")
        return original(ts, stimulus_id)

    a.state._dependencies_done = buggy
    with pytest.raises(InternalError, match="bookkeeping bug"):
        await c.submit(sum, [1, 2], key="victim")
    assert await c.submit(sum, [3, 4], key="fine") == 7


@gen_cluster(nthreads=[1])
async def test_a_bug_in_a_worker_callback_fails_the_task(c, s, a):
    def store_fails(key, value):
        raise OSError(f"disk full storing {key}")

    a.data.__class__ = type("Broken", (type(a.data),), {"__setitem__": lambda self, k, v: store_fails(k, v)})
    with pytest.raises(InternalError, match="disk full storing"):
        await c.submit(sum, [1, 2])


def foldby_with_wrong_binop(c):
    b = sb.from_sequence(range(1000), npartitions=10).map(lambda x: {"k": x % 3, "v": x})
    with pytest.raises(TypeError):
        b.foldby("k", lambda acc, r: acc + r["v"], 0).compute()
    good = b.foldby("k", lambda acc, r: acc + r["v"], 0, lambda x, y: x + y).compute()
    assert dict(good) == {k: sum(x for x in range(1000) if x % 3 == k) for k in range(3)}


def test_foldby_with_a_failing_binop_raises_in_process():
    with Client(n_workers=2, threads_per_worker=1, processes=False) as c:
        foldby_with_wrong_binop(c)


def test_foldby_with_a_failing_binop_raises_with_worker_processes():
    with Client(n_workers=2, threads_per_worker=1, processes=True) as c:
        foldby_with_wrong_binop(c)
