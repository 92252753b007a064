"""The dashboard in a real browser: headless Chromium (through Playwright) renders the Bokeh status page
of a live scheduler, with BokehJS served by the scheduler itself, no console errors and no failed requests.

Needs the system Chromium (``apt-get install chromium``; .ci/run installs chromium) and the ``playwright``
Python package (in the test extra).  Playwright's own browser download is never used.
"""

import os

import pytest

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


@pytest.mark.timeout(120)
def test_status_page_renders_in_chromium():
    _require_browser()
    from playwright.sync_api import sync_playwright

    from shoal.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address="127.0.0.1:0") as cluster, \
            Client(cluster) as client:
        assert client.gather(client.map(inc, range(50))) == list(range(1, 51))
        url = cluster.dashboard_link
        errors, failed, requested = [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                page = browser.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
                page.on("request", lambda r: requested.append(r.url))
                response = page.goto(url, wait_until="load")
                assert response is not None and response.ok, f"{url} answered {response and response.status}"
                # Bokeh draws each plot on a canvas (inside shadow roots, which locators pierce)
                # once BokehJS has rendered the document it got over the websocket
                canvases = page.locator("canvas")
                canvases.first.wait_for(state="attached", timeout=30_000)
                page.wait_for_function("() => window.Bokeh !== undefined && Bokeh.documents.length > 0",
                                       timeout=30_000)
                titles = page.evaluate("""() => [...Bokeh.documents[0].all_models]
                    .filter(m => m.type === 'Title').map(m => m.text)""")
                # the task stream's data came over the websocket: one bar per task run above
                page.wait_for_function("""() => [...Bokeh.documents[0].all_models].some(m => {
                    if (m.type !== 'ColumnDataSource') return false;
                    const keys = m.data instanceof Map ? m.data.get('key') : m.data['key'];
                    return keys !== undefined && keys.length >= 50; })""", timeout=30_000)
                page.wait_for_timeout(1000)  # a few more periodic updates
                n_canvases = canvases.count()
            finally:
                browser.close()
    assert not errors, f"console errors: {errors}"
    assert not failed, f"failed requests: {failed}"
    assert n_canvases >= 4
    assert {"Tasks by state", "Task stream"} <= set(titles), titles
    host = url.split("/")[2]
    outside = [u for u in requested if not u.startswith((f"http://{host}/", f"ws://{host}/", "data:"))]
    assert not outside, f"the page loaded resources from elsewhere (BokehJS must be served locally): {outside}"
