"""The scheduler state machine driven directly by events: no sockets, validate=True throughout."""

import pytest

from shoal.distributed.errors import KilledWorker
from shoal.distributed.protocol import deserialize, serialize
from shoal.distributed.scheduler_state import SchedulerState

pytestmark = pytest.mark.timeout(60)


def new_state(**kwargs):
    state = SchedulerState(validate=True, **kwargs)
    return state


def spec(name):
    return {"literal": name}  # opaque to the scheduler: any msgpack-able value


def computes(worker_msgs):
    return {w: [m["key"] for m in msgs if m["op"] == "compute-task"] for w, msgs in worker_msgs.items()}


def finish(state, worker, key, nbytes=8):
    return state.task_finished(worker, key, nbytes=nbytes, duration=0.001, stimulus_id=f"done-{key}")


def test_linear_chain_runs_in_order_and_frees_intermediates():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    cmsgs, wmsgs = s.update_graph("c", {"x": spec("x"), "y": spec("y"), "z": spec("z")},
                                  {"y": ["x"], "z": ["y"]}, keys=["z"])
    assert computes(wmsgs) == {"w1": ["x"]}
    _, wmsgs = finish(s, "w1", "x")
    assert computes(wmsgs) == {"w1": ["y"]}
    cmsgs, wmsgs = finish(s, "w1", "y")
    assert computes(wmsgs) == {"w1": ["z"]}
    assert s.tasks["x"].state in ("released", "forgotten") or "x" not in s.tasks
    freed = [k for m in wmsgs["w1"] if m["op"] == "free-keys" for k in m["keys"]]
    assert "x" in freed
    cmsgs, wmsgs = finish(s, "w1", "z")
    assert cmsgs["c"][0]["op"] == "key-in-memory" and cmsgs["c"][0]["key"] == "z"
    s.validate_state()
    s.client_releases_keys("c", ["z"])
    assert s.tasks == {}
    s.validate_state()


def test_no_worker_then_worker_arrives():
    s = new_state()
    _, wmsgs = s.update_graph("c", {"x": spec("x"), "y": spec("y")}, {"y": ["x"]}, keys=["y"])
    assert wmsgs == {}
    assert s.tasks["x"].state == "queued"
    _, wmsgs = s.add_worker("w1", nthreads=2)
    assert computes(wmsgs) == {"w1": ["x"]}
    s.validate_state()


def test_queue_respects_priority_and_slots():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    tasks = {f"t-{i}": spec(i) for i in range(10)}
    prio = {f"t-{i}": 10 - i for i in range(10)}
    _, wmsgs = s.update_graph("c", tasks, {}, keys=list(tasks), priority=prio)
    sent = computes(wmsgs)["w1"]
    assert len(sent) == 2  # nthreads + 1 while durations are unknown
    assert sent == ["t-9", "t-8"]
    _, wmsgs = finish(s, "w1", "t-9")
    # a measured tiny duration lets the worker take a deeper queue
    assert len(computes(wmsgs)["w1"]) >= 1
    s.validate_state()


def test_placement_prefers_worker_holding_large_dependency():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.add_worker("w2", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    holder = s.tasks["x"].processing_on.address
    finish(s, holder, "x", nbytes=10**9)
    _, wmsgs = s.update_graph("c", {"y": spec("y")}, {"y": ["x"]}, keys=["y"])
    assert computes(wmsgs) == {holder: ["y"]}
    s.validate_state()


def test_worker_loss_recomputes_lost_data():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.add_worker("w2", nthreads=1)
    s.update_graph("c", {"x": spec("x"), "y": spec("y")}, {"y": ["x"]}, keys=["x", "y"])
    wx = s.tasks["x"].processing_on.address
    finish(s, wx, "x")
    wy = s.tasks["y"].processing_on.address
    other = "w2" if wx == "w1" else "w1"
    cmsgs, wmsgs = s.remove_worker(wx, stimulus_id="worker-died")
    assert s.tasks["x"].state == "processing"
    assert s.tasks["x"].processing_on.address == other
    assert {"op": "lost-data", "key": "x"} in cmsgs["c"]
    assert wy in ("w1", "w2")
    assert s.tasks["y"].state == "waiting"  # its input vanished: it waits for the recompute
    assert [h[1] for h in s.tasks["x"].history][-4:] == ["memory", "released", "waiting", "processing"]
    s.validate_state()
    finish(s, other, "x")
    finish(s, other, "y")
    assert s.tasks["y"].state == "memory"
    s.validate_state()


def test_killed_worker_after_allowed_failures():
    s = new_state(allowed_failures=1)
    for i in range(3):
        s.add_worker(f"w{i}", nthreads=1)
    s.update_graph("c", {"bad": spec("bad")}, {}, keys=["bad"])
    s.remove_worker(s.tasks["bad"].processing_on.address)
    assert s.tasks["bad"].state == "processing"
    cmsgs, _ = s.remove_worker(s.tasks["bad"].processing_on.address)
    assert s.tasks["bad"].state == "erred"
    msg = cmsgs["c"][0]
    assert msg["op"] == "task-erred"
    exc = deserialize(serialize(msg["exception"].data))
    assert isinstance(exc, KilledWorker) and "bad" in str(exc)
    s.validate_state()


def test_error_propagates_to_dependents_and_retries():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"x": spec("x"), "y": spec("y")}, {"y": ["x"]}, keys=["y"], retries={"x": 1})
    _, wmsgs = s.task_erred("w1", "x", exception="E", exception_text="boom")
    assert computes(wmsgs) == {"w1": ["x"]}  # retried once
    cmsgs, _ = s.task_erred("w1", "x", exception="E", exception_text="boom")
    assert s.tasks["x"].state == "erred" and s.tasks["y"].state == "erred"
    assert cmsgs["c"][0]["key"] == "y" and cmsgs["c"][0]["blame"] == "x"
    assert cmsgs["c"][0]["exception_text"] == "boom"
    s.validate_state()
    _, wmsgs = s.retry("c", ["y"])
    assert computes(wmsgs) == {"w1": ["x"]}
    s.validate_state()
    finish(s, "w1", "x")
    finish(s, "w1", "y")
    assert s.tasks["y"].state == "memory"
    s.client_releases_keys("c", ["y"])
    assert s.tasks == {}


