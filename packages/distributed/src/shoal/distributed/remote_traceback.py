"""Tracebacks that cross processes: the worker sends its frames as (file, line, function) triples and
the client rebuilds a real traceback object from them.

``traceback.print_tb(future.traceback())`` and the traceback of an exception re-raised by
``future.result()`` then show the lines of the task that failed, as if it had run locally.  A frame
is rebuilt by compiling a tiny function that raises at the same line under the same file and
function names (the source lines come from the local copy of the file when there is one).
"""

import traceback as _traceback

_INTERNAL = ("shoal/distributed/worker.py", "shoal/distributed/taskspec.py", "shoal/local.py")


def frames_of(exc):
    """The task's frames of ``exc`` (shoal's own execution frames dropped), msgpack-friendly.

    A function written in C (``operator.truediv``) has no frame of its own: then the innermost
    frame, the one that called it, is kept, so there is always a traceback to show.
    """
    frames = [[f.filename, f.lineno or 1, f.name] for f in _traceback.extract_tb(exc.__traceback__)]
    out = [f for f in frames if not f[0].replace("\\", "/").endswith(_INTERNAL)]
    return out or frames[-1:]


def rebuild(frames):
    """A traceback object with one entry per ``(filename, lineno, name)``, outermost first; or None."""
    tb = None
    for filename, lineno, name in reversed(list(frames or ())):
        tb = _frame_raising(str(filename), int(lineno), str(name), tb)
    return tb


class _Marker(Exception):
    pass


def _frame_raising(filename, lineno, name, tb_next):
    source = "\n" * (max(lineno, 1) - 1) + "raise _Marker()"
    code = compile(source, filename, "exec")
    code = code.replace(co_name=name if name.isidentifier() else "<task>")
    try:
        exec(code, {"_Marker": _Marker, "__name__": "<remote>"})
    except _Marker as e:
        tb = e.__traceback__.tb_next  # drop this helper's own frame
    tb.tb_next = tb_next
    return tb
