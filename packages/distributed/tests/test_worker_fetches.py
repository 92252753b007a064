"""When the worker state machine starts fetches: one request per peer at a time, idle peers first."""

from shoal.distributed.worker_state import WorkerState


def gathers(out):
    return [(i[1], sorted(i[2])) for i in out if i[0] == "gather"]


def test_inputs_from_a_busy_peer_go_in_the_next_request():
    ws = WorkerState("w-here", nthreads=1, validate=True)
    assert gathers(ws.compute_task("t0", b"s", who_has={"a0": ["peer"]}, nbytes={"a0": 8})) == [("peer", ["a0"])]
    for i in range(1, 50):  # the peer is busy sending a0: these wait, and validation checks they may
        assert gathers(ws.compute_task(f"t{i}", b"s", who_has={f"a{i}": ["peer"]}, nbytes={f"a{i}": 8})) == []
    out = ws.gather_done("peer", {"a0": 8})
    assert gathers(out) == [("peer", sorted(f"a{i}" for i in range(1, 50)))]  # all in one request
    assert ("execute", "t0") in out


def test_an_input_another_idle_peer_holds_is_fetched_from_it_at_once():
    ws = WorkerState("w-here", nthreads=1, validate=True)
    ws.compute_task("t0", b"s", who_has={"a0": ["p1"]}, nbytes={"a0": 8})
    out = ws.compute_task("t1", b"s", who_has={"a1": ["p1", "p2"]}, nbytes={"a1": 8})
    assert gathers(out) == [("p2", ["a1"])]


def test_a_new_holder_of_a_waiting_input_starts_its_fetch():
    ws = WorkerState("w-here", nthreads=1, validate=True)
    ws.compute_task("t0", b"s", who_has={"a0": ["p1"]}, nbytes={"a0": 8})
    assert gathers(ws.compute_task("t1", b"s", who_has={"a1": ["p1"]}, nbytes={"a1": 8})) == []
    out = ws.compute_task("t2", b"s", who_has={"a1": ["p3"]}, nbytes={"a1": 8})  # a1 now also on p3
    assert gathers(out) == [("p3", ["a1"])]


def test_at_most_max_concurrent_fetches_then_the_rest_when_one_ends():
    ws = WorkerState("w-here", nthreads=1, validate=True, max_concurrent_fetches=2)
    out = []
    for i in range(4):
        out += ws.compute_task(f"t{i}", b"s", who_has={f"a{i}": [f"p{i}"]}, nbytes={f"a{i}": 8})
    first = gathers(out)
    assert len(first) == 2 and len(ws.in_flight) == 2
    done_peer, [done_key] = first[0]
    later = gathers(ws.gather_done(done_peer, {done_key: 8}))
    assert len(later) == 1 and later[0] not in first