def test_shared_keys_between_clients_computed_once_and_refcounted():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    _, w1 = s.update_graph("a", {"x": spec("x")}, {}, keys=["x"])
    _, w2 = s.update_graph("b", {"x": spec("x")}, {}, keys=["x"])
    assert computes(w1) == {"w1": ["x"]} and w2 == {}
    cmsgs, _ = finish(s, "w1", "x")
    assert set(cmsgs) == {"a", "b"}
    s.client_releases_keys("a", ["x"])
    assert s.tasks["x"].state == "memory"
    _, wmsgs = s.client_releases_keys("b", ["x"])
    assert "x" not in s.tasks
    assert wmsgs["w1"][0] == {"op": "free-keys", "keys": ["x"], "stimulus_id": "client-releases-keys"}
    s.validate_state()


def test_restrictions_and_resources():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"g": spec("g"), "r": spec("r")}, {}, keys=["g", "r"],
                   resources={"g": {"GPU": 1}}, restrictions={"r": ["w2"]})
    assert s.tasks["g"].state == "no-worker" and s.tasks["r"].state == "no-worker"
    _, wmsgs = s.add_worker("w2", nthreads=1, resources={"GPU": 1})
    assert sorted(computes(wmsgs)["w2"]) == ["g", "r"]
    s.validate_state()


def test_loose_restrictions_fall_back_to_any_worker():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    _, wmsgs = s.update_graph("c", {"x": spec("x")}, {}, keys=["x"], restrictions={"x": ["nope"]},
                              loose_restrictions=["x"])
    assert computes(wmsgs) == {"w1": ["x"]}


def test_user_priority_runs_first():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {f"a-{i}": spec(i) for i in range(5)}, {}, keys=[f"a-{i}" for i in range(5)])
    s.update_graph("c", {"urgent": spec("u")}, {}, keys=["urgent"], user_priority=10)
    _, wmsgs = finish(s, "w1", s.processing()["w1"][0])
    assert computes(wmsgs)["w1"][0] == "urgent"


def test_missing_dependency_is_an_error_naming_it():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    cmsgs, _ = s.update_graph("c", {"y": spec("y")}, {"y": ["gone"]}, keys=["y"])
    assert s.tasks["y"].state == "erred"
    assert "gone" in cmsgs["c"][0]["exception_text"]


def test_stimulus_ids_recorded_in_history():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"], stimulus_id="submit-123")
    finish(s, "w1", "x")
    story = s.story("x")
    assert [(a, b, sid) for a, b, sid, _ in story] == [
        ("released", "waiting", "submit-123"),
        ("waiting", "processing", "submit-123"),
        ("processing", "memory", "done-x"),
    ]


