"""Error notes that say where in a bag a failure happened: which partition, and for text, which line.

Exceptions keep their type (so ``except ValueError`` still works); shoal adds a note (PEP 678) such as
``shoal.bag: loads failed on line 17 of file 'logs/3.json.gz' (partition 3 of map-loads-ab12...)``.
Notes live in the exception's ``__dict__``; some exception classes (``json.JSONDecodeError``) pickle
without it, so the note is also made to survive the trip back from a worker process.
"""

from __future__ import annotations

from shoal.utils import funcname


def add_where(exc: BaseException, step, where: str) -> None:
    """Add one note naming ``step`` (a function or a name) and ``where`` to ``exc``, unless an inner
    step already did."""
    notes = getattr(exc, "__notes__", ())
    if any(n.startswith("shoal.bag:") for n in notes):
        return
    name = step if isinstance(step, str) else funcname(step)
    _note(exc, f"shoal.bag: {name} failed on {where}")
    _keep_notes_when_pickled(exc)


def _note(exc: BaseException, note: str) -> None:
    try:
        exc.add_note(note)
    except AttributeError:  # Python 3.10: keep the note where 3.11 would, for tools that read it
        exc.__notes__ = [*getattr(exc, "__notes__", ()), note]


def _keep_notes_when_pickled(exc: BaseException) -> None:
    try:
        reduced = exc.__reduce_ex__(2)
        if len(reduced) >= 3 and isinstance(reduced[2], dict) and "__notes__" in reduced[2]:
            return  # the standard reduction already carries the notes
        exc.__reduce_ex__ = _ReduceWithNotes(exc)
    except Exception:  # noqa: BLE001 - never let the note replace the user's own error
        pass


class _ReduceWithNotes:
    """An instance ``__reduce_ex__`` that rebuilds the exception its usual way, then re-adds notes."""

    def __init__(self, exc):
        self.exc = exc

    def __call__(self, protocol):
        exc = self.exc
        del exc.__reduce_ex__  # reduce the ordinary way, without recursing into ourselves
        try:
            reduced = exc.__reduce_ex__(protocol)
        finally:
            exc.__reduce_ex__ = self
        rest = list(reduced[2:])
        if rest and isinstance(rest[0], dict):
            rest[0] = {k: v for k, v in rest[0].items() if k != "__reduce_ex__"}
        return (_rebuild_with_notes, (reduced[0], reduced[1], list(exc.__notes__)), *rest)


def _rebuild_with_notes(cls_or_func, args, notes):
    exc = cls_or_func(*args)
    for note in notes:
        _note(exc, note)
    return exc


class Where:
    """Where a partition's elements came from, to name them in errors.

    ``label`` is e.g. ``"partition 3 of map-loads-ab12..."``. For text read from files, ``path`` is the
    file and ``lines_before`` the number of lines before the partition's first line (an int, or a
    function computing it, since counting is only worth doing when something fails).
    """

    __slots__ = ("label", "path", "lines_before")

    def __init__(self, label: str, path: str | None = None, lines_before=0):
        self.label = label
        self.path = path
        self.lines_before = lines_before

    def describe(self, index: int) -> str:
        if self.path is None:
            return f"element {index} of {self.label}"
        before = self.lines_before() if callable(self.lines_before) else self.lines_before
        return f"line {before + index + 1} of file {self.path!r} ({self.label})"

    def __reduce__(self):
        return (Where, (self.label, self.path, self.lines_before))
