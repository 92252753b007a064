"""Callbacks: hooks the local schedulers call as a graph runs (progress bars and profilers use them).

Subclass :class:`Callback` and override any of ``_start(dsk)``, ``_start_state(dsk, state)``,
``_pretask(key, dsk, state)``, ``_posttask(key, result, dsk, state, worker_id)``,
``_release(key, dsk, state)``, ``_finish(dsk, state, errored)``; or pass the functions to the
constructor. Use an instance as a context manager (active for everything computed inside), call
``.register()`` to activate it globally, or pass it as ``compute(callbacks=[...])``. ``state`` is the
run: ``state.cache``, ``state.ntasks``, ``state.nfinished``, ``state.running``.

``_release`` runs when the scheduler drops a result from ``state.cache`` because no task still needs it
(results the caller asked for stay until the run ends, so they are never released during it). Like
``_posttask`` it runs in the scheduler's bookkeeping, under its lock with the threaded scheduler: keep it
quick.
"""

from __future__ import annotations


class Callback:
    active: set = set()

    def __init__(self, start=None, start_state=None, pretask=None, posttask=None, finish=None, release=None):
        if start:
            self._start = start
        if start_state:
            self._start_state = start_state
        if pretask:
            self._pretask = pretask
        if posttask:
            self._posttask = posttask
        if finish:
            self._finish = finish
        if release:
            self._release = release

    def __enter__(self):
        self.register()
        return self

    def __exit__(self, *exc):
        self.unregister()

    def register(self) -> None:
        Callback.active.add(self)

    def unregister(self) -> None:
        Callback.active.discard(self)


_HOOKS = ("_start", "_start_state", "_pretask", "_posttask", "_release", "_finish")


def collect_callbacks(extra=None) -> dict:
    """``{hook name: [bound functions]}`` from the active callbacks plus ``extra``."""
    callbacks = list(Callback.active) + list(extra or ())
    out: dict = {h: [] for h in _HOOKS}
    for cb in callbacks:
        for h in _HOOKS:
            f = getattr(cb, h, None)
            if f is not None:
                out[h].append(f)
    return out