def test_big_graph_validated():
    s = new_state()
    s.add_worker("w1", nthreads=2)
    s.add_worker("w2", nthreads=2)
    n = 2000
    tasks = {f"leaf-{i}": spec(i) for i in range(n)}
    deps = {}
    level = list(tasks)
    j = 0
    while len(level) > 1:
        nxt = []
        for a, b in zip(level[::2], level[1::2]):
            k = f"sum-{j}"
            j += 1
            tasks[k] = spec(k)
            deps[k] = [a, b]
            nxt.append(k)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    _, wmsgs = s.update_graph("c", tasks, deps, keys=[level[0]])
    pending = [(w, m["key"]) for w, msgs in wmsgs.items() for m in msgs if m["op"] == "compute-task"]
    done = 0
    while pending:
        w, k = pending.pop(0)
        if s.tasks.get(k) is None or s.tasks[k].state != "processing":
            continue
        _, wmsgs = finish(s, w, k)
        done += 1
        pending += [(w2, m["key"]) for w2, msgs in wmsgs.items() for m in msgs if m["op"] == "compute-task"]
    assert s.tasks[level[0]].state == "memory"
    assert done == len(tasks)
    # intermediates keep their lineage (to recompute on loss) but no worker holds their data
    assert {ts.state for k, ts in s.tasks.items() if k != level[0]} == {"released"}
    assert sum(len(ws.has_what) for ws in s.workers.values()) == 1
    s.validate_state()
    s.client_releases_keys("c", [level[0]])
    assert s.tasks == {}


def test_work_stealing_handshake_and_race():
    s = new_state()
    s.add_worker("a", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    finish(s, "a", "x")
    tasks = {f"y-{i}": spec(i) for i in range(6)}
    s.update_graph("c", tasks, {k: ["x"] for k in tasks}, keys=list(tasks))
    assert len(s.workers["a"].processing) == 6
    s.add_worker("b", nthreads=2)
    _, wmsgs = s.balance()
    requests = [m["key"] for m in wmsgs["a"] if m["op"] == "steal-request"]
    assert len(requests) == 2
    # the first was not started on the victim: it moves; the second finished meanwhile: it stays
    _, wmsgs = s.steal_response("a", requests[0], "ready")
    assert computes(wmsgs) == {"b": [requests[0]]}
    assert s.tasks[requests[0]].processing_on.address == "b"
    finish(s, "a", requests[1])
    _, wmsgs = s.steal_response("a", requests[1], "memory")
    assert wmsgs == {} and s.tasks[requests[1]].state == "memory"
    assert s.steals == {}
    s.validate_state()


def test_worker_state_reports_dependency_nobody_else_holds():
    from shoal.distributed.worker_state import WorkerState

    w = WorkerState("w1", nthreads=1, validate=True)
    out = w.compute_task("y", {"v": b""}, who_has={"x": ["w1"]}, stimulus_id="s1")
    sent = [i[1] for i in out if i[0] == "send"]
    assert {"op": "missing-data", "key": "x", "errant_worker": "w1", "stimulus_id": "no-holder"} in sent
    assert {"op": "reschedule", "key": "y", "stimulus_id": "no-holder"} in sent
    assert "y" not in w.tasks


def test_worker_state_fetches_from_peers_and_runs_by_priority():
    from shoal.distributed.worker_state import WorkerState

    w = WorkerState("w1", nthreads=1)
    out = w.compute_task("y", {"v": b""}, priority=(0, 1, 5), who_has={"x": ["w2"]}, nbytes={"x": 8})
    assert ("gather", "w2", ["x"]) in out and w.tasks["x"].state == "flight"
    out = w.compute_task("z", {"v": b""}, priority=(0, 1, 1))
    assert out == [("execute", "z")]
    out = w.gather_done("w2", {"x": 8})
    assert ("send", {"op": "add-keys", "keys": ["x"], "stimulus_id": ""}) in out
    assert w.tasks["y"].state == "ready"  # one thread, busy with z
    out = w.task_done("z", 10, duration=0.01)
    assert ("execute", "y") in out
    assert any(i[0] == "send" and i[1]["op"] == "task-finished" and i[1]["key"] == "z" for i in out)
    out = w.task_done("y", 10)
    assert ("delete", "x") in out and "x" not in w.tasks  # input dropped once its dependents are done
    assert ("send", {"op": "release-worker-data", "keys": ["x"], "stimulus_id": ""}) in out


def test_late_replica_report_never_cancels_a_new_assignment():
    # a fetched x from b; b left and the scheduler re-assigned x to a; then a's report of the old
    # replica arrives: freeing x now would drop the compute-task a just received (a hang)
    s = new_state()
    s.add_worker("b", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    finish(s, "b", "x")
    s.add_worker("a", nthreads=1)
    _, wmsgs = s.remove_worker("b")
    assert computes(wmsgs) == {"a": ["x"]}
    _, wmsgs = s.add_keys("a", ["x"], stimulus_id="late-add-keys")
    assert not [m for m in wmsgs.get("a", []) if m["op"] == "free-keys"]
    _, wmsgs = s.add_keys("a", ["nobody-wants-this"], stimulus_id="late-add-keys")
    assert [m["keys"] for m in wmsgs["a"] if m["op"] == "free-keys"] == [["nobody-wants-this"]]
    finish(s, "a", "x")
    assert s.tasks["x"].state == "memory"
    s.validate_state()


def test_small_dependency_keeps_its_dependent_on_the_same_worker():
    # moving 8 bytes is cheap but a fetch is still a round trip: a peer that is idle is no better
    # than the holder of the data with a fraction of a millisecond of work queued
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"x": spec("x"), "busy-1": spec("b")}, {}, keys=["x", "busy-1"])
    finish(s, "w1", "x")
    s.task_finished("w1", "busy-1", nbytes=8, duration=0.0002, stimulus_id="done-busy-1")
    s.update_graph("c", {"busy-2": spec("b")}, {}, keys=["busy-2"])
    assert s.workers["w1"].occupancy == pytest.approx(0.0002)
    s.add_worker("w2", nthreads=1)
    _, wmsgs = s.update_graph("c", {"y": spec("y")}, {"y": ["x"]}, keys=["y"])
    assert computes(wmsgs) == {"w1": ["y"]}
    s.validate_state()


