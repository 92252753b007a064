"""The worker state machine driven directly by events: no sockets, validate=True throughout."""

import pytest

from shoal.distributed.worker_state import WorkerState


def make_state(nthreads=2):
    return WorkerState("w-here", nthreads=nthreads, validate=True)


def sent(out, op):
    return [i[1] for i in out if i[0] == "send" and i[1]["op"] == op]


def fetch_and_start(ws, keys, dep="a"):
    """Tasks ``keys`` that all need ``dep`` from a peer: fetch it, start them."""
    out = []
    for key in keys:
        out += ws.compute_task(key, b"spec", who_has={dep: ["w-peer"]}, nbytes={dep: 8})
    assert ("gather", "w-peer", [dep]) in out
    return ws.gather_done("w-peer", {dep: 8})


@pytest.mark.parametrize("nthreads", [1, 2])
def test_tasks_failing_on_a_shared_fetched_dependency(nthreads):
    ws = make_state(nthreads)
    fetch_and_start(ws, ["x", "y", "z"])
    errors = []
    while ws.executing:
        key = min(ts.key for ts in ws.executing)
        out = ws.task_failed(key, {"exception": "boom"})
        errors += sent(out, "task-erred")
    assert sorted(m["key"] for m in errors) == ["x", "y", "z"]
    assert ws.tasks == {}  # the fetched input went with its last dependent


def test_a_task_finishing_and_another_failing_on_the_same_inputs():
    ws = make_state(2)
    fetch_and_start(ws, ["x", "y"])
    out = ws.task_done("x", 8)
    assert [m["key"] for m in sent(out, "task-finished")] == ["x"]
    out = ws.task_failed("y", {"exception": "boom"})
    assert [m["key"] for m in sent(out, "task-erred")] == ["y"]
    assert set(ws.tasks) == {"x"}
    assert sent(out, "release-worker-data") == [{"op": "release-worker-data", "keys": ["a"], "stimulus_id": ""}]


def test_a_task_failing_on_inputs_computed_here():
    ws = make_state(1)
    ws.compute_task("a", b"spec")
    ws.task_done("a", 8)
    ws.compute_task("x", b"spec", who_has={"a": ["w-here"]})
    ws.compute_task("y", b"spec", who_has={"a": ["w-here"]})
    ws.free_keys(["a"])  # the scheduler no longer wants it, but x and y still need it
    assert ws.tasks["a"].state == "memory"
    for key in ("x", "y"):
        ws.task_failed(key, {"exception": "boom"})
    assert ws.tasks == {}


def test_freed_while_executing_then_failing():
    ws = make_state(1)
    fetch_and_start(ws, ["x"])
    out = ws.free_keys(["x"])
    assert ("delete", "x") in out and ws.tasks == {}
    assert ws.task_failed("x", {"exception": "boom"}) == []


def test_steal_of_a_waiting_task_releases_its_fetch():
    ws = make_state(1)
    ws.compute_task("x", b"spec", who_has={"a": ["w-peer"]})
    out = ws.steal_request("x")
    assert sent(out, "steal-response")[0]["state"] == "waiting"
    assert ws.tasks == {}
    assert ws.in_flight == {"w-peer": set()}  # the worker does not store a key no task waits for
    assert ws.gather_done("w-peer", {}) == []


def test_a_dependency_that_erred_here_is_fetched_when_needed_again():
    ws = make_state(1)
    ws.compute_task("a", b"spec")
    ws.compute_task("b", b"spec", who_has={"a": ["w-here"]})
    ws.task_failed("a", {"exception": "flaky"})  # kept: b still waits on it
    assert ws.tasks["a"].state == "error"
    # a retry succeeded on a peer: b's input is fetched from there
    out = ws.compute_task("c", b"spec", who_has={"a": ["w-peer"]})
    assert ("gather", "w-peer", ["a"]) in out


def test_validate_names_the_broken_task():
    ws = make_state(1)
    ws.compute_task("x", b"spec", who_has={"a": ["w-peer"]})
    del ws.tasks["a"]  # corrupt the state as a bug would
    with pytest.raises(AssertionError, match="'a'"):
        ws.validate_state()


def test_an_internal_error_reports_the_task_as_erred():
    ws = make_state(1)
    ws.compute_task("x", b"spec")
    ws.tasks["x"].dependencies.add(None)  # corrupt the state: the next event on x blows up
    out = ws.task_done("x", 8)
    [msg] = sent(out, "task-erred")
    assert msg["key"] == "x" and "internal error" in msg["exception_text"]
    assert "x" not in ws.tasks


def test_a_failed_fetch_gives_every_waiting_dependent_back():
    ws = make_state(1)
    for key in ("x", "y"):
        ws.compute_task(key, b"spec", who_has={"a": ["w-peer"]})
    out = ws.gather_failed("w-peer")
    assert sorted(m["key"] for m in sent(out, "reschedule")) == ["x", "y"]
    assert ws.tasks == {} and ws.in_flight == {}
