"""Task stream, performance reports, worker logs, events, forwarded task output and Pub/Sub."""

import re
import sys
import time

import pytest

from shoal.distributed import Pub, Sub, get_task_stream, performance_report
from shoal.distributed.testing import gen_cluster, until, until_blocking

pytestmark = pytest.mark.timeout(60)


def inc(x):
    return x + 1


def slow_inc(x, delay=0.05):
    time.sleep(delay)
    return x + 1


def boom(x):
    raise ValueError(f"no {x}")


def chatty(x):
    print(f"hello from task {x}")
    print("to stderr", x, file=sys.stderr)
    return x


def test_task_stream_records_every_task(client):
    workers = set(client.ncores())
    before = time.time()
    with get_task_stream() as ts:
        assert client.gather(client.map(slow_inc, range(6))) == list(range(1, 7))
        with pytest.raises(ValueError):
            client.submit(boom, 1).result()
    after = time.time()
    assert len(ts.data) == 7
    assert {r["status"] for r in ts.data} == {"OK", "error"}
    for r in ts.data:
        assert r["worker"] in workers and isinstance(r["thread"], int)
        assert before <= r["start"] <= r["stop"] <= after
        compute = [s for s in r["startstops"] if s["action"] == "compute"]
        assert compute and compute[0]["start"] == r["start"]
    slow = [r for r in ts.data if r["key"].startswith("slow_inc")]
    assert all(r["stop"] - r["start"] >= 0.04 for r in slow)
    # one thread per worker: the tasks of a worker never overlap
    for w in workers:
        spans = sorted((r["start"], r["stop"]) for r in slow if r["worker"] == w)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    # the call form: filters and counts
    assert len(client.get_task_stream(start=before, count=3)) == 3
    assert client.get_task_stream(start=after + 10) == []
    assert len(client.get_task_stream(start="1h")) >= 7


def test_task_stream_shows_transfers_of_inputs(client):
    a, b = sorted(client.ncores())
    x = client.submit(slow_inc, 1, workers=[a])
    with get_task_stream(plot=True) as ts:
        assert client.submit(inc, x, workers=[b]).result() == 3
    (record,) = [r for r in ts.data if r["worker"] == b]
    actions = [s["action"] for s in record["startstops"]]
    assert actions == ["transfer", "compute"]
    assert record["startstops"][0]["source"] == a
    assert ts.figure is not None and ts.figure.title.text == "Task stream"


def test_task_stream_plot_saved_as_html(client, tmp_path):
    client.gather(client.map(inc, range(3)))
    path = tmp_path / "stream.html"
    records, figure = client.get_task_stream(count=3, plot="save", filename=str(path))
    assert len(records) == 3 and figure.title.text == "Task stream"
    html = path.read_text()
    assert "shoal task stream" in html and not re.search(r"<script[^>]+src=", html)


def test_performance_report_is_standalone_html(client, tmp_path):
    path = tmp_path / "report.html"
    with performance_report(filename=str(path)):
        assert client.gather(client.map(slow_inc, range(4))) == [1, 2, 3, 4]
        with pytest.raises(ValueError):
            client.submit(boom, 2).result()
    html = path.read_text()
    assert "shoal performance report" in html
    assert re.search(r"Tasks: 5 .{0,20}Errors: 1", html)
    assert "slow_inc" in html and "boom" in html and "Task stream" in html
    # BokehJS is inlined: no script is loaded from anywhere
    assert "<script" in html and not re.search(r"<script[^>]+src=", html)
    assert "cdn.bokeh.org" not in html


