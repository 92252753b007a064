"""The scheduler's decisions as a pure state machine (sans-IO).

Events come in as method calls (a client adds a graph, a worker finished a task, a worker left) with
a stimulus id; each returns the messages to send as ``(client_msgs, worker_msgs)``, two dicts of
address/client id -> list of messages.  Nothing here does I/O, and nothing unpickles task bodies:
run specs, exceptions and tracebacks are opaque values passed through to workers and clients.

Task states: released -> waiting -> (queued | no-worker) -> processing -> memory | erred, and
forgotten once nothing needs a task.  A task is *needed* while a client wants it (``who_wants``) or a
task that is not done yet depends on it (``waiters``).  Tasks without dependencies wait in a priority
queue on the scheduler until a worker has a free slot, which balances load without work stealing;
tasks with dependencies go straight to the worker where they can start earliest.
"""

import heapq
import logging
import re
import time
import traceback
from collections import defaultdict, deque

from shoal.utils import key_split

from .errors import InternalError, KilledWorker
from .protocol import Serialize

logger = logging.getLogger("shoal.distributed.scheduler_state")

ALL_STATES = ("released", "waiting", "queued", "no-worker", "processing", "memory", "erred", "forgotten")
# states in which a task counts as a waiter on its dependencies
PENDING_STATES = frozenset(("waiting", "queued", "no-worker", "processing"))
FIRE_AND_FORGET = "fire-and-forget"


class InvariantError(AssertionError):
    """validate=True found the scheduler state inconsistent."""


FETCH_LATENCY = 0.001  # seconds a dependency fetch from a peer costs besides moving its bytes
ROOT_RUN = 32  # root tasks per thread a worker may get ahead of the least busy one, taking neighbours


_INDEX_WORD = re.compile(r"^(?:[0-9a-f]{8,}|\d+)$")  # the words key_split drops: tokens and indices
_prefixes = {}  # stem -> prefix: keys of one map or one collection share a stem


def key_prefix(key):
    """Group name of a key for duration statistics: ``'inc-1f3a...'`` -> ``'inc'``, as ``key_split``.

    Cached by the key minus a trailing token or index word (which ``key_split`` drops anyway), so
    the 20,000 keys of a map cost one split, not 20,000."""
    name = key[0] if type(key) is tuple and key else key
    stem = name
    if type(name) is str:
        head, dash, last = name.rpartition("-")
        if dash and head and _INDEX_WORD.match(last):
            stem = head
    try:
        return _prefixes[stem]
    except (KeyError, TypeError):
        pass
    prefix = key_split(stem if type(stem) is str else key)
    if len(_prefixes) > 100_000:
        _prefixes.clear()
    try:
        _prefixes[stem] = prefix
    except TypeError:  # an unhashable key part
        pass
    return prefix


class TaskState:
    __slots__ = (
        "key", "prefix", "state", "run_spec", "priority", "dependencies", "dependents", "waiting_on",
        "waiters", "who_wants", "who_has", "processing_on", "nbytes", "retries", "suspicious",
        "exception", "traceback", "exception_text", "traceback_text", "exception_blame",
        "worker_restrictions", "resource_restrictions", "loose_restrictions", "history", "type",
    )

    def __init__(self, key, run_spec, history_length=10):
        self.key = key
        self.prefix = key_prefix(key)
        self.state = "released"
        self.run_spec = run_spec
        self.priority = (0, 0, 0)
        self.dependencies = set()
        self.dependents = set()
        self.waiting_on = set()
        self.waiters = set()
        self.who_wants = set()
        self.who_has = set()
        self.processing_on = None
        self.nbytes = -1
        self.retries = 0
        self.suspicious = 0
        self.exception = None
        self.traceback = None
        self.exception_text = ""
        self.traceback_text = ""
        self.exception_blame = None
        self.worker_restrictions = None
        self.resource_restrictions = None
        self.loose_restrictions = False
        self.history = deque(maxlen=history_length)
        self.type = None

    def needed(self):
        return bool(self.who_wants or self.waiters)

    def __repr__(self):
        return f"<TaskState {self.key!r} {self.state}>"

    def __lt__(self, other):
        return self.priority < other.priority


class WorkerState:
    __slots__ = (
        "address", "name", "nthreads", "memory_limit", "resources", "processing", "occupancy",
        "has_what", "nbytes", "metrics", "last_seen", "local_directory", "pid", "nanny", "status",
        "host", "long_running",
    )

    def __init__(self, address, nthreads=1, memory_limit=0, name=None, resources=None,
                 local_directory="", pid=0, nanny=None):
        self.address = address
        self.name = name if name is not None else address
        self.nthreads = max(int(nthreads), 1)
        self.memory_limit = memory_limit or 0
        self.resources = dict(resources or {})
        self.processing = {}  # TaskState -> expected duration
        self.occupancy = 0.0
        self.has_what = set()
        self.nbytes = 0
        self.metrics = {}
        self.last_seen = time.time()
        self.local_directory = local_directory
        self.pid = pid
        self.nanny = nanny
        self.status = "running"
        self.host = address.split("://")[-1].rpartition(":")[0]
        self.long_running = set()  # processing tasks that seceded: they hold no thread slot

    def __repr__(self):
        return (f"<WorkerState {self.address!r} name={self.name!r} threads={self.nthreads} "
                f"processing={len(self.processing)} memory={len(self.has_what)}>")

    def info(self):
        return {
            "address": self.address, "name": self.name, "nthreads": self.nthreads,
            "memory_limit": self.memory_limit, "resources": self.resources, "host": self.host,
            "local_directory": self.local_directory, "pid": self.pid, "nanny": self.nanny,
            "metrics": self.metrics, "last_seen": self.last_seen, "nbytes": self.nbytes,
            "processing": len(self.processing), "in_memory": len(self.has_what), "status": self.status,
        }


class ClientState:
    __slots__ = ("id", "wants", "last_seen")

    def __init__(self, client_id):
        self.id = client_id
        self.wants = set()
        self.last_seen = time.time()

    def __repr__(self):
        return f"<ClientState {self.id!r} wants={len(self.wants)}>"


