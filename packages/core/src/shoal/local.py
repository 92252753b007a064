"""The engine of the local schedulers, and the synchronous scheduler ``get_sync``.

A run prepares the graph once (dependencies, dependents, priorities from :mod:`shoal.order`), then
executes tasks in priority order. With threads, every worker thread (the calling thread included) runs
the same loop: take the most urgent ready task under the lock, run it outside the lock, then record its
result, release inputs nobody needs any more and mark dependents ready. No central dispatcher means no
hand-off between threads per task. The processes scheduler (:mod:`shoal.multiprocessing`) drives the
same bookkeeping from the calling thread and ships each task with its inputs to a process pool.
"""

from __future__ import annotations

import heapq
import sys
import threading

from shoal.callbacks import collect_callbacks
from shoal.core import GraphError, Literal, _find_deps, check_task_arguments, find_cycle, flatten, iskey
from shoal.order import order_dependencies
from shoal.utils import ensure_dict

_missing = object()


def execute_task(task, cache):
    """Run one task of the classic spec, looking its key arguments up in ``cache``."""
    if type(task) is tuple and task and callable(task[0]):
        return task[0](*[_argument(a, cache) for a in task[1:]])
    return _argument(task, cache)


def _argument(a, cache):
    t = type(a)
    if t is str:
        v = cache.get(a, _missing)
        return a if v is _missing else v
    if t is tuple:
        if a and callable(a[0]):
            return a[0](*[_argument(x, cache) for x in a[1:]])
        try:
            v = cache.get(a, _missing)
        except TypeError:
            return a
        return a if v is _missing else v
    if t is list:
        return [_argument(x, cache) for x in a]
    if t is Literal:
        return a.value
    return a


def prepare(dsk) -> tuple[dict, dict]:
    """Check keys and missing dependencies; return ``(dependencies, dependents)`` as ordered lists."""
    deps: dict = {}
    dependents: dict = {}
    for k, task in dsk.items():
        if type(k) is not str and not iskey(k):
            raise GraphError(
                f"{k!r} ({type(k).__name__}) cannot be a key: keys are str or tuples (name, i, ...) "
                "whose first element is a str"
            )
        out: list = []
        if type(task) is tuple or type(task) is list:
            _find_deps(task, dsk, out)
            if len(out) > 1:
                out = list(dict.fromkeys(out))
            if type(task) is tuple:
                check_task_arguments(k, task, dsk)
        elif type(task) is str and task in dsk and task != k:
            out = [task]  # an alias: 'y': 'x'
        deps[k] = out
        dependents[k] = []
    for k, ds in deps.items():
        for d in ds:
            dependents[d].append(k)
    return deps, dependents


class RemoteTraceback(Exception):
    """The traceback of an exception raised in another process, attached as ``__cause__``."""

    def __str__(self):
        return "\n" + self.args[0]


