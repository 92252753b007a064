"""The worker's decisions as a pure state machine (sans-IO).

Events (the scheduler asks to compute or free keys, a task finished executing, a fetch from a peer
succeeded or failed) go in as method calls; each returns a list of instructions for the Worker server:

    ("execute", key)            run the task in the thread pool
    ("gather", worker, keys)    fetch ``keys`` from the peer ``worker``
    ("send", msg)               send ``msg`` to the scheduler
    ("delete", key)             drop ``key``'s data from the worker's store

Task states: waiting (for dependencies) -> ready -> executing -> memory | error; dependencies being
fetched go fetch -> flight -> memory (or missing when no peer has them).  The data itself lives in
the server's store; this machine only tracks which keys are there.

A bug in this bookkeeping must never lose a task: an event that raises is logged and the tasks it
touched are reported to the scheduler as erred with an ``InternalError``.  ``validate=True`` (on in
tests) checks every invariant after every event.
"""

import functools
import heapq
import logging
import traceback
from collections import defaultdict, deque

from .errors import InternalError
from .protocol import Serialize

logger = logging.getLogger("shoal.distributed.worker_state")
STATES = frozenset(("waiting", "ready", "executing", "memory", "error", "fetch", "flight", "missing"))


def _the_key(self, key, *args, **kwargs):
    return [key]


def _fetching_from(self, worker, *args, **kwargs):
    """The tasks waiting on what is in flight from ``worker``."""
    return self.dependents_of(self.in_flight.get(worker, ()))


def _no_task(self, *args, **kwargs):
    return []


def _event(affected_keys):
    """An event into the machine: validated afterwards; an internal error fails ``affected_keys``."""

    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            keys = affected_keys(self, *args, **kwargs)  # before the event changes them
            try:
                out = method(self, *args, **kwargs)
            except Exception as e:
                return self.internal_error(method.__name__, keys, e)
            if self.validate:
                # the tasks this event changed and their neighbours: checking every task after every
                # event made a 10,000-task graph quadratic
                changed = self._changed | {self.tasks[k] for k in keys if k in self.tasks}
                self._changed = set()
                self.validate_state({n for ts in changed for n in (ts, *ts.dependencies, *ts.dependents)})
            return out

        return wrapper

    return decorator


class WorkerTaskState:
    __slots__ = ("key", "state", "run_spec", "priority", "dependencies", "dependents", "who_has",
                 "nbytes", "resource_restrictions", "wanted", "history", "coming_from", "duration", "fetched")

    def __init__(self, key):
        self.key = key
        self.state = "released"
        self.run_spec = None
        self.priority = None
        self.dependencies = set()
        self.dependents = set()
        self.who_has = set()
        self.nbytes = 0
        self.resource_restrictions = None
        self.wanted = False  # the scheduler asked this worker to compute it
        self.history = deque(maxlen=10)
        self.coming_from = None
        self.duration = 0.5
        self.fetched = False  # a replica copied from a peer (the scheduler counts it in who_has)

    def __repr__(self):
        return f"<WorkerTaskState {self.key!r} {self.state}>"


