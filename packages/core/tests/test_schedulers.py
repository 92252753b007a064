"""Choosing a local scheduler, worker counts, callbacks, errors with tracebacks, Ctrl-C."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import traceback
from operator import add

import pytest

import shoal
from shoal.base import get_scheduler
from shoal.callbacks import Callback
from shoal.local import RemoteTraceback, get_sync
from shoal.multiprocessing import get as get_processes
from shoal.threaded import get as get_threads


def inc(x):
    return x + 1


def fail(x):
    raise ValueError(f"bad value {x}")


def thread_name(_):
    time.sleep(0.05)
    return threading.current_thread().name


def test_scheduler_by_name_config_and_function():
    assert get_scheduler("sync") is get_sync
    assert get_scheduler("threads") is get_threads
    assert get_scheduler("processes") is get_processes
    with shoal.config.set(scheduler="sync"):
        assert get_scheduler() is get_sync
    assert get_scheduler() is get_threads
    assert get_scheduler(get_sync) is get_sync
    with pytest.raises(ValueError, match="unknown scheduler 'bogus'"):
        get_scheduler("bogus")


def test_shoal_get_runs_a_plain_graph_synchronously():
    graph = {"x": 1, "y": (add, "x", 10)}
    assert shoal.get is get_sync
    assert shoal.get(graph, "y") == 11
    assert shoal.get(graph, ["x", "y"]) == [1, 11]


def test_callback_is_importable_from_diagnostics():
    from shoal.diagnostics import Callback as DiagnosticsCallback

    assert DiagnosticsCallback is Callback


def test_compute_scheduler_keyword_runs_where_asked():
    d = [shoal.delayed(thread_name)(i) for i in range(4)]
    names = shoal.compute(*d, scheduler="sync")
    assert set(names) == {threading.current_thread().name}
    names = shoal.compute(*d, scheduler="threads", num_workers=4)
    assert len(set(names)) > 1
    pids = shoal.compute(*[shoal.delayed(os.getpid, pure=False)() for _ in range(6)], scheduler="processes")
    assert os.getpid() not in pids


def test_num_workers_limits_parallelism():
    running, peak, lock = [0], [0], threading.Lock()

    def work(i):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return i

    dsk = {("w", i): (work, i) for i in range(20)}
    assert get_threads(dsk, list(dsk), num_workers=3) == list(range(20))
    assert 1 < peak[0] <= 3


def test_executor_as_scheduler():
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        assert shoal.delayed(inc)(1).compute(scheduler=pool) == 2


def test_callbacks_see_every_task_in_order():
    events = []
    cb = Callback(
        start=lambda dsk: events.append("start"),
        pretask=lambda key, dsk, state: events.append(("pre", key)),
        posttask=lambda key, result, dsk, state, worker_id: events.append(("post", key, result)),
        finish=lambda dsk, state, errored: events.append(("finish", errored)),
    )
    dsk = {"x": 1, "y": (inc, "x")}
    for get in (get_sync, get_threads):
        events.clear()
        with cb:
            assert get(dsk, "y") == 2
        assert events[0] == "start" and events[-1] == ("finish", False)
        assert events.index(("post", "x", 1)) < events.index(("pre", "y"))
    events.clear()
    get_sync(dsk, "y")  # not active any more
    assert events == []
    assert get_sync(dsk, "y", callbacks=[cb]) == 2 and events[-1] == ("finish", False)


@pytest.mark.parametrize("get", [get_sync, get_threads], ids=["sync", "threads"])
def test_task_error_is_reraised_with_its_traceback(get):
    dsk = {"x": 1, "bad": (fail, "x"), "after": (inc, "bad")}
    with pytest.raises(ValueError, match="bad value 1") as info:
        get(dsk, "after")
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "fail" in frames
    assert any("'bad'" in n for n in getattr(info.value, "__notes__", []))


def test_process_error_carries_remote_traceback():
    with pytest.raises(ValueError, match="bad value 3") as info:
        get_processes({"x": 3, "bad": (fail, "x")}, "bad")
    cause = info.value.__cause__
    assert isinstance(cause, RemoteTraceback)
    assert "in fail" in str(cause) and "bad value 3" in str(cause)


def test_error_callbacks_finish_with_errored_flag():
    seen = []
    with Callback(finish=lambda dsk, state, errored: seen.append(errored)):
        with pytest.raises(ValueError):
            get_threads({"bad": (fail, 0)}, "bad")
    assert seen == [True]


def test_nested_compute_inside_a_task_does_not_deadlock():
    def outer(i):
        return shoal.delayed(inc)(i).compute() * 10

    parts = [shoal.delayed(outer)(i) for i in range(8)]
    assert shoal.compute(*parts, num_workers=2) == tuple((i + 1) * 10 for i in range(8))


@pytest.mark.parametrize("scheduler", ["threads", "processes"])
def test_ctrl_c_stops_the_computation(tmp_path, scheduler):
    script = tmp_path / "interrupt.py"
    script.write_text(textwrap.dedent(f"""
        import time, shoal
        def slow(i):
            time.sleep(0.2)
            return i
        if __name__ == "__main__":
            parts = [shoal.delayed(slow)(i) for i in range(200)]
            print("started", flush=True)
            try:
                shoal.compute(*parts, scheduler={scheduler!r}, num_workers=2)
            except KeyboardInterrupt:
                print("interrupted", flush=True)
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(1.0 if scheduler == "processes" else 0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert "interrupted" in out
    assert proc.returncode == 0
    assert time.monotonic() - start < 10  # 200 tasks x 0.2 s would take 20 s


def test_two_nested_computes_in_one_task():
    def outer(i):
        a = shoal.delayed(inc)(i).compute()
        b = shoal.delayed(inc)(a).compute()
        return b

    assert shoal.compute(*[shoal.delayed(outer)(i) for i in range(6)], num_workers=2) == tuple(
        i + 2 for i in range(6))


def test_high_level_graph_runs_directly():
    from shoal.highlevelgraph import HighLevelGraph

    g = HighLevelGraph({"a": {"x": 1}, "b": {"y": (inc, "x")}}, {"b": {"a"}})
    assert get_threads(g, "y") == 2 and get_sync(g, ["x", "y"]) == [1, 2]