def test_worker_logs_and_events(client):
    import logging

    def log_something():
        logging.getLogger("shoal.distributed.worker").warning("custom worker message")

    client.run(log_something)
    logs = client.get_worker_logs()
    assert set(logs) == set(client.ncores())
    for records in logs.values():
        assert [level for level, text in records if "custom worker message" in text][:1] == ["WARNING"]
    assert all(len(r) <= 1 for r in client.get_worker_logs(n=1).values())

    seen = []
    client.subscribe_topic("my-topic", seen.append)
    client.log_event("my-topic", {"x": 1})
    client.log_event(["my-topic", "other"], [1, 2])
    until_blocking(lambda: len(seen) == 2)
    assert [m for _t, m in seen] == [{"x": 1}, [1, 2]]
    assert [m for _t, m in client.get_events("my-topic")] == [{"x": 1}, [1, 2]]
    assert set(client.get_events()) >= {"my-topic", "other"}
    client.unsubscribe_topic("my-topic")
    client.log_event("my-topic", 3)
    until_blocking(lambda: len(client.get_events("my-topic")) == 3)
    assert len(seen) == 2


def test_print_in_a_worker_process_shows_on_the_client_and_logs_are_kept(capsys):
    from shoal.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True) as cluster, Client(cluster) as c:
        assert c.submit(chatty, 7).result() == 7
        out, err = "", ""
        deadline = time.time() + 10
        while ("hello from task 7" not in out or "to stderr 7" not in err) and time.time() < deadline:
            captured = capsys.readouterr()
            out, err = out + captured.out, err + captured.err
            time.sleep(0.05)
        (logs,) = c.get_worker_logs().values()  # the start-up lines users read, kept by the worker
        assert any(level == "INFO" and "Start worker at" in text for level, text in logs)
    assert "hello from task 7\n" in out
    assert "to stderr 7\n" in err


def test_explicit_print_and_warn_are_forwarded(client, capsys):
    from shoal.distributed import print as forward_print, warn

    def shout():
        forward_print("forwarded", 42)
        warn("careful now")
        return 1

    with pytest.warns(UserWarning, match="careful now"):
        assert client.submit(shout).result() == 1
        until_blocking(lambda: len([e for e in client.get_events("warn")]) == 1)
        time.sleep(0.1)  # the warn event reaches this client's handler right after
    out = capsys.readouterr().out
    assert out.count("forwarded 42") == 2  # the worker's own print (same process here) and the forwarded one


def test_pub_sub_between_tasks_and_client(client):
    sub = Sub("results")

    def publish(n):
        pub = Pub("results")
        for i in range(n):
            pub.put({"i": i})
        return n

    assert client.submit(publish, 3).result() == 3
    assert [sub.get(timeout=5) for _ in range(3)] == [{"i": 0}, {"i": 1}, {"i": 2}]
    from shoal.distributed import TimeoutError

    with pytest.raises(TimeoutError, match="results"):
        sub.get(timeout=0.05)

    def consume():
        s = Sub("to-task")
        return s.get(timeout=10)

    f = client.submit(consume)
    pub = Pub("to-task")
    deadline = time.time() + 10
    while not f.done() and time.time() < deadline:  # the task subscribes some time after it starts
        pub.put("ping")
        time.sleep(0.05)
    assert f.result() == "ping"


@gen_cluster(nthreads=[1, 1])
async def test_async_client_diagnostics(c, s, a, b):
    await c.gather(c.map(inc, range(5)))
    records = await c.get_task_stream()
    assert len(records) == 5 and {r["worker"] for r in records} <= {a.address, b.address}
    c.log_event("t", 1)
    await until(lambda: len(s.events.get("t")) == 1)
    assert [m for _t, m in await c.get_events("t")] == [1]
    logs = await c.get_worker_logs()
    assert set(logs) == {a.address, b.address}


@gen_cluster(nthreads=[1])
async def test_async_context_managers(c, s, a):
    import tempfile

    async with get_task_stream(client=c) as ts:
        assert await c.submit(inc, 41) == 42
    assert [r["key"] for r in ts.data] == [c.submit(inc, 41).key]
    with tempfile.TemporaryDirectory() as d:
        async with performance_report(filename=f"{d}/r.html", client=c):
            await c.gather(c.map(inc, range(3)))
        with open(f"{d}/r.html") as f:
            assert "Tasks: 3 " in f.read()