class WorkerState:
    def __init__(self, address, nthreads=1, resources=None, validate=False, max_concurrent_fetches=10):
        self.address = address
        self.nthreads = nthreads
        self.total_resources = dict(resources or {})
        self.available_resources = dict(resources or {})
        self.validate = validate
        self.tasks = {}
        self.ready = []  # heap of (priority, counter, key)
        self.executing = set()
        self.long_running = set()  # seceded tasks: still running, not counted against nthreads
        self.in_flight = {}  # worker -> keys being fetched from it
        self.max_concurrent_fetches = max_concurrent_fetches
        self.paused = False
        self.to_fetch = set()
        # whether a fetch could start that could not at the last look: a task to fetch, a holder or
        # a free peer was added since (every event asks, and rescanning a long to_fetch each time was
        # a fifth of a worker's time in a tree reduction)
        self._fetch_news = False
        self.counter = 0
        self.executed_count = 0
        self.transition_hooks = []  # callables (key, start, finish): worker plugins
        self._changed = set()  # tasks whose state changed since the last validation

    # ---- events -------------------------------------------------------------------------------

    @_event(_the_key)
    def compute_task(self, key, run_spec, priority=(0,), who_has=None, nbytes=None,
                     resource_restrictions=None, duration=0.5, stimulus_id=""):
        out = []
        ts = self._ensure(key)
        if ts.state in ("memory",):
            out.append(("send", self._finished_msg(ts, stimulus_id)))
            return out
        if ts.state in ("executing", "ready", "waiting"):
            ts.wanted = True
            return out
        ts.run_spec = run_spec
        ts.priority = tuple(priority)
        ts.resource_restrictions = dict(resource_restrictions) if resource_restrictions else None
        ts.wanted = True
        ts.duration = duration
        who_has = who_has or {}
        nbytes = nbytes or {}
        for dep_key, holders in who_has.items():
            dts = self._ensure(dep_key)
            ts.dependencies.add(dts)
            dts.dependents.add(ts)
            dts.nbytes = nbytes.get(dep_key, dts.nbytes)
            if dts.state in ("released", "missing", "error"):  # an input that erred here may be retried elsewhere
                dts.who_has = set(holders) - {self.address}
                self._set(dts, "fetch", stimulus_id)
            elif dts.state == "fetch":
                dts.who_has.update(set(holders) - {self.address})
                self._fetch_news = True
        self._set(ts, "waiting", stimulus_id)
        if all(d.state == "memory" for d in ts.dependencies):
            self._make_ready(ts, stimulus_id)
        out.extend(self._next_work())
        return out

    @_event(_no_task)
    def free_keys(self, keys, stimulus_id=""):
        out = []
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None:
                continue
            ts.wanted = False
            out.extend(self._release_if_unneeded(ts, stimulus_id))
        out.extend(self._next_work())
        return out

    @_event(_the_key)
    def task_done(self, key, nbytes, stimulus_id="", type_name=None, duration=None):
        """The task ran and its result is in the store."""
        ts = self.tasks.get(key)
        out = []
        if ts is None or ts.state != "executing":
            return [("delete", key)] if ts is None or ts.state == "released" else []
        self._stop_executing(ts)
        self.executed_count += 1
        ts.nbytes = nbytes
        self._set(ts, "memory", stimulus_id)
        if ts.wanted:
            out.append(("send", self._finished_msg(ts, stimulus_id, type_name, duration)))
        out.extend(self._dependencies_done(ts, stimulus_id))
        out.extend(self._release_if_unneeded(ts, stimulus_id))
        out.extend(self._next_work())
        return out

    @_event(_the_key)
    def task_failed(self, key, error_msg, stimulus_id=""):
        """The task raised; ``error_msg`` carries the exception and traceback for the scheduler."""
        ts = self.tasks.get(key)
        out = []
        if ts is None or ts.state != "executing":
            return out
        self._stop_executing(ts)
        self._set(ts, "error", stimulus_id)
        if ts.wanted:
            out.append(("send", {"op": "task-erred", "key": key, "stimulus_id": stimulus_id, **error_msg}))
        ts.wanted = False
        out.extend(self._dependencies_done(ts, stimulus_id))
        out.extend(self._release_if_unneeded(ts, stimulus_id))
        out.extend(self._next_work())
        return out

    @_event(_no_task)
    def add_data(self, key, nbytes, stimulus_id="scatter"):
        """Data put here directly (scatter); kept until the scheduler frees it."""
        ts = self._ensure(key)
        ts.nbytes = nbytes
        ts.wanted = True
        self._set(ts, "memory", stimulus_id)
        return []

    @_event(_fetching_from)
    def gather_done(self, worker, nbytes, stimulus_id=""):
        """``nbytes`` (key -> size) arrived from ``worker`` and are in the store."""
        out = []
        keys = self.in_flight.pop(worker, set())
        self._fetch_news = True
        received = []
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None or ts.state != "flight":
                if key in nbytes and (ts is None or ts.state != "memory"):
                    out.append(("delete", key))
                continue
            ts.coming_from = None
            if key in nbytes:
                ts.nbytes = nbytes[key]
                ts.fetched = True
                self._set(ts, "memory", stimulus_id)
                received.append(key)
                if ts.wanted:  # the scheduler also asked us to compute it: it is done
                    out.append(("send", self._finished_msg(ts, stimulus_id)))
                elif not ts.dependents:
                    out.extend(self._release_if_unneeded(ts, stimulus_id))
                else:
                    out.extend(self._dependencies_done(ts, stimulus_id))
            else:  # the peer did not have it
                out.extend(self._fetch_failed(ts, worker, stimulus_id))
        if received:
            out.append(("send", {"op": "add-keys", "keys": received, "stimulus_id": stimulus_id}))
        out.extend(self._next_work())
        return out

    @_event(_fetching_from)
    def gather_failed(self, worker, stimulus_id=""):
        """``worker`` could not be reached: none of the keys in flight from it arrived."""
        out = []
        keys = self.in_flight.pop(worker, set())
        self._fetch_news = True
        for ts in list(self.tasks.values()):
            ts.who_has.discard(worker)
        for key in keys:
            ts = self.tasks.get(key)
            if ts is not None and ts.state == "flight":
                out.extend(self._fetch_failed(ts, worker, stimulus_id))
        out.extend(self._next_work())
        return out

    @_event(_the_key)
    def steal_request(self, key, stimulus_id=""):
        """The scheduler wants to move ``key`` elsewhere: give it up unless it already started."""
        ts = self.tasks.get(key)
        state = ts.state if ts is not None else None
        out = []
        if ts is not None and state in ("waiting", "ready"):
            ts.wanted = False
            out.extend(self._release(ts, stimulus_id))
        out.append(("send", {"op": "steal-response", "key": key, "state": state, "stimulus_id": stimulus_id}))
        out.extend(self._next_work())
        return out

    @_event(_the_key)
    def secede(self, key, stimulus_id="secede"):
        """A running task left the thread pool's count (it waits on other tasks): free its slot."""
        ts = self.tasks.get(key)
        if ts is None or ts not in self.executing:
            return []
        self.executing.discard(ts)
        self.long_running.add(ts)
        self._return_resources(ts)
        return [("send", {"op": "long-running", "key": key, "stimulus_id": stimulus_id}), *self._next_work()]

    @_event(_the_key)
    def rejoin(self, key, stimulus_id="rejoin"):
        """A seceded task counts against the threads again (it may briefly oversubscribe them)."""
        ts = self.tasks.get(key)
        if ts is None or ts not in self.long_running:
            return []
        self.long_running.discard(ts)
        self.executing.add(ts)
        self._take_resources(ts)
        return []

    @_event(_no_task)
    def set_paused(self, paused):
        self.paused = paused
        return [] if paused else self._next_work()

    # ---- failures of the machine itself ------------------------------------------------------

    def internal_error(self, event, keys, exc):
        """``event`` raised: log it, drop the tasks it touched and report them as erred."""
        logger.exception("Worker %s: internal error in %s for %s", self.address, event, keys)
        error = InternalError(f"internal error on worker {self.address} in {event} "
                              f"for {keys}: {type(exc).__name__}: {exc}")
        tb_text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        out = []
        for key in keys:
            self._drop(key)
            out.append(("delete", key))
            out.append(("send", {"op": "task-erred", "key": key, "stimulus_id": f"internal-error-{event}",
                                 "exception": Serialize(error), "traceback": None,
                                 "exception_text": str(error), "traceback_text": tb_text}))
        try:
            out.extend(self._next_work())
        except Exception:  # the machine is too broken to start more work; what is running still reports
            logger.exception("Worker %s: could not start more work after an internal error", self.address)
        return out

    def _drop(self, key):
        """Remove ``key`` whatever state the bookkeeping is in; never raises."""
        ts = self.tasks.pop(key, None)
        if ts is None:
            return
        if ts in self.executing:
            self._return_resources(ts)
        for group in (self.executing, self.long_running, self.to_fetch):
            group.discard(ts)
        for linked in (*ts.dependencies, *ts.dependents):
            for edges in (getattr(linked, "dependencies", set()), getattr(linked, "dependents", set())):
                edges.discard(ts)
        ts.dependencies, ts.dependents = set(), set()
        for keys in self.in_flight.values():
            keys.discard(key)
        ts.state = "released"

    def dependents_of(self, keys):
        """The keys of the tasks here that need any of ``keys``."""
        return sorted({dts.key for k in keys if k in self.tasks for dts in self.tasks[k].dependents}, key=str)

    def validate_state(self, tasks=None):
        """Check the invariants of ``tasks`` (default: all) and of the running and fetch records;
        ``AssertionError`` naming the task that breaks one."""
        for ts in self.tasks.values() if tasks is None else tasks:
            key = ts.key
            if tasks is not None and self.tasks.get(key) is not ts:
                continue  # released by the event
            assert self.tasks.get(key) is ts and ts.state in STATES, f"{ts!r} filed under {key!r}"
            for dep in ts.dependencies:
                assert self.tasks.get(dep.key) is dep, f"{ts!r} depends on {dep.key!r}, which was released"
                assert ts in dep.dependents, f"{dep!r} does not list its dependent {ts!r}"
            for dts in ts.dependents:
                assert self.tasks.get(dts.key) is dts, f"{ts!r} lists {dts.key!r} as dependent, which was released"
                assert ts in dts.dependencies, f"{dts!r} does not list its dependency {ts!r}"
            running = ts in self.executing or ts in self.long_running
            assert running == (ts.state == "executing"), f"{ts!r} is executing: {running}"
            assert (ts in self.to_fetch) == (ts.state == "fetch"), f"{ts!r} in to_fetch: {ts in self.to_fetch}"
            if ts.state == "flight":
                assert ts.key in self.in_flight.get(ts.coming_from, ()), f"{ts!r} not in flight from a peer"
            if ts.state == "ready":
                assert all(d.state == "memory" for d in ts.dependencies), f"{ts!r} is ready without its inputs"
        for ts in (*self.executing, *self.long_running, *self.to_fetch):
            assert self.tasks.get(ts.key) is ts, f"{ts.key!r} is running or fetched, but was released"
        assert not self.executing & self.long_running, "tasks both executing and seceded"
        for resource, total in self.total_resources.items():
            held = sum((ts.resource_restrictions or {}).get(resource, 0) for ts in self.executing)
            assert abs(self.available_resources.get(resource, 0) - (total - held)) < 1e-9, \
                f"{resource}: {self.available_resources.get(resource)} available, {total} - {held} expected"
        if not self._fetch_news and len(self.in_flight) < self.max_concurrent_fetches:
            for ts in self.to_fetch:
                assert ts.who_has and all(w in self.in_flight for w in ts.who_has), \
                    f"{ts!r} could be fetched from {sorted(ts.who_has)} but waits"
        for worker, keys in self.in_flight.items():
            for key in keys:
                ts = self.tasks.get(key)
                assert ts is not None and ts.state == "flight" and ts.coming_from == worker, \
                    f"{key!r} counted in flight from {worker} but is {ts!r}"

    # ---- internals ----------------------------------------------------------------------------

    def _ensure(self, key):
        ts = self.tasks.get(key)
        if ts is None:
            ts = self.tasks[key] = WorkerTaskState(key)
        return ts

    def _set(self, ts, state, stimulus_id):
        if self.validate:
            self._changed.add(ts)
        ts.history.append((ts.state, state, stimulus_id))
        start, ts.state = ts.state, state
        for hook in self.transition_hooks:
            hook(ts.key, start, state)
        if state == "fetch":
            self.to_fetch.add(ts)
            self._fetch_news = True
        else:
            self.to_fetch.discard(ts)

    def _finished_msg(self, ts, stimulus_id, type_name=None, duration=None):
        return {"op": "task-finished", "key": ts.key, "nbytes": ts.nbytes, "type": type_name,
                "duration": duration, "stimulus_id": stimulus_id}

    def _make_ready(self, ts, stimulus_id):
        self._set(ts, "ready", stimulus_id)
        self.counter += 1
        heapq.heappush(self.ready, (ts.priority, self.counter, ts.key))

    def _dependencies_done(self, ts, stimulus_id):
        for dts in ts.dependents:
            if dts.state == "waiting" and all(d.state == "memory" for d in dts.dependencies):
                self._make_ready(dts, stimulus_id)
        # inputs no longer needed by any local task can go; dropped replicas are reported
        out = []
        dropped = []
        for dep in list(ts.dependencies):
            dep.dependents.discard(ts)
            released = self._release_if_unneeded(dep, stimulus_id)
            if released and dep.fetched:
                dropped.append(dep.key)
            out.extend(released)
        if dropped:
            out.append(("send", {"op": "release-worker-data", "keys": dropped, "stimulus_id": stimulus_id}))
        if ts.state in ("memory", "error"):
            ts.dependencies.clear()
        return out

    def _fetch_failed(self, ts, worker, stimulus_id):
        ts.who_has.discard(worker)
        ts.coming_from = None
        out = [("send", {"op": "missing-data", "key": ts.key, "errant_worker": worker,
                         "stimulus_id": stimulus_id})]
        if ts.who_has:
            self._set(ts, "fetch", stimulus_id)
            return out
        # nobody else has it: give the dependents back to the scheduler, which recomputes the input
        self._set(ts, "missing", stimulus_id)
        for dts in list(ts.dependents):
            if dts.state == "waiting":
                out.append(("send", {"op": "reschedule", "key": dts.key, "stimulus_id": stimulus_id}))
                dts.wanted = False
                out.extend(self._release(dts, stimulus_id))
        return out

    def _release_if_unneeded(self, ts, stimulus_id):
        if ts.wanted or self.tasks.get(ts.key) is not ts:  # wanted, or already released
            return []
        if any(d.state in ("waiting", "ready", "executing") for d in ts.dependents):
            return []
        return self._release(ts, stimulus_id)

    def _release(self, ts, stimulus_id):
        """Forget ``ts`` and unlink it both ways, so no later event reaches it through a stale edge."""
        if self.tasks.get(ts.key) is not ts:  # released before (e.g. as the input of another task)
            return []
        out = []
        state = ts.state
        if state == "executing":
            # cannot interrupt a running thread: forget it, the result is discarded when it returns
            self._stop_executing(ts)
        if state in ("memory", "executing"):
            out.append(("delete", ts.key))
        if state == "flight" and ts.coming_from in self.in_flight:
            self.in_flight[ts.coming_from].discard(ts.key)
        self._set(ts, "released", stimulus_id)
        del self.tasks[ts.key]
        dependencies, ts.dependencies = ts.dependencies, set()
        dependents, ts.dependents = ts.dependents, set()
        for dts in dependents:
            dts.dependencies.discard(ts)
        for dep in dependencies:
            dep.dependents.discard(ts)
            out.extend(self._release_if_unneeded(dep, stimulus_id))
        return out

    def _stop_executing(self, ts):
        if ts in self.long_running:
            self.long_running.discard(ts)  # its resources were returned when it seceded
        else:
            self.executing.discard(ts)
            self._return_resources(ts)

    def _resources_available(self, ts):
        need = ts.resource_restrictions
        return not need or all(self.available_resources.get(r, 0) >= n for r, n in need.items())

    def _take_resources(self, ts):
        for r, n in (ts.resource_restrictions or {}).items():
            self.available_resources[r] = self.available_resources.get(r, 0) - n

    def _return_resources(self, ts):
        for r, n in (ts.resource_restrictions or {}).items():
            self.available_resources[r] = self.available_resources.get(r, 0) + n

    def _next_work(self):
        out = []
        out.extend(self._start_fetches())
        if self.paused:
            return out
        skipped = []
        while self.ready and len(self.executing) < self.nthreads:
            priority, counter, key = heapq.heappop(self.ready)
            ts = self.tasks.get(key)
            if ts is None or ts.state != "ready":
                continue
            if not self._resources_available(ts):
                skipped.append((priority, counter, key))
                continue
            self._take_resources(ts)
            self._set(ts, "executing", "execute")
            self.executing.add(ts)
            out.append(("execute", key))
        for item in skipped:
            heapq.heappush(self.ready, item)
        return out

    def _start_fetches(self):
        if not self._fetch_news:
            return []
        self._fetch_news = False
        out = []
        by_worker = defaultdict(list)
        for ts in list(self.to_fetch):
            if ts.who_has:
                idle = [w for w in ts.who_has if w not in self.in_flight]
                if idle:  # else it waits for a peer that is busy sending to us
                    by_worker[min(idle)].append(ts)
            else:  # the scheduler believes only we hold it, but we do not: have it recomputed
                out.extend(self._fetch_failed(ts, self.address, "no-holder"))
        for worker, tss in by_worker.items():
            if len(self.in_flight) >= self.max_concurrent_fetches:
                break  # the rest starts when a fetch ends (which is news)
            keys = [ts.key for ts in tss]
            for ts in tss:
                self._set(ts, "flight", "gather")
                ts.coming_from = worker
            self.in_flight[worker] = set(keys)
            out.append(("gather", worker, keys))
        return out
