"""Every dashboard route over real HTTP, against a live in-process scheduler with two workers (one
named with HTML in it): status codes, JSON fields, escaping, links and the Bokeh pages' documents."""

import asyncio
import json
import logging
from urllib.parse import quote

import pytest
from tornado.httpclient import AsyncHTTPClient

from shoal.distributed import Client, Scheduler, Worker

pytestmark = pytest.mark.timeout(120)

EVIL = "<b>evil</b>&co"
BOKEH_PAGES = ["/status", "/workers", "/tasks", "/system", "/graph", "/groups", "/individual-task-stream",
               "/individual-progress", "/individual-task-counts", "/individual-workers", "/individual-processing",
               "/individual-memory", "/individual-cpu",
               "/individual-system", "/individual-graph", "/individual-occupancy", "/individual-nprocessing",
               "/individual-workers-memory", "/individual-nbytes", "/individual-scheduler-system",
               "/individual-groups"]


def inc(x):
    return x + 1


def double(x):
    return 2 * x


def boom(x):
    raise ValueError(f"boom {x}")


def run_with_cluster(check):
    """Run ``check(s, c, fetch, futures)`` with a scheduler (dashboard on a free port), two workers and a client
    that computed 20 incs, 20 doubles of them and one failing task."""

    async def main():
        async with Scheduler(port=0, dashboard_address="127.0.0.1:0") as s, \
                Worker(s.address, nthreads=1, name=EVIL), Worker(s.address, nthreads=2, name="plain"), \
                Client(s.address, asynchronous=True) as c:
            incs = c.map(inc, range(20))
            doubles = c.map(double, incs)
            bad = c.submit(boom, 1)
            assert await c.gather(doubles) == [2 * (i + 1) for i in range(20)]
            with pytest.raises(ValueError, match="boom 1"):
                await bad
            http = AsyncHTTPClient()

            async def fetch(path, follow_redirects=True):
                r = await http.fetch(f"http://127.0.0.1:{s.http_port}{path}", follow_redirects=follow_redirects,
                                     request_timeout=60, raise_error=False)
                return r.code, (r.body or b"").decode(), r.headers

            await check(s, c, fetch, (incs, doubles, bad))

    asyncio.run(main())


def test_root_redirects_to_status_and_sitemap_lists_every_page():
    async def check(s, c, fetch, futures):
        code, _, headers = await fetch("/", follow_redirects=False)
        assert code in (301, 302) and headers["Location"] == "/status"
        code, body, _ = await fetch("/sitemap.json")
        assert code == 200
        paths = json.loads(body)["paths"]
        assert set(BOKEH_PAGES) | {"/json/identity.json", "/json/counts.json", "/info/main/workers.html",
                                   "/info/main/logs.html", "/health", "/metrics"} <= set(paths)
        for path in paths:  # everything the sitemap lists answers
            code, _, _ = await fetch(path)
            assert code == 200, path
        code, body, _ = await fetch("/individual-plots.json")
        plots = json.loads(body)
        assert plots["Task stream"] == "/individual-task-stream" and plots["Progress"] == "/individual-progress"
        assert {p for p in BOKEH_PAGES if p.startswith("/individual-")} >= set(plots.values())
        assert "/individual-nbytes" not in plots.values()  # aliases are served but not offered twice

    run_with_cluster(check)


def test_identity_and_counts_json():
    async def check(s, c, fetch, futures):
        code, body, headers = await fetch("/json/identity.json")
        assert code == 200 and headers["Content-Type"].startswith("application/json")
        identity = json.loads(body)
        assert identity["type"] == "Scheduler" and identity["id"] == s.id and identity["address"] == s.address
        assert sorted(w["name"] for w in identity["workers"].values()) == sorted([EVIL, "plain"])
        assert {w["nthreads"] for w in identity["workers"].values()} == {1, 2}

        code, body, _ = await fetch("/json/counts.json")
        counts = json.loads(body)
        assert counts["memory"] == 40 and counts["erred"] == 1 and counts["processing"] == 0
        assert counts["tasks"] == len(s.state.tasks) == 41
        assert counts["workers"] == 2 and counts["threads"] == 3 and counts["clients"] == 1
        expected = {}
        for ts in s.state.tasks.values():
            expected[ts.state] = expected.get(ts.state, 0) + 1
        assert {k: counts[k] for k in expected} == expected

    run_with_cluster(check)


