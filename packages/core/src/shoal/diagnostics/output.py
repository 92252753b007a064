"""``shoal.diagnostics.visualize``: draw one or several profilers of a computation as bokeh figures
stacked in a column on a shared time axis, write them to a standalone HTML file and/or show them.

bokeh is optional (``pip install 'shoal-core[diagnostics]'``) and imported only when drawing.
"""

from __future__ import annotations

import os
import sys

from shoal.diagnostics.plots import Timeline, palette_colours, task_prefix


def import_bokeh():
    """bokeh, or an ImportError naming the extra that installs it."""
    try:
        import bokeh
    except ImportError as e:
        raise ImportError(
            "drawing profiles needs bokeh: install it with `pip install 'shoal-core[diagnostics]'` "
            "(the `diagnostics` extra of shoal core) or `pip install bokeh`"
        ) from e
    return bokeh


def visualize(profilers, filename: str = "profile.html", show: bool = True, save: bool | None = None,
              mode: str | None = None, palette=None, **kwargs):
    """Draw profilers (a :class:`Profiler`, :class:`ResourceProfiler`, :class:`CacheProfiler` or a list of
    them) as bokeh figures stacked in a column sharing the time axis (seconds from the first start).

    ``filename``: the HTML file written when saving. ``save``: write it (default: yes, unless running in a
    Jupyter notebook); the file embeds bokeh's JavaScript (``mode=None`` or ``'inline'``) so it opens
    offline, or links it (``mode='cdn'``). ``show``: open the result (in the notebook, or in a web
    browser); pass ``show=False`` in scripts and tests. ``palette``: a bokeh palette name or a list of
    colours for the task prefixes (default: Category10, or Category20 beyond ten prefixes).
    ``label_size``: characters of task text in the Gantt chart's hover. Other keyword arguments go to
    every ``bokeh.plotting.figure`` (e.g. ``width``, ``height``; ``title`` heads the first figure).
    Returns the bokeh figure (one profiler) or the column layout.
    """
    import_bokeh()
    from bokeh.layouts import column

    profilers = list(profilers) if isinstance(profilers, (list, tuple)) else [profilers]
    if not profilers:
        raise ValueError("visualize needs at least one profiler (Profiler, ResourceProfiler, CacheProfiler)")
    for p in profilers:
        if not hasattr(p, "_plot"):
            raise TypeError(f"cannot draw {type(p).__name__}: visualize takes Profiler, ResourceProfiler and "
                            "CacheProfiler objects")
    timeline = _timeline(profilers, palette, kwargs.pop("label_size", 60))
    figures = []
    for i, p in enumerate(profilers):
        options = dict(kwargs)
        if i:
            options.pop("title", None)  # the given title heads the column; the others keep their own
        figures.append(p._plot(timeline, **options))
    layout = figures[0] if len(figures) == 1 else column(*figures)
    in_notebook = _in_notebook()
    if save is None:
        save = not in_notebook
    saved = write_html(layout, filename, mode) if save else None
    if show:
        _show(layout, saved, in_notebook, mode)
    return layout


def _timeline(profilers, palette, label_size: int) -> Timeline:
    from bokeh.models import Range1d

    starts = [p.start_time for p in profilers if getattr(p, "start_time", None) is not None]
    ends = [p.end_time for p in profilers if getattr(p, "end_time", None) is not None]
    origin = min(starts, default=0.0)
    length = max(ends, default=origin) - origin
    prefixes = {task_prefix(r.key) for p in profilers for r in p.results if hasattr(r, "key")}
    x_range = Range1d(0, length if length > 0 else 1.0)
    return Timeline(origin, x_range, palette_colours(prefixes, palette), label_size)


def write_html(layout, filename: str, mode: str | None = None) -> str:
    """Write ``layout`` to ``filename`` as a standalone HTML page; return the absolute path."""
    from bokeh.embed import file_html
    from bokeh.resources import Resources

    modes = ("inline", "cdn")
    if (mode or "inline") not in modes:
        raise ValueError(f"mode={mode!r}: use 'inline' (bokeh's JavaScript inside the file, opens offline) "
                         "or 'cdn' (a smaller file that loads bokeh from the web)")
    path = os.path.abspath(os.path.expanduser(os.fspath(filename)))
    page = file_html(layout, Resources(mode=mode or "inline"), title="shoal profile")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return path


def _show(layout, saved: str | None, in_notebook: bool, mode: str | None) -> None:
    if in_notebook:
        from bokeh.io import output_notebook
        from bokeh.io import show as show_in_notebook

        output_notebook(hide_banner=True)
        show_in_notebook(layout)
        return
    import tempfile
    import webbrowser

    if saved is None:  # a browser needs a file: write a temporary one
        fd, temporary = tempfile.mkstemp(suffix=".html", prefix="shoal-profile-")
        os.close(fd)
        saved = write_html(layout, temporary, mode)
    webbrowser.open("file://" + saved)


def _in_notebook() -> bool:
    """Running in a Jupyter kernel (where figures show inline and nothing needs saving)?"""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"
