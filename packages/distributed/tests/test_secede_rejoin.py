"""secede()/rejoin() go through WorkerState events, checked with validate=True."""

import threading

from shoal.distributed import get_client, rejoin, secede
from shoal.distributed.testing import gen_cluster, until
from shoal.distributed.worker_state import WorkerState


def _compute(state, key, resources=None):
    return state.compute_task(key, {"v": b""}, priority=(0,), resource_restrictions=resources,
                              stimulus_id=f"compute-{key}")


def test_secede_then_rejoin_moves_the_task_between_running_sets():
    state = WorkerState("tcp://w:1", nthreads=1, resources={"GPU": 1}, validate=True)
    assert _compute(state, "a", {"GPU": 1}) == [("execute", "a")]
    assert _compute(state, "b", {"GPU": 1}) == []  # no thread and no GPU free
    ts = state.tasks["a"]

    out = state.secede("a")
    assert out == [("send", {"op": "long-running", "key": "a", "stimulus_id": "secede"}), ("execute", "b")]
    assert ts in state.long_running and ts not in state.executing
    assert state.available_resources == {"GPU": 0}  # the GPU went to b

    assert state.rejoin("a") == []
    assert ts in state.executing and ts not in state.long_running
    assert state.available_resources == {"GPU": -1}  # briefly oversubscribed, as documented
    assert state.rejoin("a") == []  # a second rejoin changes nothing
    assert state.available_resources == {"GPU": -1}

    state.task_done("b", 8, stimulus_id="b-done")
    state.task_done("a", 8, stimulus_id="a-done")
    assert state.available_resources == {"GPU": 1}
    assert not state.executing and not state.long_running
    state.validate_state()


def test_rejoin_of_an_unknown_or_running_task_is_a_no_op():
    state = WorkerState("tcp://w:1", nthreads=2, validate=True)
    assert state.rejoin("nope") == []
    _compute(state, "a")
    assert state.rejoin("a") == []  # never seceded
    assert [ts.key for ts in state.executing] == ["a"]


def test_validation_catches_resources_out_of_step():
    state = WorkerState("tcp://w:1", nthreads=1, resources={"GPU": 2}, validate=True)
    _compute(state, "a", {"GPU": 1})
    state.available_resources["GPU"] = 2  # what an update outside the events would do
    try:
        state.validate_state()
    except AssertionError as e:
        assert "GPU" in str(e)
    else:
        raise AssertionError("validate_state missed the resource mismatch")


def _secede_wait_rejoin(x):
    secede()
    value = get_client().submit(_needs_gpu, x, resources={"GPU": 1}, pure=False).result()
    rejoin()
    return value, threading.get_ident()


def _needs_gpu(x):
    return x + 1


@gen_cluster(nthreads=[1], validate=True, worker_kwargs={"resources": {"GPU": 1}}, timeout=60)
async def test_seceded_task_frees_its_resources_and_takes_them_back(c, s, a):
    assert a.validate and s.state.validate
    # each outer task holds the only GPU; its inner task can only run because secede gave it back
    futures = c.map(_secede_wait_rejoin, range(4), resources={"GPU": 1}, pure=False)
    results = await c.gather(futures)
    assert [value for value, _ in results] == [1, 2, 3, 4]
    await until(lambda: not a.state.executing and not a.state.long_running)
    assert a.state.available_resources == {"GPU": 1}
    a.state.validate_state()