def test_rebalance_plan_and_moves_keep_invariants():
    from shoal.distributed.rebalance import plan_rebalance

    s = new_state()
    for w in ("w1", "w2", "w3"):
        s.add_worker(w, nthreads=1)
    keys = [f"k{i}" for i in range(6)]
    s.update_graph("c", {k: spec(k) for k in keys}, {}, keys=keys, restrictions={k: ["w1"] for k in keys})
    for i, k in enumerate(keys):
        finish(s, "w1", k, nbytes=100 * (i + 1))  # 100 .. 600 bytes, 2100 in all on w1
    moves = plan_rebalance(s)
    assert all(sender == "w1" for _k, sender, _r in moves)
    held = {"w1": 2100, "w2": 0, "w3": 0}
    for key, sender, recipient in moves:
        held[sender] -= s.tasks[key].nbytes
        held[recipient] += s.tasks[key].nbytes
    assert max(held.values()) - min(held.values()) <= 300  # from 2100 apart to within one result
    assert [m[0] for m in plan_rebalance(s, keys=["k0", "missing"])] == ["k0"]  # only the keys asked for
    _, wmsgs = s.move_replicas(moves, stimulus_id="rebalance-test")
    freed = [k for m in wmsgs["w1"] if m["op"] == "free-keys" for k in m["keys"]]
    assert sorted(freed) == sorted(k for k, _s, _r in moves)
    assert {w: s.workers[w].nbytes for w in held} == held
    assert all(len(s.tasks[k].who_has) == 1 for k in keys)
    s.validate_state()
    # a replica that a peer could not fetch is dropped; losing the last copy recomputes the key
    only = next(k for k in keys if s.tasks[k].who_has == {s.workers["w2"]})
    s.missing_data(only, "w2", stimulus_id="missing")
    assert s.tasks[only].state in ("waiting", "queued", "processing")
    s.validate_state()


def test_a_failing_transition_errs_the_task_instead_of_losing_it():
    from shoal.distributed.errors import InternalError

    s = new_state()
    s.add_worker("w1", nthreads=1)

    def broken(ts, stimulus_id):
        raise KeyError("lost track")

    s._to_ready = broken  # a bug in one transition handler
    cmsgs, _ = s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    msg = next(m for m in cmsgs["c"] if m["op"] == "task-erred")
    assert msg["key"] == "x" and "released -> waiting" in msg["exception_text"]
    assert "lost track" in msg["exception_text"]
    assert isinstance(deserialize(serialize(msg["exception"].data)), InternalError)
    assert s.tasks["x"].state == "erred"


def test_a_failing_event_handler_errs_the_processing_task():
    s = new_state()
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    cmsgs, wmsgs = s.fail_task("x", RuntimeError("bad bookkeeping"), "task-finished from w1")
    assert [m["key"] for m in cmsgs["c"] if m["op"] == "task-erred"] == ["x"]
    assert {"op": "free-keys", "keys": ["x"]}.items() <= wmsgs["w1"][0].items()
    s.validate_state()


def test_a_failing_scheduler_plugin_does_not_break_transitions():
    class Broken:
        def transition(self, key, start, finish):
            raise ValueError("plugin bug")

    s = new_state()
    s.plugins.append(Broken())
    s.add_worker("w1", nthreads=1)
    s.update_graph("c", {"x": spec("x")}, {}, keys=["x"])
    cmsgs, _ = finish(s, "w1", "x")
    assert cmsgs["c"][0]["op"] == "key-in-memory"
