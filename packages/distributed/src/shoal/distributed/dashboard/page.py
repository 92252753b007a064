"""What every Bokeh page shares: the navigation bar, the title, and refreshes that never raise.

A page's update runs on the scheduler's event loop: an exception there is logged (once per page and
error) and the page keeps refreshing, the scheduler never sees it.
"""

import html
import logging

logger = logging.getLogger("shoal.distributed.dashboard")

UPDATE_MS = 500
NAVIGATION = [("Status", "/status"), ("Workers", "/workers"), ("Tasks", "/tasks"), ("System", "/system"),
              ("Graph", "/graph"), ("Groups", "/groups"), ("Info", "/info/main/workers.html")]
NAV_STYLE = ("box-sizing:border-box;width:100%;display:flex;gap:18px;align-items:center;background:#2b3a4a;padding:8px 14px;"
             "font-family:sans-serif;font-size:15px")


def navigation_html(current=None):
    links = "".join(
        f'<a href="{href}" style="color:{"#ffd54f" if href == current else "#ffffff"};text-decoration:none">'
        f'{html.escape(name)}</a>'
        for name, href in NAVIGATION
    )
    return f'<div style="{NAV_STYLE}"><b style="color:#9ecae1">shoal</b>{links}</div>'


def safe(update, page):
    """``update`` wrapped so that an error is logged, not raised into the event loop."""
    seen = set()

    def safe_update():
        try:
            update()
        except Exception as e:
            if repr(e) not in seen:  # a page failing every 500 ms must not flood the log
                seen.add(repr(e))
                logger.exception("Dashboard page %s failed to update; it keeps refreshing", page)

    return safe_update


def add_page(doc, title, path, roots, updates, navigation=True):
    """Put ``roots`` (below the navigation bar) on ``doc`` and refresh them with ``updates``."""
    from bokeh.layouts import column
    from bokeh.models import Div

    each = [safe(u, path) for u in updates]  # one broken plot must not freeze the others

    def update():
        for u in each:
            u()

    update()
    doc.title = "shoal scheduler" if path == "/status" else f"shoal scheduler: {title}"
    children = ([Div(text=navigation_html(path), sizing_mode="stretch_width")] if navigation else []) + list(roots)
    doc.add_root(column(*children, sizing_mode="stretch_width"))
    doc.add_periodic_callback(update, UPDATE_MS)
    return update