class Run:
    """The state of one graph run; also what callbacks receive as ``state``."""

    def __init__(self, dsk, keys, callbacks=None):
        self.dsk = dsk = ensure_dict(dsk)
        self.result_keys = keys
        self.outputs = set(flatten(keys)) if isinstance(keys, list) else {keys}
        for k in self.outputs:
            if k not in dsk:
                raise KeyError(f"{k!r} was asked for but is not a key of the graph")
        self.callbacks = collect_callbacks(callbacks)
        for f in self.callbacks["_start"]:
            f(dsk)
        self.dependencies, self.dependents = prepare(dsk)
        self.priority = order_dependencies(self.dependencies)
        self.key_of = {p: k for k, p in self.priority.items()}
        self.waiting = {k: len(v) for k, v in self.dependencies.items() if v}
        self.nrefs = {k: len(v) for k, v in self.dependents.items()}
        self.ready = [self.priority[k] for k, v in self.dependencies.items() if not v]
        heapq.heapify(self.ready)
        self.cache: dict = {}
        self.ntasks = len(dsk)
        self.nfinished = 0
        self.running = 0
        self.error: tuple | None = None
        self.aborted = False
        self.cond = threading.Condition(threading.Lock())
        for f in self.callbacks["_start_state"]:
            f(dsk, self)

    # -- bookkeeping, called with the lock held ------------------------------------------------
    def take(self):
        """The most urgent ready key (lock held), after the pretask callbacks."""
        key = self.key_of[heapq.heappop(self.ready)]
        self.running += 1
        for f in self.callbacks["_pretask"]:
            f(key, self.dsk, self)
        return key

    def finish(self, key, result, worker_id=0) -> None:
        """Store a result, release inputs no longer needed and mark dependents ready (lock held)."""
        self.running -= 1
        cache = self.cache
        cache[key] = result
        for f in self.callbacks["_posttask"]:
            f(key, result, self.dsk, self, worker_id)
        waiting, ready, priority = self.waiting, self.ready, self.priority
        for d in self.dependents[key]:
            n = waiting[d] - 1
            if n:
                waiting[d] = n
            else:
                del waiting[d]
                heapq.heappush(ready, priority[d])
        nrefs, outputs, release = self.nrefs, self.outputs, self.callbacks["_release"]
        for d in self.dependencies[key]:
            n = nrefs[d] - 1
            nrefs[d] = n
            if not n and d not in outputs:
                del cache[d]
                for f in release:
                    f(d, self.dsk, self)
        self.nfinished += 1

    def fail(self, key, exc: BaseException) -> None:
        self.running -= 1
        if self.error is None:
            self.error = (key, exc)

    @property
    def done(self) -> bool:
        return self.nfinished == self.ntasks

    def stalled(self) -> bool:
        """Nothing ready, nothing running, not finished: the rest of the graph waits on a cycle."""
        return not self.ready and not self.running and not self.done and self.error is None

    def cycle_error(self) -> GraphError:
        cycle = find_cycle({k: self.dependencies[k] for k in self.waiting})
        path = " -> ".join(repr(k) for k in cycle or ())
        return GraphError(f"the graph has a cycle: {path}")

    # -- the loop every thread runs --------------------------------------------------------------
    def work(self, worker_id: int = 0) -> None:
        cond = self.cond
        dsk, cache = self.dsk, self.cache
        outer = in_worker_thread()
        _local.in_worker = True
        cond.acquire()
        try:
            while True:
                while not self.ready:
                    if self.done or self.error is not None or self.aborted:
                        return
                    if self.stalled():
                        self.error = (None, self.cycle_error())
                        cond.notify_all()
                        return
                    cond.wait()
                if self.error is not None or self.aborted:
                    return
                key = self.take()
                cond.release()
                try:
                    result = execute_task(dsk[key], cache)
                except BaseException as e:  # noqa: BLE001 - re-raised in the caller
                    cond.acquire()
                    self.fail(key, e)
                    cond.notify_all()
                    return
                cond.acquire()
                self.finish(key, result, worker_id)
                if self.done:
                    cond.notify_all()
                    return
                if len(self.ready) > 1:
                    cond.notify()
        finally:
            cond.release()
            _local.in_worker = outer

    def wait_for_others(self) -> None:
        """Block the calling thread until the run is over (interruptible by Ctrl-C)."""
        with self.cond:
            while not (self.done or self.error is not None) and (self.running or self.ready):
                self.cond.wait(0.5)

    def result(self):
        errored = self.error is not None
        for f in self.callbacks["_finish"]:
            f(self.dsk, self, errored)
        if errored:
            key, exc = self.error
            raise_task_error(key, exc)
        return nested_get(self.result_keys, self.cache)

    def abort(self) -> None:
        with self.cond:
            self.aborted = True
            self.cond.notify_all()


_local = threading.local()


def in_worker_thread() -> bool:
    """Is this thread running a task of a local scheduler (then nested computes run inline)?"""
    return getattr(_local, "in_worker", False)


def raise_task_error(key, exc: BaseException):
    if key is not None and not isinstance(exc, (KeyboardInterrupt, SystemExit)) and sys.version_info >= (3, 11):
        note = f"(raised by the task {key!r})"
        if note not in getattr(exc, "__notes__", ()):
            exc.add_note(note)
    raise exc


def nested_get(keys, cache):
    if isinstance(keys, list):
        return [nested_get(k, cache) for k in keys]
    return cache[keys]


def get_sync(dsk, keys, callbacks=None, **kwargs):
    """Run the graph in the calling thread, one task at a time (for debugging and profiling)."""
    run = Run(dsk, keys, callbacks)
    try:
        run.work(0)
    except KeyboardInterrupt:
        run.abort()
        raise
    return run.result()
