"""The Bokeh pages built directly on a scheduler holding a big graph (no sockets): they build, show the
navigation bar, draw what the state holds, refresh cheaply, and a failing refresh never raises."""

import logging
import time

import pytest

pytest.importorskip("bokeh")

from bokeh.document import Document  # noqa: E402
from bokeh.models import ColumnDataSource, DataTable, Div  # noqa: E402

from shoal.distributed import Scheduler  # noqa: E402
from shoal.distributed.dashboard.bokeh_app import ALIASES, PAGES  # noqa: E402
from shoal.distributed.dashboard.graph_layout import NODE_LIMIT, layered_layout  # noqa: E402
from shoal.distributed.dashboard.live_data import LiveData  # noqa: E402
from shoal.distributed.dashboard.page import safe  # noqa: E402

N_LOADS = 50_000


def full_scan(state):
    counts = {}
    for ts in state.tasks.values():
        counts[ts.prefix, ts.state] = counts.get((ts.prefix, ts.state), 0) + 1
    return counts


def build_big_state(s, data):
    """100,000 tasks: 50,000 loads, 25,000 pairwise adds, 25,000 squares; some run, some done."""
    st = s.state
    for i in range(4):
        st.add_worker(f"tcp://10.0.0.{i}:1234", nthreads=4, memory_limit=2**32, name=f"w{i}")
    data.counts  # attached before the graph arrives: it follows every transition from here
    tasks = {f"load-{i}": b"" for i in range(N_LOADS)}
    deps = {}
    for i in range(N_LOADS // 2):
        tasks[f"add-{i}"] = b""
        deps[f"add-{i}"] = [f"load-{2 * i}", f"load-{2 * i + 1}"]
        tasks[f"square-{i}"] = b""
        deps[f"square-{i}"] = [f"add-{i}"]
    _, worker_msgs = st.update_graph("client", tasks, deps, keys=[f"square-{i}" for i in range(N_LOADS // 2)])
    for worker, msgs in worker_msgs.items():  # the first tasks sent out finish, with a task stream entry
        for msg in msgs[:200]:
            if msg.get("op") == "compute-task":
                now = time.time()
                st.task_finished(worker, msg["key"], nbytes=100, duration=0.01)
                s.task_stream.record(worker, {"key": msg["key"], "thread": 1, "startstops": [
                    {"action": "compute", "start": now - 0.01, "stop": now}]}, "OK")
    return st


@pytest.fixture(scope="module")
def big():
    s = Scheduler(dashboard_address=None, validate=False)
    data = LiveData(s)
    st = build_big_state(s, data)
    yield s, data, st
    data.close()


def page_doc(data, path):
    doc = Document()
    PAGES[path](data, doc)
    (callback,) = doc.session_callbacks
    return doc, callback.callback


def test_incremental_counts_match_a_full_scan(big):
    s, data, st = big
    assert len(st.tasks) == 100_000
    expected = full_scan(st)
    got = {(p, state): n for p, by_state in data.counts.by_prefix.items() for state, n in by_state.items() if n}
    assert got == expected
    assert expected["load", "memory"] > 0 and expected["load", "processing"] > 0
    by_state = data.counts.by_state()
    assert by_state["memory"] == sum(n for (_, state), n in expected.items() if state == "memory")
    assert sum(by_state.values()) == 100_000


@pytest.mark.parametrize("path", sorted(set(PAGES) - set(ALIASES)))
def test_each_page_builds_and_one_refresh_stays_cheap_with_100k_tasks(big, path):
    s, data, st = big
    doc, update = page_doc(data, path)
    assert doc.roots
    navigation = [m for m in doc.models if isinstance(m, Div) and 'href="/workers"' in m.text]
    assert bool(navigation) == (not path.startswith("/individual-"))
    update()  # the first refresh may lay out the graph or stream the first tasks
    times = []
    for _ in range(3):
        start = time.perf_counter()
        update()
        times.append(time.perf_counter() - start)
    assert min(times) < 0.05, f"{path}: a refresh took {min(times) * 1000:.1f} ms with 100,000 tasks"


def test_status_page_shows_counts_progress_workers_and_stream(big):
    s, data, st = big
    doc, update = page_doc(data, "/status")
    sources = [m for m in doc.models if isinstance(m, ColumnDataSource)]
    by_column = {frozenset(src.data): src for src in sources}
    states = next(src for cols, src in by_column.items() if "state" in cols and "count" in cols)
    scan = full_scan(st)
    memory = sum(n for (_, state), n in scan.items() if state == "memory")
    assert dict(zip(states.data["state"], states.data["count"]))["memory"] == memory
    progress = next(src for cols, src in by_column.items() if "prefix" in cols and "label" in cols)
    assert set(progress.data["prefix"]) == {"load", "add", "square"}
    row = progress.data["prefix"].index("load")
    assert progress.data["memory"][row] == pytest.approx(scan["load", "memory"] / N_LOADS)
    assert progress.data["duration"][row] == "10.0 ms"  # every load finished in 0.01 s
    assert progress.data["duration"][progress.data["prefix"].index("square")] == "not known yet"
    workers = next(src for cols, src in by_column.items() if "worker" in cols and "memory_mb" in cols)
    assert sorted(workers.data["worker"]) == sorted(st.workers)
    processing = dict(zip(workers.data["worker"], workers.data["processing"]))
    assert processing == {w: len(ws.processing) for w, ws in st.workers.items()}
    stream = next(src for cols, src in by_column.items() if "key" in cols and "row" in cols)
    assert len(stream.data["key"]) == len(s.task_stream.entries)


def test_workers_page_table_has_a_row_per_worker(big):
    s, data, st = big
    doc, update = page_doc(data, "/workers")
    (table,) = [m for m in doc.models if isinstance(m, DataTable)]
    cols = table.source.data
    assert sorted(cols["address"]) == sorted(st.workers)
    assert cols["nthreads"] == [4] * 4
    assert all(text.endswith("/ 4.00 GiB") for text in cols["memory_text"])
    assert sum(cols["processing"]) == sum(len(ws.processing) for ws in st.workers.values())


def test_graph_page_draws_at_most_the_limit_and_says_so(big):
    s, data, st = big
    doc, update = page_doc(data, "/graph")
    update()
    nodes = next(m for m in doc.models if isinstance(m, ColumnDataSource) and "state" in m.data)
    assert len(nodes.data["key"]) == NODE_LIMIT
    note = next(m for m in doc.models if isinstance(m, Div) and "tasks" in m.text and "href" not in m.text)
    assert "100,000" in note.text and "5,000" in note.text
    assert nodes.data["state"] == [st.tasks[k].state for k in nodes.data["key"]]


def test_layered_layout_puts_each_task_right_of_its_dependencies():
    s = Scheduler(dashboard_address=None, validate=False)
    tasks = {"a": b"", "b": b"", "c": b"", "d": b""}
    s.state.update_graph("client", tasks, {"c": ["a", "b"], "d": ["c", "a"]}, keys=["d"])
    nodes, edges, total = layered_layout(s.state.tasks)
    x = {n["key"]: n["x"] for n in nodes}
    assert x == {"a": 0, "b": 0, "c": 1, "d": 2} and total == 4
    keys = [n["key"] for n in nodes]
    assert sorted((keys[a], keys[b]) for a, b in edges) == [("a", "c"), ("a", "d"), ("b", "c"), ("c", "d")]
    nodes, edges, total = layered_layout(s.state.tasks, limit=2)
    assert len(nodes) == 2 and total == 4 and all(a < 2 and b < 2 for a, b in edges)


def test_a_failing_refresh_is_logged_and_never_raises(caplog):
    calls = []

    def broken():
        calls.append(1)
        raise KeyError("gone")

    update = safe(broken, "/status")
    with caplog.at_level(logging.ERROR, logger="shoal.distributed.dashboard"):
        update()
        update()
    assert len(calls) == 2
    assert len([r for r in caplog.records if "/status" in r.getMessage()]) == 1  # logged once, not every time


def test_a_broken_plot_does_not_stop_the_rest_of_its_page(caplog):
    s = Scheduler(dashboard_address=None, validate=False)
    data = LiveData(s)
    try:
        s.state.add_worker("tcp://10.0.0.9:1", nthreads=1, name="w")
        s.state.worker_metrics("tcp://10.0.0.9:1", {"memory": "a lot"})  # not a number: the memory bars fail
        with caplog.at_level(logging.ERROR, logger="shoal.distributed.dashboard"):
            doc, update = page_doc(data, "/status")
            s.state.update_graph("client", {"x": b"", "y": b""}, {"y": ["x"]}, keys=["y"])
            now = time.time()
            s.task_stream.record("tcp://10.0.0.9:1", {"key": "z", "thread": 1, "startstops": [
                {"action": "compute", "start": now - 1, "stop": now}]}, "OK")
            update()
        counts = next(m for m in doc.models if isinstance(m, ColumnDataSource) and "count" in m.data)
        assert dict(zip(counts.data["state"], counts.data["count"]))["processing"] == 1
        stream = next(m for m in doc.models if isinstance(m, ColumnDataSource) and "action" in m.data)
        assert stream.data["key"] == ["z"]  # drawn after the memory bars, which failed
        assert any("/status" in r.getMessage() for r in caplog.records)
    finally:
        data.close()


def test_system_monitor_samples_the_process_at_most_every_interval():
    from shoal.distributed.dashboard.system_monitor import SystemMonitor

    monitor = SystemMonitor(interval=0.05)
    time.sleep(0.06)
    assert monitor.update() and not monitor.update()  # the second call comes too soon
    time.sleep(0.06)
    assert monitor.update()
    cols = monitor.columns()
    assert len(cols["time"]) == 2 and cols["time"][0] < cols["time"][1]
    assert all(m > 10 * 2**20 for m in cols["memory"])  # a Python process with bokeh loaded
    assert all(v >= 0 for v in cols["cpu"] + cols["read_bps"] + cols["write_bps"])


def test_counts_stay_equal_to_a_full_scan_through_a_whole_lifecycle():
    s = Scheduler(dashboard_address=None, validate=True)
    data = LiveData(s)
    st = s.state
    try:
        for i in range(2):
            st.add_worker(f"tcp://10.0.0.{i}:1", nthreads=2)
        counts = data.counts

        def check():
            got = {(p, state): n for p, c in counts.by_prefix.items() for state, n in c.items() if n}
            scan = full_scan(st)
            assert {k: n for k, n in got.items() if k[1] != "released"} == \
                {k: n for k, n in scan.items() if k[1] != "released"}
            assert counts.by_state()["released"] == sum(n for (_, state), n in scan.items() if state == "released")

        tasks = {**{f"a-{i}": b"" for i in range(10)}, **{f"b-{i}": b"" for i in range(5)}}
        deps = {f"b-{i}": [f"a-{2 * i}", f"a-{2 * i + 1}"] for i in range(5)}
        _, worker_msgs = st.update_graph("c1", tasks, deps, keys=[f"b-{i}" for i in range(5)])
        check()
        sent = [(w, m["key"]) for w, msgs in worker_msgs.items() for m in msgs if m.get("op") == "compute-task"]
        for worker, key in sent[:3]:
            st.task_finished(worker, key, nbytes=8)
            check()
        worker, key = sent[3]
        st.task_erred(worker, key, exception_text="boom")
        check()
        assert counts.by_state()["erred"] >= 1
        st.remove_worker("tcp://10.0.0.0:1")  # its tasks go back to waiting or run elsewhere
        check()
        version = counts.graph_version
        st.client_releases_keys("c1", [f"b-{i}" for i in range(5)])  # everything is forgotten
        check()
        assert not st.tasks and counts.by_prefix == {} and counts.graph_version > version
        assert sum(counts.by_state().values()) == 0
    finally:
        data.close()


def test_memory_bars_stack_managed_unmanaged_and_spilled_bytes():
    from shoal.distributed.dashboard.worker_plots import memory_columns

    mib = 2**20
    row = {"address": "tcp://a:1", "memory": 100 * mib, "managed": 30 * mib, "spilled": 10 * mib,
           "memory_limit": 1024 * mib}
    cols = memory_columns([row, {**row, "address": "tcp://b:1", "managed": 500 * mib, "memory_limit": 0}])
    assert cols["worker"] == ["tcp://a:1", "tcp://b:1"]
    assert (cols["managed_left"][0], cols["managed"][0]) == (0, 30)
    assert (cols["unmanaged_left"][0], cols["unmanaged"][0]) == (30, 100)
    assert (cols["spilled_left"][0], cols["spilled"][0]) == (100, 110)
    assert cols["limit"] == [1024, 0]
    # a heartbeat can report more managed bytes than the process size: never a negative segment
    assert cols["managed"][1] == 100 and cols["unmanaged"][1] == 100
    assert "100.00 MiB / no limit" in cols["text"][1]
