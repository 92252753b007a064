"""The dashboard in a real browser: headless Chromium (through Playwright) renders the Bokeh pages of a
live scheduler, with BokehJS served by the scheduler itself, no console errors and no failed requests.

Needs the system Chromium (``apt-get install chromium``; .ci/run installs chromium) and the ``playwright``
Python package (in the test extra).  Playwright's own browser download is never used.
"""

import os

import pytest

# imported here, not inside the tests: the defaults of distributed.yaml must be loaded before
# conftest's config.set, whose undo would otherwise drop them for the next test
from shoal.distributed import Client, LocalCluster

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def inc(x):
    return x + 1


def _require_browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: .ci/run installs chromium "
                    "(apt-get install -y --no-install-recommends chromium chromium-driver)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail("playwright is missing: pip install -e 'packages/distributed[test]' (.ci/run installs it)")


MAIN_PAGES = {  # path -> titles of plots it must show
    "/workers": {"Worker memory by kind (MiB)", "Worker CPU %"},
    "/tasks": {"Task stream"},
    "/system": {"Scheduler CPU %", "Scheduler memory (bytes)", "Network (bytes / s)"},
    "/graph": {"Task graph"},
    "/groups": {"Progress by task prefix"},
    "/individual-task-stream": {"Task stream"},
    "/individual-progress": {"Progress by task prefix"},
    "/individual-task-counts": {"Tasks by state"},
    "/individual-processing": {"Tasks processing per worker"},
    "/individual-memory": {"Worker memory by kind (MiB)"},
    "/individual-cpu": {"Worker CPU %"},
    "/individual-system": {"Scheduler CPU %", "Network (bytes / s)"},
    "/individual-graph": {"Task graph"},
}
TABLE_PAGES = ["/workers", "/individual-workers"]


def _wait_for_document(page):
    page.wait_for_function("() => window.Bokeh !== undefined && Bokeh.documents.length > 0", timeout=30_000)
    return page.evaluate("""() => [...Bokeh.documents[0].all_models]
        .filter(m => m.type === 'Title').map(m => m.text)""")


@pytest.mark.timeout(180)
def test_every_page_renders_in_chromium_and_the_navigation_bar_links_them():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0") as cluster, \
            Client(cluster) as client:
        futures = client.map(inc, range(30))
        assert client.gather(client.map(inc, futures)) == list(range(2, 32))
        base = cluster.dashboard_link.rsplit("/", 1)[0]
        host = base.split("/")[2]
        errors, failed, requested, seen, rows = [], [], [], {}, {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                page = browser.new_page()
                page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
                page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
                page.on("request", lambda r: requested.append(r.url))
                # / is /status: Bokeh draws each plot on a canvas (inside shadow roots, which locators
                # pierce) once BokehJS rendered the document it got over the websocket
                assert page.goto(f"{base}/", wait_until="load").ok and page.url == f"{base}/status"
                page.locator("canvas").first.wait_for(state="attached", timeout=30_000)
                seen["/status"] = set(_wait_for_document(page))
                # the task stream's data came over the websocket: one bar per task run above
                page.wait_for_function("""() => [...Bokeh.documents[0].all_models].some(m => {
                    if (m.type !== 'ColumnDataSource') return false;
                    const keys = m.data instanceof Map ? m.data.get('key') : m.data['key'];
                    return keys !== undefined && keys.length >= 60; })""", timeout=30_000)
                status_canvases = page.locator("canvas").count()
                # the navigation bar on /status leads to /workers, whose table lists both workers
                page.locator("a[href='/workers']").first.click()
                page.wait_for_url(f"{base}/workers")
                _wait_for_document(page)
                for path in TABLE_PAGES:
                    if page.url != base + path:
                        assert page.goto(base + path, wait_until="load").ok
                        _wait_for_document(page)
                    page.locator(".slick-row").nth(1).wait_for(state="attached", timeout=30_000)
                    rows[path] = page.locator(".slick-row").count()
                for path, titles in MAIN_PAGES.items():
                    response = page.goto(base + path, wait_until="load")
                    assert response is not None and response.ok, f"{path} answered {response and response.status}"
                    page.locator("canvas").first.wait_for(state="attached", timeout=30_000)
                    seen[path] = set(_wait_for_document(page))
                    assert titles <= seen[path], (path, seen[path])
                    navigation = page.locator("a[href='/graph']").count()
                    assert navigation == (0 if path.startswith("/individual-") else 1), path
                page.wait_for_timeout(1000)  # a few periodic updates of the last page
            finally:
                browser.close()
    assert not errors, f"console errors: {errors}"
    assert not failed, f"failed requests: {failed}"
    assert {"Tasks by state", "Progress by task prefix", "Tasks processing per worker", "Worker memory (MiB)",
            "Task stream"} <= seen["/status"], seen["/status"]
    assert status_canvases >= 5
    assert rows == {"/workers": 2, "/individual-workers": 2}, rows
    outside = [u for u in requested if not u.startswith((f"http://{host}/", f"ws://{host}/", "data:"))]
    assert not outside, f"pages loaded resources from elsewhere (BokehJS must be served locally): {outside}"