def test_counts_follow_new_work_and_forgotten_tasks():
    async def check(s, c, fetch, futures):
        await fetch("/json/counts.json")  # the dashboard starts counting here
        incs, doubles, bad = futures
        del incs[:], doubles[:]
        for _ in range(100):
            if len(s.state.tasks) == 1:
                break
            await asyncio.sleep(0.05)
        counts = json.loads((await fetch("/json/counts.json"))[1])
        assert counts["tasks"] == 1 and counts["memory"] == 0 and counts["erred"] == 1
        more = c.map(double, range(100, 107))
        assert await c.gather(more) == [2 * i for i in range(100, 107)]
        counts = json.loads((await fetch("/json/counts.json"))[1])
        assert counts["tasks"] == 8 and counts["memory"] == 7 and counts["erred"] == 1

    run_with_cluster(check)


def test_info_pages_escape_names_and_link_each_worker():
    async def check(s, c, fetch, futures):
        code, body, headers = await fetch("/info/main/workers.html")
        assert code == 200 and headers["Content-Type"].startswith("text/html")
        assert EVIL not in body and "&lt;b&gt;evil&lt;/b&gt;&amp;co" in body
        for address, ws in s.state.workers.items():
            link = f"/info/worker/{quote(address, safe='')}.html"
            assert f'href="{link}"' in body
            code, page, _ = await fetch(link)
            assert code == 200 and address in page
            assert f'href="/info/logs/{quote(address, safe="")}.html"' in page
            assert ("&lt;b&gt;evil" in page) == (ws.name == EVIL) and EVIL not in page
        code, _, _ = await fetch(f"/info/worker/{quote('tcp://10.9.9.9:1', safe='')}.html")
        assert code == 404
        logging.getLogger("shoal.distributed.worker").warning("worker says <i>hi</i>")
        address = next(iter(s.state.workers))
        code, body, _ = await fetch(f"/info/logs/{quote(address, safe='')}.html")  # linked from its page
        assert code == 200 and "worker says &lt;i&gt;hi&lt;/i&gt;" in body and "<i>hi" not in body
        code, body, _ = await fetch("/plain-status")  # the page shown when bokeh is not installed
        assert code == 200 and EVIL not in body and "&lt;b&gt;evil&lt;/b&gt;&amp;co" in body
        logging.getLogger("shoal.distributed.scheduler").warning("a <script>alert(1)</script> in the log")
        code, body, _ = await fetch("/info/main/logs.html")
        assert code == 200 and "Scheduler logs" in body
        assert "a &lt;script&gt;alert(1)&lt;/script&gt; in the log" in body and "<script>" not in body
        code, _, headers = await fetch("/info", follow_redirects=False)
        assert headers["Location"] == "/info/main/workers.html"

    run_with_cluster(check)


def test_task_info_page_shows_state_dependencies_and_error():
    async def check(s, c, fetch, futures):
        incs, doubles, bad = futures
        key = doubles[3].key
        code, body, _ = await fetch(f"/info/task/{quote(str(key), safe='')}.html")
        assert code == 200 and "memory" in body
        dep = incs[3].key
        assert f"/info/task/{quote(str(dep), safe='')}.html" in body  # its dependency, linked
        code, body, _ = await fetch(f"/info/task/{quote(str(bad.key), safe='')}.html")
        assert code == 200 and "erred" in body and "boom 1" in body
        code, _, _ = await fetch("/info/task/no-such-key.html")
        assert code == 404
        odd = c.submit(inc, 1, key=("x <&>", 0))  # a tuple key with HTML in it
        assert await odd == 2
        code, body, _ = await fetch(f"/info/task/{quote(str(odd.key), safe='')}.html")
        assert code == 200 and "x &lt;&amp;&gt;" in body and "x <&>" not in body and "memory" in body

    run_with_cluster(check)


def test_every_bokeh_page_serves_a_document_with_the_navigation_bar():
    async def check(s, c, fetch, futures):
        for path in BOKEH_PAGES:
            code, body, _ = await fetch(path)
            assert code == 200, path
            assert "bokeh" in body.lower(), path
            code, script, _ = await fetch(f"{path}/autoload.js?bokeh-autoload-element=x&bokeh-absolute-url="
                                          f"http://127.0.0.1:{s.http_port}{path}")
            assert code == 200, path

    run_with_cluster(check)