class SchedulerState:
    def __init__(self, validate=False, allowed_failures=3, default_task_duration=0.5,
                 bandwidth=100e6, worker_saturation=0.05, history_length=10):
        self.tasks = {}
        self.workers = {}
        self.clients = {}
        self.validate = validate
        self.allowed_failures = allowed_failures
        self.default_task_duration = default_task_duration
        self.bandwidth = bandwidth
        self.worker_saturation = worker_saturation
        self.history_length = history_length
        self.queued = []  # heap of (priority, key) of root tasks waiting for a free worker slot
        self.unrunnable = set()
        self.durations = {}  # task prefix -> running mean duration in seconds
        self.prefix_counts = defaultdict(int)
        self.generation = 0
        self.transition_counter = 0
        self.plugins = []
        self.steals = {}  # key -> (victim address, thief address) of steal requests in flight
        self.stolen_count = 0
        self._client_msgs = defaultdict(list)
        self._worker_msgs = defaultdict(list)
        self._recommendations = {}
        self._last_root_worker = None  # WorkerState that took the last root task

    # ============================================================================================
    # events
    # ============================================================================================

    def add_worker(self, address, nthreads=1, memory_limit=0, name=None, resources=None,
                   stimulus_id="add-worker", **info):
        if address in self.workers:
            raise ValueError(f"Worker {address} is already registered")
        for ws in self.workers.values():
            if name is not None and ws.name == name:
                raise ValueError(f"A worker named {name!r} is already registered at {ws.address}")
        ws = WorkerState(address, nthreads, memory_limit, name, resources,
                         info.get("local_directory", ""), info.get("pid", 0), info.get("nanny"))
        self.workers[address] = ws
        for ts in list(self.unrunnable):
            valid = self._valid_workers(ts)
            if valid is None or ws in valid:
                self._recommend(ts, "ready")
        self._run_recommendations(stimulus_id)
        self._fill_worker(ws, stimulus_id)
        self._notify_plugins("add_worker", address)
        return self._flush()

    def remove_worker(self, address, stimulus_id="remove-worker", safe=False):
        """A worker left (closed, died, timed out): recompute what it held that is still needed."""
        ws = self.workers.pop(address, None)
        if ws is None:
            return self._flush()
        ws.status = "closed"
        if self._last_root_worker is ws:
            self._last_root_worker = None
        for key, (victim, thief) in list(self.steals.items()):
            if address in (victim, thief):
                del self.steals[key]
        for ts in list(ws.processing):
            self._processing_to_released(ts, stimulus_id, notify_worker=False)
            if not safe:
                ts.suspicious += 1
            if ts.suspicious > self.allowed_failures:
                error = KilledWorker(ts.key, address, self.allowed_failures)
                ts.exception = Serialize(error)
                ts.exception_text = str(error)
                self._recommend(ts, "erred")
            else:
                self._recommend(ts, "waiting" if ts.needed() else "released-check")
        for ts in list(ws.has_what):
            ts.who_has.discard(ws)
            if not ts.who_has:
                self._lose_data(ts, stimulus_id)
        ws.has_what.clear()
        self._run_recommendations(stimulus_id)
        self._notify_plugins("remove_worker", address)
        return self._flush()

    def set_worker_status(self, address, status, stimulus_id="worker-status"):
        """A worker starts retiring (``closing_gracefully``: no new tasks) or is back ``running``."""
        ws = self.workers.get(address)
        if ws is not None:
            ws.status = status
            self._fill_worker(ws, stimulus_id)
        return self._flush()

    def add_client(self, client_id):
        self.clients.setdefault(client_id, ClientState(client_id))
        return self._flush()

    def remove_client(self, client_id, stimulus_id="remove-client"):
        cs = self.clients.pop(client_id, None)
        if cs is not None:
            self._client_releases(cs, [ts.key for ts in cs.wants], stimulus_id)
        return self._flush()

    def update_graph(self, client, tasks, dependencies, keys, priority=None, user_priority=0,
                     restrictions=None, loose_restrictions=(), resources=None, retries=None,
                     stimulus_id="update-graph", fifo_timeout=None):
        """A client adds ``tasks`` (key -> opaque run spec) with their ``dependencies`` and wants ``keys``.

        Keys already known keep their state (shared work is computed once).  ``priority`` is the graph
        order (lower runs first); ``user_priority`` (higher runs first) may be a number or a dict per key.
        """
        cs = self.clients.get(client) or self.clients.setdefault(client, ClientState(client))
        self.generation += 1
        priority = priority or {}
        restrictions = restrictions or {}
        resources = resources or {}
        retries = retries or {}
        loose = set(loose_restrictions or ())
        new = []
        for key, run_spec in tasks.items():
            ts = self.tasks.get(key)
            if ts is None:
                ts = self.tasks[key] = TaskState(key, run_spec, self.history_length)
                new.append(ts)
            elif ts.run_spec is None and ts.state in ("released", "erred"):
                ts.run_spec = run_spec
                new.append(ts)
        missing = {}
        for ts in new:
            for dep_key in dependencies.get(ts.key, ()):
                dts = self.tasks.get(dep_key)
                if dts is None:
                    missing.setdefault(ts, []).append(dep_key)
                    continue
                ts.dependencies.add(dts)
                dts.dependents.add(ts)
            up = user_priority.get(ts.key, 0) if isinstance(user_priority, dict) else user_priority
            ts.priority = (-(up or 0), self.generation, priority.get(ts.key, 0))
            if ts.key in restrictions:
                ts.worker_restrictions = set(restrictions[ts.key])
                ts.loose_restrictions = ts.key in loose
            if ts.key in resources:
                ts.resource_restrictions = dict(resources[ts.key])
            if ts.key in retries:
                ts.retries = int(retries[ts.key])
            self.prefix_counts[ts.prefix] += 1
        for ts, dep_keys in missing.items():
            error = ValueError(
                f"Task {ts.key!r} depends on {dep_keys[0]!r}, which the scheduler does not have: its "
                "future was released or cancelled, or it was never submitted"
            )
            ts.exception = Serialize(error)
            ts.exception_text = str(error)
            self._to_erred(ts, stimulus_id)
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None:
                self._client_msgs[client].append(
                    {"op": "cancelled-key", "key": key, "reason": f"key {key!r} is unknown to the scheduler"}
                )
                continue
            ts.who_wants.add(cs)
            cs.wants.add(ts)
            self._want(ts)
        self._run_recommendations(stimulus_id)
        for key in keys:
            ts = self.tasks.get(key)
            if ts is not None:
                self._report_state(ts, client)
        return self._flush()

    def client_desires_keys(self, client, keys, stimulus_id="client-desires-keys"):
        cs = self.clients.get(client) or self.clients.setdefault(client, ClientState(client))
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None:
                self._client_msgs[client].append({"op": "cancelled-key", "key": key, "reason": "unknown key"})
                continue
            ts.who_wants.add(cs)
            cs.wants.add(ts)
            self._want(ts)
            self._report_state(ts, client)
        self._run_recommendations(stimulus_id)
        return self._flush()

    def client_releases_keys(self, client, keys, stimulus_id="client-releases-keys"):
        cs = self.clients.get(client)
        if cs is not None:
            self._client_releases(cs, keys, stimulus_id)
        return self._flush()

    def cancel(self, client, keys, force=False, stimulus_id="cancel"):
        """Cancel ``keys`` for ``client`` (for every client with ``force``) and tell the other clients.

        ``client`` itself is not told: it cancelled its futures already, and a late echo would cancel
        the fresh future of a key it submits again right after.
        """
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None:
                continue
            clients = list(ts.who_wants) if force else [c for c in ts.who_wants if c.id == client]
            for cs in clients:
                if cs.id != client:
                    self._client_msgs[cs.id].append({"op": "cancelled-key", "key": key, "reason": "cancelled"})
                self._client_releases(cs, [key], stimulus_id)
        return self._flush()

    def task_finished(self, worker, key, nbytes=0, type=None, duration=None, stimulus_id="task-finished",
                      value=None):
        """``worker`` computed ``key``.  ``value``: a small result as opaque bytes, relayed to clients."""
        ts = self.tasks.get(key)
        ws = self.workers.get(worker)
        if ws is None:
            return self._flush()
        if ts is None or ts.state in ("released", "erred", "forgotten", "waiting", "queued", "no-worker"):
            # stale result: the scheduler no longer wants it from this worker
            self._worker_msgs[worker].append({"op": "free-keys", "keys": [key], "stimulus_id": stimulus_id})
            return self._flush()
        if ts.state == "memory":
            self._add_replica(ts, ws)
            return self._flush()
        if duration is not None:
            self._record_duration(ts.prefix, duration)
        ts.nbytes = nbytes or 0
        ts.type = type
        owner = ts.processing_on
        self._remove_from_processing(ts, owner)
        if owner is not None and owner is not ws:
            self._worker_msgs[owner.address].append(
                {"op": "free-keys", "keys": [key], "stimulus_id": stimulus_id}
            )
        self._add_replica(ts, ws)
        self._set_state(ts, "processing", "memory", stimulus_id)
        self._after_memory(ts, stimulus_id, value=value)
        self._run_recommendations(stimulus_id)
        self._fill_worker(ws, stimulus_id)
        if owner is not None and owner is not ws:
            self._fill_worker(owner, stimulus_id)
        return self._flush()

    def task_erred(self, worker, key, exception=None, traceback=None, exception_text="",
                   traceback_text="", stimulus_id="task-erred"):
        ts = self.tasks.get(key)
        ws = self.workers.get(worker)
        if ts is None or ts.state != "processing" or ws is None or ts.processing_on is not ws:
            return self._flush()
        self._processing_to_released(ts, stimulus_id, notify_worker=False)
        if ts.retries > 0:
            ts.retries -= 1
            self._recommend(ts, "waiting")
        else:
            ts.exception, ts.traceback = exception, traceback
            ts.exception_text, ts.traceback_text = exception_text, traceback_text
            self._recommend(ts, "erred")
        self._run_recommendations(stimulus_id)
        self._fill_worker(ws, stimulus_id)
        return self._flush()

    def missing_data(self, key, errant_worker, stimulus_id="missing-data"):
        """A worker could not fetch ``key`` from ``errant_worker``: drop that replica."""
        return self.release_worker_data(errant_worker, [key], stimulus_id=stimulus_id)

    def reschedule(self, key, worker, stimulus_id="reschedule"):
        """A worker gave a processing task back (its dependencies vanished): place it again."""
        ts = self.tasks.get(key)
        ws = self.workers.get(worker)
        if ts is not None and ts.state == "processing" and ts.processing_on is ws:
            self._processing_to_released(ts, stimulus_id, notify_worker=False)
            self._recommend(ts, "waiting" if ts.needed() else "released-check")
            self._run_recommendations(stimulus_id)
            self._fill_worker(ws, stimulus_id)
        return self._flush()

    def release_worker_data(self, worker, keys, stimulus_id="release-worker-data"):
        """``worker`` no longer holds ``keys`` (replicas it dropped, or a peer could not fetch them there).

        A key whose last copy this was is recomputed if still needed."""
        ws = self.workers.get(worker)
        if ws is None:
            return self._flush()
        for key in keys:
            ts = self.tasks.get(key)
            if ts is not None and ws in ts.who_has:
                self._remove_replica(ts, ws)
                if not ts.who_has:
                    self._lose_data(ts, stimulus_id)
        self._run_recommendations(stimulus_id)
        return self._flush()

    def move_replicas(self, moves, stimulus_id="rebalance"):
        """``moves`` is ``[(key, sender, recipient)]`` already copied to the recipient: record the new
        copy and tell each sender to free its own (``Client.rebalance``)."""
        for key, sender, recipient in moves:
            ts = self.tasks.get(key)
            old, new = self.workers.get(sender), self.workers.get(recipient)
            if ts is None or ts.state != "memory" or new is None:
                continue
            self._add_replica(ts, new)
            if old is not None and old in ts.who_has and old is not new:
                self._remove_replica(ts, old)
                self._worker_msgs[sender].append({"op": "free-keys", "keys": [key], "stimulus_id": stimulus_id})
        return self._flush()

    def add_keys(self, worker, keys, stimulus_id="add-keys"):
        """A worker now also holds ``keys`` (fetched as dependencies)."""
        ws = self.workers.get(worker)
        if ws is None:
            return self._flush()
        stale = []
        for key in keys:
            ts = self.tasks.get(key)
            if ts is not None and ts.state == "memory":
                self._add_replica(ts, ws)
            elif ts is None or ts.processing_on is not ws:
                # a replica nobody needs; but never free a key this worker was just asked to compute:
                # the free-keys would arrive after the compute-task and silently drop it
                stale.append(key)
        if stale:
            self._worker_msgs[worker].append({"op": "free-keys", "keys": stale, "stimulus_id": stimulus_id})
        return self._flush()

    def update_data(self, who_has, nbytes, client=None, stimulus_id="update-data"):
        """Data placed on workers directly (``Client.scatter``): record it as computed tasks."""
        for key, workers in who_has.items():
            ts = self.tasks.get(key)
            if ts is None:
                ts = self.tasks[key] = TaskState(key, None, self.history_length)
            workers = [self.workers[w] for w in workers if w in self.workers]
            if not workers:
                continue
            if ts.state != "memory":
                if ts.state == "processing":
                    self._remove_from_processing(ts, ts.processing_on)
                ts.nbytes = nbytes.get(key, 0)
                for ws in workers:
                    self._add_replica(ts, ws)
                self._set_state(ts, ts.state, "memory", stimulus_id)
                self._after_memory(ts, stimulus_id, release_unneeded=False)
            else:
                for ws in workers:
                    self._add_replica(ts, ws)
            if client is not None:
                cs = self.clients.get(client) or self.clients.setdefault(client, ClientState(client))
                ts.who_wants.add(cs)
                cs.wants.add(ts)
        self._run_recommendations(stimulus_id)
        return self._flush()

    def retry(self, client, keys, stimulus_id="retry"):
        """Run erred ``keys`` (and the erred tasks they depend on) again."""
        roots = set()
        stack = [self.tasks[k] for k in keys if k in self.tasks]
        seen = set()
        while stack:
            ts = stack.pop()
            if ts in seen or ts.state != "erred":
                continue
            seen.add(ts)
            if ts.exception_blame is not None and ts.exception_blame is not ts:
                stack.append(ts.exception_blame)
                stack.extend(ts.dependencies)
            else:
                roots.add(ts)
        for ts in seen:
            ts.exception = ts.traceback = ts.exception_blame = None
            ts.exception_text = ts.traceback_text = ""
            self._set_state(ts, "erred", "released", stimulus_id)
        for ts in seen:
            if ts.needed():
                self._recommend(ts, "waiting")
        self._run_recommendations(stimulus_id)
        return self._flush()

    def balance(self, stimulus_id="balance"):
        """Work stealing: move tasks that have not started from saturated workers to idle ones.

        The victim is asked first (``steal-request``); only if it had not started the task does
        ``steal_response`` hand it to the thief, so a task never runs twice because of a steal.
        """
        idle = [ws for ws in self.workers.values()
                if ws.status == "running" and len(ws.processing) < ws.nthreads]
        if not idle or self.queued and any(ts.state == "queued" for _, _, ts in self.queued[:1]):
            return self._flush()
        victims = sorted((ws for ws in self.workers.values() if len(ws.processing) > ws.nthreads + 1),
                         key=lambda ws: ws.occupancy / ws.nthreads, reverse=True)
        for thief in idle:
            for victim in victims:
                wanted = thief.nthreads - len(thief.processing)
                for ts in sorted(victim.processing, key=lambda t: t.priority, reverse=True):
                    if wanted <= 0 or len(victim.processing) <= victim.nthreads + 1:
                        break
                    if ts.key in self.steals or not self._worth_stealing(ts, victim, thief):
                        continue
                    self.steals[ts.key] = (victim.address, thief.address)
                    self._worker_msgs[victim.address].append(
                        {"op": "steal-request", "key": ts.key, "stimulus_id": stimulus_id})
                    wanted -= 1
        return self._flush()

    def _worth_stealing(self, ts, victim, thief):
        if ts.worker_restrictions is not None or ts.resource_restrictions:
            valid = self._valid_workers(ts)
            if valid is not None and thief not in valid:
                return False
        missing = [d for d in ts.dependencies if thief not in d.who_has]
        transfer = sum(max(d.nbytes, 0) for d in missing) / self.bandwidth + FETCH_LATENCY * len(missing)
        wait_on_victim = victim.occupancy / victim.nthreads
        return transfer < wait_on_victim

    def steal_response(self, worker, key, state, stimulus_id="steal-response"):
        """The victim says whether it gave ``key`` up (it had not started it)."""
        victim_thief = self.steals.pop(key, None)
        ts = self.tasks.get(key)
        if victim_thief is None or ts is None or victim_thief[0] != worker:
            return self._flush()
        victim = self.workers.get(worker)
        thief = self.workers.get(victim_thief[1])
        released = state in ("waiting", "ready", "released", "fetch", "flight", "missing", None)
        if not released or ts.state != "processing" or ts.processing_on is not victim:
            return self._flush()
        self._remove_from_processing(ts, victim)
        if thief is None or thief.address not in self.workers:
            self._set_state(ts, "processing", "released", stimulus_id)
            ts.processing_on = None
            self._detach_from_dependencies(ts)
            self._recommend(ts, "waiting" if ts.needed() else "released-check")
        else:
            self._to_processing(ts, thief, stimulus_id)
            self.stolen_count += 1
        self._run_recommendations(stimulus_id)
        if self.validate:
            self.validate_task(ts)
        return self._flush()

    def long_running(self, worker, key, stimulus_id="long-running"):
        """A task on ``worker`` seceded from its thread pool: its slot can take other work."""
        ts = self.tasks.get(key)
        ws = self.workers.get(worker)
        if ts is not None and ws is not None and ts.processing_on is ws and ts not in ws.long_running:
            ws.long_running.add(ts)
            ws.occupancy = max(ws.occupancy - ws.processing[ts], 0.0)
            ws.processing[ts] = 0.0
            self._fill_worker(ws, stimulus_id)
        return self._flush()

    def worker_metrics(self, worker, metrics):
        ws = self.workers.get(worker)
        if ws is not None:
            ws.metrics = dict(metrics)
            ws.last_seen = time.time()
        return ws is not None

    # ============================================================================================
    # queries
    # ============================================================================================

    def who_has(self, keys=None):
        keys = self.tasks if keys is None else keys
        return {k: sorted(ws.address for ws in self.tasks[k].who_has) if k in self.tasks else [] for k in keys}

    def has_what(self, workers=None):
        workers = self.workers if workers is None else workers
        return {w: [ts.key for ts in self.workers[w].has_what] if w in self.workers else [] for w in workers}

    def ncores(self):
        return {w: ws.nthreads for w, ws in self.workers.items()}

    def processing(self):
        return {w: [ts.key for ts in ws.processing] for w, ws in self.workers.items()}

    def story(self, key):
        ts = self.tasks.get(key)
        return list(ts.history) if ts is not None else []

    def counts(self):
        counts = defaultdict(int)
        for ts in self.tasks.values():
            counts[ts.state] += 1
        return dict(counts)

    # ============================================================================================
    # transitions
    # ============================================================================================

    def _recommend(self, ts, finish):
        self._recommendations[ts.key] = finish

    def _run_recommendations(self, stimulus_id):
        recs = self._recommendations
        while recs:
            key, finish = recs.popitem()
            ts = self.tasks.get(key)
            if ts is None:
                continue
            self._transition(ts, finish, stimulus_id)

    def _transition(self, ts, finish, stimulus_id):
        """Apply one transition; a bug in it fails the task (the client sees the error) instead of losing it."""
        start = ts.state
        try:
            self._apply_transition(ts, finish, stimulus_id)
        except Exception as e:
            self._fail_internally(ts, e, f"transition {start} -> {finish}", stimulus_id)

    def _apply_transition(self, ts, finish, stimulus_id):
        start = ts.state
        if finish == "released-check":  # release or forget, whichever fits now
            finish = "released" if ts.needed() or ts.dependents else "forgotten"
        if start == finish:
            return
        if finish == "waiting":
            if start in ("released",):
                self._to_waiting(ts, stimulus_id)
            elif start == "erred" and ts.needed() and ts.exception_blame is None and ts.exception is None:
                self._to_waiting(ts, stimulus_id)
        elif finish == "ready":
            if (start == "waiting" and not ts.waiting_on) or start == "no-worker":
                self.unrunnable.discard(ts)
                self._to_ready(ts, stimulus_id)
        elif finish == "erred":
            if start in ("released", "waiting", "queued", "no-worker", "processing"):
                self._to_erred(ts, stimulus_id)
        elif finish == "released":
            if start != "erred" and ts.needed():
                return  # needed again since this was recommended
            if start in ("waiting", "queued", "no-worker", "processing", "memory", "erred"):
                self._to_released(ts, stimulus_id)
        elif finish == "forgotten":
            if start in ("released", "erred") and not ts.needed() and not ts.dependents:
                self._to_forgotten(ts, stimulus_id)
            elif start not in ("released", "erred") and not ts.needed():
                self._to_released(ts, stimulus_id)
                self._recommend(ts, "forgotten")
        if self.validate and ts.key in self.tasks:
            self.validate_task(ts)

    def fail_task(self, key, exc, what, stimulus_id="internal-error"):
        """Handling ``what`` for ``key`` raised ``exc``: err the task with an InternalError."""
        ts = self.tasks.get(key)
        if ts is not None:
            self._fail_internally(ts, exc, what, stimulus_id)
            self._run_recommendations(stimulus_id)
        return self._flush()

    def _fail_internally(self, ts, exc, what, stimulus_id):
        logger.exception("Scheduler: internal error in %s for %r", what, ts.key)
        if self.tasks.get(ts.key) is not ts or ts.state in ("memory", "erred"):
            return  # nothing is waiting for an answer about it
        error = InternalError(f"internal error on the scheduler in {what} for {ts.key!r}: "
                              f"{type(exc).__name__}: {exc}")
        ts.exception, ts.exception_text = Serialize(error), str(error)
        ts.traceback, ts.traceback_text = None, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            if ts.state == "processing":
                self._processing_to_released(ts, stimulus_id)
            self._to_erred(ts, stimulus_id)
        except Exception:  # the bookkeeping is too broken to fail it cleanly: still tell the clients
            logger.exception("Scheduler: could not fail %r cleanly", ts.key)
            ts.state = "erred"
            for cs in ts.who_wants:
                self._client_msgs[cs.id].append(self._erred_msg(ts, ts))

    def _set_state(self, ts, start, finish, stimulus_id):
        ts.state = finish
        ts.history.append((start, finish, stimulus_id, time.time()))
        self.transition_counter += 1
        if self.plugins:
            self._notify_plugins("transition", ts.key, start, finish)

    def _want(self, ts):
        if ts.state in ("released",):
            self._recommend(ts, "waiting")

    def _to_waiting(self, ts, stimulus_id):
        if ts.run_spec is None:
            # data that only existed on workers (scattered) is gone and cannot be recomputed
            ts.exception = Serialize(_lost_error(ts.key))
            ts.exception_text = str(_lost_error(ts.key))
            self._to_erred(ts, stimulus_id)
            return
        ts.waiting_on.clear()
        for dts in ts.dependencies:
            if dts.state == "erred":
                ts.exception_blame = dts.exception_blame or dts
                self._set_state(ts, ts.state, "waiting", stimulus_id)
                self._to_erred(ts, stimulus_id)
                return
        for dts in ts.dependencies:
            dts.waiters.add(ts)
            if dts.state != "memory":
                ts.waiting_on.add(dts)
                if dts.state == "released":
                    self._recommend(dts, "waiting")
        self._set_state(ts, ts.state, "waiting", stimulus_id)
        if not ts.waiting_on:
            self._to_ready(ts, stimulus_id)

    def _to_ready(self, ts, stimulus_id):
        """All dependencies are in memory: run now, queue for a free slot, or wait for a valid worker."""
        valid = self._valid_workers(ts)
        if valid is not None and not valid:
            self._set_state(ts, ts.state, "no-worker", stimulus_id)
            self.unrunnable.add(ts)
            return
        if not ts.dependencies and valid is None:
            ws = self._least_busy_with_slot()
            if ws is None:
                self._set_state(ts, ts.state, "queued", stimulus_id)
                heapq.heappush(self.queued, (ts.priority, self.transition_counter, ts))
                return
        else:
            ws = self._best_worker(ts, valid)
            if ws is None:
                self._set_state(ts, ts.state, "no-worker", stimulus_id)
                self.unrunnable.add(ts)
                return
        self._to_processing(ts, ws, stimulus_id)

    def _to_processing(self, ts, ws, stimulus_id):
        self.unrunnable.discard(ts)
        duration = self._expected_duration(ts)
        ws.processing[ts] = duration
        ws.occupancy += duration
        ts.processing_on = ws
        self._set_state(ts, ts.state, "processing", stimulus_id)
        msg = {"op": "compute-task", "key": ts.key, "run_spec": ts.run_spec, "priority": ts.priority,
               "duration": duration, "stimulus_id": stimulus_id}
        if ts.dependencies:  # left out when empty: less to pack and unpack per task
            msg["who_has"] = {d.key: [w.address for w in d.who_has] for d in ts.dependencies}
            msg["nbytes"] = {d.key: d.nbytes for d in ts.dependencies}
        if ts.resource_restrictions:
            msg["resource_restrictions"] = ts.resource_restrictions
        self._worker_msgs[ws.address].append(msg)

    def _to_erred(self, ts, stimulus_id):
        """``ts`` failed (or a dependency did): tell wanting clients, fail what waits on it."""
        start = ts.state
        self._detach_from_dependencies(ts)
        if start == "queued":
            pass  # stale heap entries are skipped when popped
        self.unrunnable.discard(ts)
        if ts.exception is None and ts.exception_blame is None:
            ts.exception_blame = ts
        self._set_state(ts, start, "erred", stimulus_id)
        blame = ts.exception_blame or ts
        for cs in ts.who_wants:
            self._client_msgs[cs.id].append(self._erred_msg(ts, blame))
        for dts in ts.dependents:
            if dts.state in ("waiting", "queued", "no-worker"):
                dts.exception_blame = blame
                self._recommend(dts, "erred")
        self._drop_fire_and_forget(ts)
        if not ts.needed() and not ts.dependents:
            self._recommend(ts, "forgotten")

    @staticmethod
    def _erred_msg(ts, blame):
        source = blame if blame.exception is not None else ts
        return {
            "op": "task-erred",
            "key": ts.key,
            "blame": blame.key,
            "exception": source.exception,
            "traceback": source.traceback,
            "exception_text": source.exception_text,
            "traceback_text": source.traceback_text,
        }

    def _to_released(self, ts, stimulus_id):
        start = ts.state
        if start == "processing":
            ws = ts.processing_on
            self._remove_from_processing(ts, ws)
            if ws is not None:
                self._worker_msgs[ws.address].append(
                    {"op": "free-keys", "keys": [ts.key], "stimulus_id": stimulus_id}
                )
                self._fill_worker(ws, stimulus_id)
        elif start == "memory":
            for ws in ts.who_has:
                ws.has_what.discard(ts)
                ws.nbytes -= max(ts.nbytes, 0)
                self._worker_msgs[ws.address].append(
                    {"op": "free-keys", "keys": [ts.key], "stimulus_id": stimulus_id}
                )
            ts.who_has.clear()
            for dts in list(ts.dependents):  # dependents that used this data must wait for it again
                if dts.state == "waiting":
                    dts.waiting_on.add(ts)
                elif dts.state in PENDING_STATES:
                    self._restart(dts, stimulus_id)
        elif start == "erred":
            ts.exception = ts.traceback = ts.exception_blame = None
            ts.exception_text = ts.traceback_text = ""
        self.unrunnable.discard(ts)
        self._detach_from_dependencies(ts)
        self._set_state(ts, start, "released", stimulus_id)
        if ts.needed():
            self._recommend(ts, "waiting")
        elif not ts.dependents:
            self._recommend(ts, "forgotten")

    def _processing_to_released(self, ts, stimulus_id, notify_worker=True):
        ws = ts.processing_on
        self._remove_from_processing(ts, ws)
        if notify_worker and ws is not None:
            self._worker_msgs[ws.address].append({"op": "free-keys", "keys": [ts.key], "stimulus_id": stimulus_id})
        self._detach_from_dependencies(ts)
        self._set_state(ts, "processing", "released", stimulus_id)
        return ws

    def _restart(self, ts, stimulus_id):
        """Take a queued/no-worker/processing task back to released; it waits again if needed."""
        if ts.state == "processing":
            ws = self._processing_to_released(ts, stimulus_id)
            self._fill_worker(ws, stimulus_id)
        else:
            self.unrunnable.discard(ts)
            self._detach_from_dependencies(ts)
            self._set_state(ts, ts.state, "released", stimulus_id)
        self._recommend(ts, "waiting" if ts.needed() else "released-check")

    def _to_forgotten(self, ts, stimulus_id):
        self._set_state(ts, ts.state, "forgotten", stimulus_id)
        for dts in ts.dependencies:
            dts.dependents.discard(ts)
            dts.waiters.discard(ts)
            if not dts.needed() and not dts.dependents:
                self._recommend(dts, "forgotten")
            elif not dts.needed() and dts.state == "memory":
                self._recommend(dts, "released")
        for cs in ts.who_wants:  # a forced forget: the clients must hear about it
            cs.wants.discard(ts)
            self._client_msgs[cs.id].append({"op": "cancelled-key", "key": ts.key, "reason": "forgotten"})
        ts.who_wants.clear()
        ts.dependencies.clear()
        del self.tasks[ts.key]

    def _detach_from_dependencies(self, ts):
        """``ts`` no longer needs its dependencies' data; release the ones nobody else needs."""
        ts.waiting_on.clear()
        for dts in ts.dependencies:
            if ts in dts.waiters:
                dts.waiters.discard(ts)
                if not dts.needed():
                    if dts.state == "memory":
                        self._recommend(dts, "released")
                    elif dts.state in PENDING_STATES:
                        self._recommend(dts, "released")

    def _after_memory(self, ts, stimulus_id, release_unneeded=True, value=None):
        """``ts`` just reached memory: wake its dependents, drop inputs nobody needs any more."""
        ts.waiting_on.clear()
        for dts in ts.dependencies:
            if ts in dts.waiters:
                dts.waiters.discard(ts)
                if not dts.needed() and dts.state == "memory":
                    self._recommend(dts, "released")
        for dts in ts.dependents:
            if ts in dts.waiting_on:
                dts.waiting_on.discard(ts)
                if not dts.waiting_on and dts.state == "waiting":
                    self._recommend(dts, "ready")
        workers = [ws.address for ws in ts.who_has]
        for cs in ts.who_wants:
            msg = {"op": "key-in-memory", "key": ts.key, "type": ts.type, "workers": workers}
            if value is not None:
                msg["value"] = value
            self._client_msgs[cs.id].append(msg)
        self._drop_fire_and_forget(ts)
        if release_unneeded and not ts.needed():
            self._recommend(ts, "released")

    def _drop_fire_and_forget(self, ts):
        """Keys handed to fire_and_forget are wanted only until they finish."""
        ff = self.clients.get(FIRE_AND_FORGET)
        if ff is not None and ff in ts.who_wants:
            ts.who_wants.discard(ff)
            ff.wants.discard(ts)

    def _lose_data(self, ts, stimulus_id):
        """The last copy of ``ts`` is gone: recompute it if needed, re-place dependents using it."""
        for cs in ts.who_wants:
            self._client_msgs[cs.id].append({"op": "lost-data", "key": ts.key})
        self._to_released(ts, stimulus_id)

    def _client_releases(self, cs, keys, stimulus_id):
        for key in keys:
            ts = self.tasks.get(key)
            if ts is None or cs not in ts.who_wants:
                continue
            ts.who_wants.discard(cs)
            cs.wants.discard(ts)
            if not ts.needed():
                if ts.state == "erred" or ts.state == "released":
                    self._recommend(ts, "forgotten")
                else:
                    self._recommend(ts, "released")
        self._run_recommendations(stimulus_id)

    def _report_state(self, ts, client):
        if ts.state == "memory":
            self._client_msgs[client].append({
                "op": "key-in-memory", "key": ts.key, "type": ts.type,
                "workers": [ws.address for ws in ts.who_has],
            })
        elif ts.state == "erred":
            self._client_msgs[client].append(self._erred_msg(ts, ts.exception_blame or ts))

    # ============================================================================================
    # placement
    # ============================================================================================

    def _valid_workers(self, ts):
        """Workers allowed to run ``ts``; ``None`` means any worker."""
        if ts.worker_restrictions is None and not ts.resource_restrictions:
            return None
        candidates = list(self.workers.values())
        if ts.worker_restrictions is not None:
            allowed = ts.worker_restrictions
            candidates = [ws for ws in candidates
                          if ws.address in allowed or ws.name in allowed or ws.host in allowed]
        if ts.resource_restrictions:
            need = ts.resource_restrictions
            candidates = [ws for ws in candidates
                          if all(ws.resources.get(r, 0) >= amount for r, amount in need.items())]
        if not candidates and ts.loose_restrictions and not ts.resource_restrictions:
            return None
        return candidates

    def _has_slot(self, ws):
        n = len(ws.processing) - len(ws.long_running)
        return n <= ws.nthreads or (ws.occupancy < self.worker_saturation * ws.nthreads and n < 10_000)

    def _ran_low(self, ws):
        """Refill ``ws`` from the queue once a thread is free or half its saturation ran down: it then
        gets a run of consecutive tasks, rather than one task at a time alternating with the other
        workers, which would split every pair of siblings between two workers."""
        n = len(ws.processing) - len(ws.long_running)
        return n <= ws.nthreads or (ws.occupancy < self.worker_saturation * ws.nthreads / 2 and n < 5_000)

    def _least_busy_with_slot(self):
        """Where a root task goes: the least busy worker with room, except that the worker that took
        the previous root task keeps taking them until it is ``ROOT_RUN`` tasks per thread ahead.
        Neighbouring tasks (siblings that a later task combines) then land together in runs, and
        only the siblings at the ends of a run have to move."""
        best = None
        best_load = None
        for ws in self.workers.values():
            if ws.status != "running" or not self._has_slot(ws):
                continue
            load = len(ws.processing) / ws.nthreads
            if best is None or load < best_load:
                best, best_load = ws, load
        last = self._last_root_worker
        if best is not None and last is not None and last is not best and last.status == "running" \
                and self.workers.get(last.address) is last and self._has_slot(last) \
                and len(last.processing) / last.nthreads < best_load + ROOT_RUN:
            return last
        self._last_root_worker = best
        return best

    def _best_worker(self, ts, valid=None):
        """The worker where ``ts`` can start earliest: queued work plus time to fetch its inputs."""
        if valid is None:
            holders = {ws for dts in ts.dependencies for ws in dts.who_has}
            if len(self.workers) <= 32:
                valid = [ws for ws in self.workers.values() if ws.status == "running"]
            else:
                idle = [ws for ws in self.workers.values() if len(ws.processing) < ws.nthreads][:8]
                valid = list(holders.union(idle)) or list(self.workers.values())
        valid = [ws for ws in valid if ws.status == "running"] or valid  # spare retiring workers if we can
        best = None
        best_cost = None
        for ws in valid:
            missing = [dts for dts in ts.dependencies if ws not in dts.who_has]
            # every fetch costs a round trip on top of its bytes: small results stay where they are
            transfer = sum(max(dts.nbytes, 0) for dts in missing) / self.bandwidth + FETCH_LATENCY * len(missing)
            cost = (ws.occupancy / ws.nthreads + transfer, len(ws.processing), ws.nbytes)
            if best is None or cost < best_cost:
                best, best_cost = ws, cost
        return best

    def _fill_worker(self, ws, stimulus_id):
        """Hand queued root tasks to ``ws`` while it has free slots."""
        if ws is None or ws.address not in self.workers or ws.status != "running":
            return  # a retiring worker takes no new work
        if not self.queued or not self._ran_low(ws):
            return
        while self.queued and self._has_slot(ws):
            _priority, _, ts = heapq.heappop(self.queued)
            if ts.state != "queued" or ts.key not in self.tasks:
                continue
            self._to_processing(ts, ws, stimulus_id)
            if self.validate:
                self.validate_task(ts)

    def _remove_from_processing(self, ts, ws):
        if ws is not None:
            ws.long_running.discard(ts)
            duration = ws.processing.pop(ts, None)
            if duration is not None:
                ws.occupancy = max(ws.occupancy - duration, 0.0) if ws.processing else 0.0
        ts.processing_on = None

    def _add_replica(self, ts, ws):
        if ws not in ts.who_has:
            ts.who_has.add(ws)
            ws.has_what.add(ts)
            ws.nbytes += max(ts.nbytes, 0)

    def _remove_replica(self, ts, ws):
        ts.who_has.discard(ws)
        ws.has_what.discard(ts)
        ws.nbytes -= max(ts.nbytes, 0)

    def _expected_duration(self, ts):
        return self.durations.get(ts.prefix, self.default_task_duration)

    def _record_duration(self, prefix, duration):
        old = self.durations.get(prefix)
        self.durations[prefix] = duration if old is None else 0.5 * old + 0.5 * duration

    def _notify_plugins(self, method, *args):
        for plugin in self.plugins:
            fn = getattr(plugin, method, None)
            if fn is None:
                continue
            try:
                fn(*args)
            except Exception:  # a user's plugin must not break the scheduler's bookkeeping
                logger.exception("Scheduler plugin %r failed in %s%r", plugin, method, args)

    def _flush(self):
        client_msgs, worker_msgs = self._client_msgs, self._worker_msgs
        if client_msgs:
            self._client_msgs = defaultdict(list)
        if worker_msgs:
            self._worker_msgs = defaultdict(list)
        return client_msgs, worker_msgs

    # ============================================================================================
    # invariants
    # ============================================================================================

    def validate_task(self, ts):
        def check(cond, what):
            if not cond:
                raise InvariantError(f"{ts!r}: {what}; history: {list(ts.history)}")

        state = ts.state
        check(state in ALL_STATES and state != "forgotten", f"bad state {state!r}")
        check(self.tasks.get(ts.key) is ts, "not registered under its key")
        for dts in ts.dependencies:
            check(ts in dts.dependents, f"dependency {dts.key!r} does not list it as dependent")
        for dts in ts.dependents:
            check(ts in dts.dependencies, f"dependent {dts.key!r} does not list it as dependency")
        for cs in ts.who_wants:
            check(ts in cs.wants, f"client {cs.id} does not list it as wanted")
        if state == "memory":
            check(ts.who_has, "in memory but no worker has it")
            check(ts.processing_on is None, "in memory but still processing")
            for ws in ts.who_has:
                check(ts in ws.has_what, f"{ws.address} does not list it in has_what")
            check(not ts.waiting_on, "in memory but waiting on dependencies")
        else:
            check(not ts.who_has, f"{state} but held by {[w.address for w in ts.who_has]}")
        if state == "processing":
            ws = ts.processing_on
            check(ws is not None and ts in ws.processing, "processing but not on a worker")
            check(ws.address in self.workers, f"processing on removed worker {ws.address}")
            for dts in ts.dependencies:
                check(dts.state == "memory", f"processing but dependency {dts.key!r} is {dts.state}")
                check(ts in dts.waiters, f"processing but not a waiter of {dts.key!r}")
        else:
            check(ts.processing_on is None, f"{state} but processing_on is set")
        if state == "waiting":
            check(ts.waiting_on, "waiting on nothing")
            for dts in ts.dependencies:
                check(ts in dts.waiters, f"waiting but not a waiter of {dts.key!r}")
                check((dts in ts.waiting_on) == (dts.state != "memory"),
                      f"waiting_on disagrees with {dts.key!r} in {dts.state}")
                check(dts.state != "forgotten", f"dependency {dts.key!r} forgotten")
        else:
            check(not ts.waiting_on, f"{state} but waiting_on={[d.key for d in ts.waiting_on]}")
        if state in ("queued", "no-worker"):
            for dts in ts.dependencies:
                check(dts.state == "memory", f"{state} but dependency {dts.key!r} is {dts.state}")
        if state in PENDING_STATES:
            check(ts.run_spec is not None, f"{state} without a run spec")
        if state == "no-worker":
            check(ts in self.unrunnable, "no-worker but not in unrunnable")
        else:
            check(ts not in self.unrunnable, f"{state} but in unrunnable")
        if state == "erred":
            check(ts.exception is not None or ts.exception_blame is not None, "erred without an exception")
        for dts in ts.waiters:
            check(dts.state in PENDING_STATES, f"waiter {dts.key!r} is {dts.state}")

    def validate_state(self):
        """Check every invariant of every task, worker and client."""
        for ts in self.tasks.values():
            self.validate_task(ts)
            if ts.state in ("released", "memory", "erred") and not ts.needed() and not ts.dependents:
                if ts.state != "memory":
                    raise InvariantError(f"{ts!r} is neither needed nor depended on but not forgotten")
        for ws in self.workers.values():
            for ts in ws.processing:
                if ts.processing_on is not ws or ts.state != "processing":
                    raise InvariantError(f"{ws!r} lists {ts!r} as processing")
            for ts in ws.has_what:
                if ws not in ts.who_has:
                    raise InvariantError(f"{ws!r} lists {ts!r} in has_what")
            expected = sum(ws.processing.values())
            if abs(expected - ws.occupancy) > 1e-6 * max(1, expected):
                raise InvariantError(f"{ws!r} occupancy {ws.occupancy} != {expected}")
        for cs in self.clients.values():
            for ts in cs.wants:
                if cs not in ts.who_wants or self.tasks.get(ts.key) is not ts:
                    raise InvariantError(f"{cs!r} wants {ts!r} which does not know it")


def _lost_error(key):
    from .errors import FutureLostError

    return FutureLostError(
        f"The data of {key!r} was only on workers that left, and it has no task to recompute it "
        "(it was scattered): scatter it again"
    )
