"""The Client: submit work to a scheduler, hold futures, gather results; the default shoal scheduler.

All network work happens in async methods on an event loop: the caller's loop with
``asynchronous=True``, otherwise a loop thread owned by the client, and the blocking API hands each
call to that thread (``Client.sync``).  Task bodies are pickled here into opaque run specs; the
scheduler only sees their keys and dependencies.
"""

import asyncio
import atexit
import concurrent.futures
import itertools
import logging
import pickle
import queue
import threading
import time
import uuid
import weakref
from collections import defaultdict

import shoal.config
from shoal.core import quote
from shoal.utils import apply

from .client_events import EventsMixin
from .lifecycle import AsyncLifecycle
from . import config
from .batched import BatchedSend
from .comm import CommClosedError, connect
from .errors import CancelledError, FutureLostError, TimeoutError
from .future import DoneAndNotDoneFutures, Future, FutureState, adopt_actor, futures_of, wait
from .loop import LoopRunner
from .protocol import Serialize
from .rpc import ConnectionPool
from .taskspec import PLAIN_TYPES, dumps_task

logger = logging.getLogger("shoal.distributed.client")
MAP_BATCH_SIZE = 1000  # tasks per update-graph message of Client.map (its batch_size argument)

_current = []  # stack of clients set as default, most recent last
_NO_DEFAULT = object()
_current_loader = []  # the client unpickling a dataset: its futures attach to it
_all_clients = weakref.WeakSet()
_task_client_lock = threading.Lock()


def default_client(c=None):
    """The client registered as default (the most recent one unless closed)."""
    if c is not None:
        return c
    for client in reversed(_current):
        if client.status == "running":
            return client
    raise ValueError("No Client found: create one with Client() (or pass client= explicitly)")


def get_client(address=None, timeout=None):
    """Inside a task: a client connected to the worker's scheduler.  Elsewhere: the default client."""
    try:
        from .worker import get_worker

        worker = get_worker()
    except ValueError:
        return default_client()
    with _task_client_lock:  # tasks starting together on one worker share one client
        if worker._client is None:
            # it would only echo the tasks' prints back into the worker's own terminal
            worker._client = Client(worker.scheduler_address, set_as_default=False, show_task_output=False,
                                    timeout=timeout)
        return worker._client


class Client(EventsMixin, AsyncLifecycle):
    """Connect to a scheduler and run work on its workers.

    ``Client()`` starts a LocalCluster (keyword arguments go to it), ``Client('tcp://host:8786')``
    connects to a running scheduler, ``Client(cluster)`` to a cluster object.  Results are always
    fetched straight from the workers holding them (``direct_to_workers`` is accepted for
    compatibility).  Errors keep the worker's traceback (``Future.traceback()``).  What tasks print in
    worker processes is written to this process's stdout/stderr (``show_task_output=False`` to not).
    """

    _instance_counter = itertools.count()

    def __init__(self, address=None, loop=None, timeout=None, set_as_default=True, asynchronous=False,
                 name=None, direct_to_workers=None, connection_limit=16, security=None, scheduler_file=None,
                 show_task_output=True, **cluster_kwargs):
        if address is None and scheduler_file is not None:
            from .scheduler_file import read_scheduler_file_blocking

            address = read_scheduler_file_blocking(scheduler_file)
        self.id = f"Client-{uuid.uuid4().hex[:16]}"
        self.name = name
        self.asynchronous = asynchronous
        self.timeout = (config.get_seconds("distributed.comm.timeouts.connect") if timeout is None
                        else config.parse_timedelta(timeout))
        self.set_as_default = set_as_default
        self.cluster = None
        self._own_cluster = False
        self._cluster_kwargs = cluster_kwargs
        self._address = address
        self.status = "newly-created"
        self.futures = {}  # key -> FutureState
        self.refcount = defaultdict(int)
        self.scheduler_address = None
        self._scheduler_rpc_address = None
        self.scheduler_comm = None
        self.stream = None
        if security is None and hasattr(address, "scheduler_address"):
            security = getattr(address, "security", None)  # Client(cluster) speaks the cluster's TLS
        self.security = security
        self.pool = ConnectionPool(deserialize=True, timeout=self.timeout, limit_per_address=connection_limit,
                                   security=security)
        self._previous_scheduler = None
        self._callback_pool = None
        self._loop_runner = None
        self._stream_task = None
        self._started = None
        self._closing = None
        self._close_lock = threading.Lock()
        self._init_events()
        self.show_task_output = show_task_output
        _all_clients.add(self)
        if hasattr(address, "scheduler_address"):
            self.cluster = address
        if loop is None and self.cluster is not None and not asynchronous:
            loop = getattr(self.cluster, "loop", None)  # share the in-process cluster's loop thread
        if asynchronous:
            self.loop = None
        else:
            self._loop_runner = LoopRunner(loop)
            self._loop_runner.start()
            self.loop = self._loop_runner.loop
            self.sync(self._start)

    # ==========================================================================================
    # plumbing
    # ==========================================================================================

    def sync(self, func, *args, timeout=None, **kwargs):
        """Run ``func(*args, **kwargs)`` (async) on the client's loop: awaitable if asynchronous."""
        timeout = config.parse_timedelta(timeout)
        if self.asynchronous:
            return func(*args, timeout=timeout, **kwargs) if timeout is not None else func(*args, **kwargs)
        coro = func(*args, timeout=timeout, **kwargs) if timeout is not None else func(*args, **kwargs)
        if self._in_loop_thread():
            raise RuntimeError("Blocking Client calls can not be made from the client's event loop; "
                               "use an asynchronous=True client and await them")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError as e:
            raise CancelledError(str(e)) from e

    def _answer(self, value):
        """``value`` for a blocking client; for an asynchronous one an awaitable of it (what its caller awaits)."""
        if not self.asynchronous:
            return value
        try:
            done = asyncio.get_running_loop().create_future()
        except RuntimeError:  # not in a coroutine: nothing could await it anyway
            return value
        done.set_result(value)
        return done

    def _in_loop_thread(self):
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    def __enter__(self):
        if self.asynchronous:
            raise TypeError("Use 'async with' for an asynchronous Client")
        return self

    def __exit__(self, *exc):
        self.close()

    async def _start(self):
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        address = self._address
        if address is None:
            from .deploy.local import LocalCluster

            self.cluster = await LocalCluster(asynchronous=True, **self._cluster_kwargs)
            self._own_cluster = True
            if not self.asynchronous:  # client.cluster.scale(4) blocks like the client does, on its loop
                self.cluster.asynchronous = False
                self.cluster.loop = self.loop
            address = self.cluster.scheduler_address
        elif self.cluster is not None:
            address = self.cluster.scheduler_address
        elif hasattr(address, "address") and not isinstance(address, str):  # a Scheduler object
            address = address.address
        self.scheduler_address = address
        self._scheduler_rpc_address = _in_process_address(self.cluster, address)
        comm = await connect(self._scheduler_rpc_address, timeout=self.timeout, security=self.security)
        await comm.write({"op": "register-client", "client": self.id})
        reply = await comm.read()
        if not isinstance(reply, dict) or "ok" not in reply:
            raise OSError(f"Scheduler at {address} refused the client: {reply!r:.200}")
        self.scheduler_comm = comm
        self.stream = BatchedSend()
        self.stream.start(comm)
        self._stream_task = asyncio.ensure_future(self._handle_stream(comm))
        self.status = "running"
        if self.show_task_output:
            self._subscribe_output()
        if self.set_as_default:
            self._previous_scheduler = shoal.config.get("scheduler", None)
            shoal.config.set(scheduler=self.get)
            _current.append(self)
        return self

    async def _handle_stream(self, comm):
        try:
            while True:
                batch = await comm.read()
                for msg in batch if isinstance(batch, (list, tuple)) else [batch]:
                    self._handle_report(msg)
        except (CommClosedError, OSError):
            pass
        finally:
            if self.status == "running":
                self.status = "closed-by-scheduler" if self.stream and not self.stream.closed else "disconnected"
                for state in self.futures.values():
                    if not state.done():
                        state.cancel(f"Lost connection to scheduler {self.scheduler_address}")

    def _handle_report(self, msg):
        op = msg.get("op")
        key = msg.get("key")
        state = self.futures.get(key)
        if op == "key-in-memory":
            if state is not None:
                state.finish(msg.get("type"), msg.get("workers", ()), msg.get("value"))
        elif op == "task-erred":
            if state is not None:
                state.fail(_exception_from(msg), msg.get("traceback_text", ""), msg.get("traceback"))
        elif op == "lost-data":
            if state is not None:
                state.lose()
        elif op == "cancelled-key":  # the scheduler dropped the key for us: its data is gone too
            if state is not None:
                state.cancel(f"{key!r} was cancelled ({msg.get('reason', 'cancelled')})")
        elif op == "graph-error":
            exc = _exception_from({"exception": msg.get("error"), "exception_text": msg.get("text", "")})
            for k in msg.get("keys", ()):
                if k in self.futures:
                    self.futures[k].fail(exc, msg.get("text", ""))
        elif op == "event":
            self._handle_event(msg)
        elif op == "scheduler-closing":
            for st in self.futures.values():
                if not st.done():
                    st.cancel("The scheduler closed")

    def _computing(self, key):
        """Does the cluster hold or compute ``key`` for us?  (Not once cancelled: submitting again recomputes.)"""
        state = self.futures.get(key)
        return state is not None and state.status != "cancelled"

    def _forget_states(self, keys, reason):
        """Cancel our futures of ``keys``; new submits of these keys start from a fresh state."""
        for key in keys:
            state = self.futures.pop(key, None)
            if state is not None:
                state.cancel(reason)

    def _future_state(self, key):
        state = self.futures.get(key)
        if state is None:
            state = self.futures[key] = FutureState()
        return state

    def _incref(self, key):
        self.refcount[key] += 1

    def _decref(self, key):
        self.refcount[key] -= 1
        if self.refcount[key] <= 0:
            del self.refcount[key]
            self.futures.pop(key, None)
            if self.status == "running" and self.loop is not None and not self.loop.is_closed():
                msg = {"op": "client-releases-keys", "keys": [key], "client": self.id}
                if self._in_loop_thread():
                    self.stream.send(msg)
                else:
                    self.loop.call_soon_threadsafe(self._send_quiet, msg)

    def _send_quiet(self, msg):
        if self.stream is not None and not self.stream.closed:
            self.stream.send(msg)

    def _send(self, msg):
        if self.status != "running":
            raise CancelledError(f"Client {self.id} is {self.status}")
        if self.loop is None or self._in_loop_thread():
            self.stream.send(msg)
        else:
            self.loop.call_soon_threadsafe(self._send_quiet, msg)

    def _run_callback(self, fn, future):
        if self._callback_pool is None:
            self._callback_pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="shoal-callback")

        def call():
            try:
                fn(future)
            except Exception:
                logger.exception("Future callback %r raised", fn)

        self._callback_pool.submit(call)

    # ==========================================================================================
    # submitting work
    # ==========================================================================================

    def submit(self, func, *args, key=None, workers=None, resources=None, retries=None, priority=0,
               allow_other_workers=False, pure=None, fifo_timeout=None, actor=False, **kwargs):
        """Run ``func(*args, **kwargs)`` on the cluster; returns a Future.

        Futures may appear anywhere in ``args``/``kwargs``.  The key is derived from the inputs
        (``pure=True``, so equal calls share a result); ``pure=False`` gives a fresh key each call.
        """
        if not callable(func):
            raise TypeError(f"submit expects a callable as first argument, got {type(func).__name__}")
        if actor:  # the worker keeps the object and hands out Actor proxies
            from .actor import create_actor

            key = key or _make_key(func, args, kwargs, pure=False)
            func, args = create_actor, (func, *args)
        if key is None:
            key = _make_key(func, args, kwargs, pure)
        if self._computing(key) and pure is not False:
            return Future(key, self)
        task, deps = _build_task(func, args, kwargs)
        self._submit_tasks({key: task}, {key: deps}, [key], workers=workers, resources=resources,
                           retries=retries, user_priority=priority, allow_other_workers=allow_other_workers)
        return Future(key, self)

    def map(self, func, *iterables, key=None, workers=None, retries=None, resources=None, priority=0,
            allow_other_workers=False, pure=None, batch_size=None, **kwargs):
        """``submit(func, *items)`` for each item: a list of futures, or a Queue of futures for a Queue.

        The tasks go to the scheduler ``batch_size`` (default 1000) at a time, so a long map starts
        running while the rest is still being sent."""
        if not callable(func):
            raise TypeError(f"map expects a callable as first argument, got {type(func).__name__}")
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
            raise ValueError(f"map(batch_size={batch_size!r}): give a positive number of tasks per batch")
        if iterables and isinstance(iterables[0], queue.Queue):
            return self._map_queue(func, iterables[0], key=key, workers=workers, retries=retries,
                                   resources=resources, priority=priority, pure=pure, **kwargs)
        items = list(zip(*iterables))
        if isinstance(key, (list, tuple)):
            keys = list(key)
            if len(keys) != len(items):
                raise ValueError(f"map got {len(keys)} keys for {len(items)} items")
        else:
            prefix = key if isinstance(key, str) else None
            keys = [_make_key(func, args, kwargs, pure, prefix) for args in items]
        tasks, deps = {}, {}
        for k, args in zip(keys, items):
            if k in tasks or (self._computing(k) and pure is not False):
                continue
            tasks[k], deps[k] = _build_task(func, args, kwargs)
        # in batches: the cluster starts on the first ones while the later ones are pickled and sent
        batch = list(tasks)
        size = batch_size or MAP_BATCH_SIZE
        for start in range(0, len(batch), size):
            part = batch[start:start + size]
            self._submit_tasks({k: tasks[k] for k in part}, {k: deps[k] for k in part}, part, workers=workers,
                               resources=resources, retries=retries, user_priority=priority,
                               allow_other_workers=allow_other_workers)
        return [Future(k, self) for k in keys]

    def _map_queue(self, func, in_queue, **kwargs):
        out = queue.Queue()

        def feed():
            while self.status in ("running", "newly-created"):
                item = in_queue.get()
                out.put(self.submit(func, item, **kwargs))

        threading.Thread(target=feed, daemon=True, name="shoal-map-queue").start()
        return out

    def _submit_tasks(self, tasks, dependencies, keys, workers=None, resources=None, retries=None,
                      user_priority=0, allow_other_workers=False, priority=None, known=()):
        """Pickle ``tasks`` (key -> graph task) and send them; futures for ``keys`` become pending."""
        run_specs = {k: dumps_task(k, t) for k, t in tasks.items()}
        for k in keys:
            state = self.futures.get(k)
            if state is None or state.status == "cancelled":
                self.futures[k] = FutureState()
        msg = {
            "op": "update-graph",
            "tasks": run_specs,
            "dependencies": {k: list(v) for k, v in dependencies.items() if v},
            "keys": list(keys),
            "priority": priority or {},
            "user_priority": user_priority,
            "stimulus_id": f"update-graph-{time.time()}",
        }
        if workers is not None:
            workers = [workers] if isinstance(workers, str) else list(workers)
            msg["restrictions"] = {k: workers for k in tasks}
            if allow_other_workers:
                msg["loose_restrictions"] = list(tasks)
        if resources:
            msg["resources"] = {k: dict(resources) for k in tasks}
        if retries:
            msg["retries"] = {k: retries for k in tasks}
        self._send(msg)

    # ---- graphs and collections -------------------------------------------------------------------

    def get(self, dsk, keys, workers=None, allow_other_workers=False, resources=None, retries=None,
            priority=0, sync=True, **kwargs):
        """A shoal scheduler function: compute ``keys`` (any nesting) of graph ``dsk`` on the cluster."""
        futures = self._graph_to_futures(dict(dsk), keys, workers=workers, resources=resources, retries=retries,
                                         user_priority=priority, allow_other_workers=allow_other_workers)
        if not sync:
            return futures
        return self.sync(self._gather_and_release, futures)

    async def _gather_and_release(self, futures):
        try:
            return await self._gather_struct(futures)
        finally:
            _release_all(futures)

    def _graph_to_futures(self, dsk, keys, **submit_kwargs):
        from shoal.order import order

        flat = list(_flatten(keys))
        tasks = {}
        futures_in_graph = []
        for k, v in dsk.items():
            if isinstance(v, Future):
                futures_in_graph.append(v)
                if v.key == k:
                    continue  # already on the cluster
                v = (_identity, v.key)
            tasks[k] = v
        known = set(tasks) | set(self.futures)
        dependencies = {k: _find_dependencies(t, known, k) for k, t in tasks.items()}
        missing = [k for k in flat if k not in known]
        if missing:
            raise KeyError(f"Keys {missing[:5]} are neither in the graph nor held by this client")
        priority = order(tasks) if len(tasks) > 1 else {}
        self._submit_tasks(tasks, dependencies, flat, priority=priority, **submit_kwargs)
        futures = {k: Future(k, self) for k in flat}
        del futures_in_graph
        return _pack_like(keys, futures)

    def compute(self, collections, sync=False, optimize_graph=True, workers=None, allow_other_workers=False,
                resources=None, retries=None, priority=0, traverse=True, **kwargs):
        """Start computing collections; Futures of their final results (the results with ``sync=True``)."""
        from shoal.base import collections_to_graph, is_shoal_collection

        single = not isinstance(collections, (list, tuple, set))
        items = [collections] if single else list(collections)
        colls = [c for c in items if is_shoal_collection(c)]
        graph, keys_per = collections_to_graph(colls, optimize_graph=optimize_graph, **kwargs) if colls else ({}, [])
        graph = dict(graph)
        out_keys = []
        for coll, keys in zip(colls, keys_per):
            finalize, extra = coll.__shoal_postcompute__()
            name = f"finalize-{_token(coll, keys)}"
            graph[name] = (finalize, keys, *extra)  # nested lists of keys are substituted by the worker
            out_keys.append(name)
        futures = self._graph_to_futures(graph, out_keys, workers=workers, resources=resources, retries=retries,
                                         user_priority=priority, allow_other_workers=allow_other_workers) if out_keys else []
        it = iter(futures)
        results = [next(it) if is_shoal_collection(c) else c for c in items]
        if sync:
            return self.sync(self._gather_struct, results[0] if single else results)
        return results[0] if single else results

    def persist(self, collections, optimize_graph=True, workers=None, allow_other_workers=False, resources=None,
                retries=None, priority=0, **kwargs):
        """Start computing collections and return new collections whose graphs hold futures."""
        from shoal.base import collections_to_graph, is_shoal_collection

        single = not isinstance(collections, (list, tuple, set))
        items = [collections] if single else list(collections)
        colls = [c for c in items if is_shoal_collection(c)]
        graph, keys_per = collections_to_graph(colls, optimize_graph=optimize_graph, **kwargs)
        flat = [k for keys in keys_per for k in _flatten(keys)]
        futures = self._graph_to_futures(dict(graph), flat, workers=workers, resources=resources, retries=retries,
                                         user_priority=priority, allow_other_workers=allow_other_workers)
        by_key = dict(zip(flat, futures))
        results = []
        it = iter(keys_per)
        for c in items:
            if not is_shoal_collection(c):
                results.append(c)
                continue
            keys = next(it)
            rebuild, extra = c.__shoal_postpersist__()
            results.append(rebuild({k: by_key[k] for k in _flatten(keys)}, *extra))
        return results[0] if single else results

    # ==========================================================================================
    # getting results
    # ==========================================================================================

    async def _wait_done(self, future, timeout=None):
        state = future._state
        if state.done():
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()

        def wake():
            if not loop.is_closed():
                loop.call_soon_threadsafe(lambda: waiter.done() or waiter.set_result(None))

        state.on_done(wake)
        try:
            await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"Future {future.key!r} not done after {timeout} s") from None

    async def _gather_one(self, future, timeout=None):
        result = await self._gather([future], timeout=timeout)
        return result[0]

    async def _exception_of(self, future, timeout=None):
        await self._wait_done(future, timeout)
        return future._state.exception if future._state.status in ("error", "cancelled") else None

    async def _wait_all(self, fs, timeout=None):
        """One waiter for many futures (no task per future)."""
        pending = [f._state for f in fs if not f._state.done()]
        if not pending:
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        remaining = [len(pending)]

        def one_done():
            remaining[0] -= 1
            if remaining[0] == 0 and not loop.is_closed():
                loop.call_soon_threadsafe(lambda: waiter.done() or waiter.set_result(None))

        for state in pending:
            state.on_done(one_done)
        try:
            await asyncio.wait_for(waiter, timeout)
        except asyncio.TimeoutError:
            waiting = [f.key for f in fs if not f.done()]
            raise TimeoutError(f"{len(waiting)} of {len(fs)} futures not done after {timeout:.3g} s, "
                               f"e.g. {waiting[:3]}") from None

    async def _wait(self, fs, timeout=None, return_when="ALL_COMPLETED"):
        fs = list(fs)
        if return_when == "FIRST_COMPLETED":
            if not any(f.done() for f in fs):
                waits = [asyncio.ensure_future(self._wait_done(f)) for f in fs]
                done, pending = await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
                for w in pending:
                    w.cancel()
                if not done:
                    raise TimeoutError(f"No future done after {timeout} s")
        else:
            await self._wait_all(fs, timeout)
        done = {f for f in fs if f.done()}
        return DoneAndNotDoneFutures(done, set(fs) - done)

    def gather(self, futures, errors="raise", direct=None, asynchronous=None):
        """Results of ``futures`` (a Future, or any list/tuple/dict nesting of them; a Queue or iterator too).

        A collection whose graph holds futures (a persisted array, dataframe, bag or delayed) gives its
        computed value, as ``.compute()`` would.
        """
        if isinstance(futures, queue.Queue):
            return self._gather_queue(futures)
        if hasattr(futures, "__next__"):
            return (self.gather(f) for f in futures)
        futures = self._finalize_collections(futures)
        if asynchronous or self.asynchronous:
            return self._gather_struct(futures, errors)
        return self.sync(self._gather_struct, futures, errors)

    def _finalize_collections(self, structure):
        """``structure`` with every shoal collection in it replaced by a Future of its computed value."""
        if isinstance(structure, Future):
            return structure
        typ = type(structure)
        if typ in (list, tuple, set, frozenset):
            items = [self._finalize_collections(x) for x in structure]
            return structure if all(a is b for a, b in zip(items, structure)) else typ(items)
        if typ is dict:
            items = {k: self._finalize_collections(v) for k, v in structure.items()}
            return structure if all(items[k] is v for k, v in structure.items()) else items
        if not isinstance(structure, type) and callable(getattr(structure, "__shoal_graph__", None)):
            return self.compute(structure)
        return structure

    def _gather_queue(self, in_queue):
        out = queue.Queue()

        def feed():
            while self.status == "running":
                out.put(self.gather(in_queue.get()))

        threading.Thread(target=feed, daemon=True, name="shoal-gather-queue").start()
        return out

    async def _gather_struct(self, structure, errors="raise"):
        futures = [f for f in _flatten(structure, containers=(list, tuple, set, dict)) if isinstance(f, Future)]
        values = await self._gather(futures, errors=errors)
        mapping = dict(zip([f.key for f in futures], values))
        return _substitute(structure, mapping, errors)

    async def _gather(self, futures, errors="raise", timeout=None):
        """Wait for ``futures`` and fetch their values straight from the workers holding them."""
        deadline = None if timeout is None else time.monotonic() + timeout
        keys = list(dict.fromkeys(f.key for f in futures))
        by_key = {f.key: f for f in futures}
        data = {}
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0)
            await self._wait(list(by_key[k] for k in keys if k not in data), timeout=remaining)
            for k in keys:
                state = by_key[k]._state
                if state.status in ("error", "cancelled") and errors == "raise":
                    raise _with_traceback(state.exception, state.traceback_text)
            for k in keys:
                state = by_key[k]._state
                if k not in data and state.status == "finished" and state.value is not None:
                    data[k] = pickle.loads(state.value)  # a small result that came with the report
            wanted = [k for k in keys if k not in data and by_key[k]._state.status == "finished"]
            if not wanted:
                break
            fetched, missing = await self._fetch(wanted, by_key)
            data.update(fetched)
            if not missing:
                if all(k in data or by_key[k]._state.status != "finished" for k in keys):
                    break
                continue
            tried = {k: by_key[k]._state.workers for k in missing}
            who_has = await self.pool.rpc(self._scheduler_rpc_address, "who_has", keys=missing)
            for k in missing:
                state = by_key[k]._state
                if who_has.get(k):
                    state.workers = tuple(who_has[k])
                elif state.status == "finished" and state.workers == tried[k]:
                    # the scheduler recomputes it and tells us when it is back (unless that news
                    # already arrived while we asked: then the workers changed and we fetch again)
                    state.lose()
            await asyncio.sleep(0.01)
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"Could not gather {missing[:3]} within {timeout} s")
        for key, value in data.items():
            adopt_actor(value, by_key[key])
        return [data.get(f.key, _Skipped) for f in futures] if errors == "skip" else [data[f.key] for f in futures]

    async def _fetch(self, keys, by_key):
        by_worker = defaultdict(list)
        unknown = []
        for k in keys:
            workers = by_key[k]._state.workers
            if workers:
                by_worker[workers[0]].append(k)
            else:
                unknown.append(k)
        if unknown:
            who_has = await self.pool.rpc(self._scheduler_rpc_address, "who_has", keys=unknown)
            for k in unknown:
                if who_has.get(k):
                    by_key[k]._state.workers = tuple(who_has[k])
                    by_worker[who_has[k][0]].append(k)

        async def from_worker(worker, ks):
            try:
                return await self.pool.rpc(worker, "get_data", keys=ks, who=self.id)
            except (OSError, CommClosedError):
                self.pool.remove(worker)
                return {}

        workers = list(by_worker)
        replies = await asyncio.gather(*(from_worker(w, by_worker[w]) for w in workers))
        data = {}
        for reply in replies:
            data.update(reply)
        missing = [k for k in keys if k not in data]
        return data, missing

    # ==========================================================================================
    # data placement
    # ==========================================================================================

    def scatter(self, data, workers=None, broadcast=False, direct=None, hash=True, timeout=None,
                asynchronous=None):
        """Put local data on workers; returns futures in the same structure (list, dict or single)."""
        if isinstance(data, queue.Queue):
            out = queue.Queue()

            def feed():
                while self.status == "running":
                    out.put(self.scatter(data.get(), workers=workers, broadcast=broadcast, hash=hash))

            threading.Thread(target=feed, daemon=True, name="shoal-scatter-queue").start()
            return out
        if hasattr(data, "__next__"):
            return (self.scatter(x, workers=workers, broadcast=broadcast, hash=hash) for x in data)
        if asynchronous or self.asynchronous:
            return self._scatter_within(data, workers, broadcast, hash, timeout=config.parse_timedelta(timeout))
        return self.sync(self._scatter_within, data, workers, broadcast, hash, timeout=timeout)

    async def _scatter_within(self, data, workers, broadcast, hash, timeout=None):
        try:
            return await asyncio.wait_for(self._scatter(data, workers, broadcast, hash), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"scatter did not finish within {timeout} s") from None

    async def _scatter(self, data, workers=None, broadcast=False, hash=True):
        from shoal.base import tokenize

        if isinstance(data, dict):
            items = dict(data)
        elif isinstance(data, (list, tuple, set, frozenset)):
            items = {_data_key(x, hash, tokenize): x for x in data}
        else:
            items = {_data_key(data, hash, tokenize): data}
        ncores = await self.pool.rpc(self._scheduler_rpc_address, "ncores")
        targets = sorted(ncores)
        if workers is not None:
            workers = [workers] if isinstance(workers, str) else list(workers)
            info = await self.pool.rpc(self._scheduler_rpc_address, "scheduler_info")
            names = {w: i.get("name") for w, i in info["workers"].items()}
            targets = [w for w in targets if w in workers or names.get(w) in workers]
        if not targets:
            raise TimeoutError(f"No workers to scatter to (scheduler {self.scheduler_address} has none that match)")
        placement = defaultdict(dict)
        keys = list(items)
        if broadcast:
            for w in targets:
                placement[w] = dict(items)
        else:
            for i, k in enumerate(keys):
                placement[targets[i % len(targets)]][k] = items[k]
        replies = await asyncio.gather(*(
            self.pool.rpc(w, "update_data", data={k: Serialize(v) for k, v in d.items()}) for w, d in placement.items()
        ))
        who_has = defaultdict(list)
        nbytes = {}
        for w, reply in zip(placement, replies):
            for k, n in reply.items():
                who_has[k].append(w)
                nbytes[k] = n
        for k in keys:
            self._future_state(k).finish(type(items[k]).__name__, who_has[k])
        await self.pool.rpc(self._scheduler_rpc_address, "update_data", who_has=dict(who_has), nbytes=nbytes, client=self.id)
        futures = {k: Future(k, self) for k in keys}
        if isinstance(data, dict):
            return futures
        if isinstance(data, (list, tuple, set, frozenset)):
            out = [futures[_data_key(x, hash, tokenize)] for x in data]
            return type(data)(out) if isinstance(data, (list, tuple)) else out
        return futures[keys[0]]

    # ==========================================================================================
    # control
    # ==========================================================================================

    def cancel(self, futures, asynchronous=None, force=False):
        """Stop computing ``futures`` (or a persisted collection's) and forget their results (``force``
        also for other clients).  Submitting the same work again computes it again."""
        futures = futures_of(futures)
        keys = list(dict.fromkeys(f.key for f in futures))
        for f in futures:
            f._state.cancel(f"{f.key!r} was cancelled")
        self._forget_states(keys, "cancelled")
        return self.sync(self._rpc_scheduler, "cancel", keys=keys, client=self.id, force=force)

    def retire_workers(self, workers=None, close_workers=True, **kwargs):
        """Gracefully close ``workers`` (addresses or names; or ``n=`` workers the scheduler picks, idle
        first): results only they hold are copied to the remaining workers first, tasks they were
        running are rescheduled.  Raises if the data has no other worker to go to.

        ``{address: info}`` of the retired workers.  A cluster object that owns them may start new
        ones unless it is scaled down too (``cluster.scale``).
        """
        if not close_workers:
            raise ValueError("retire_workers(close_workers=False) is not supported: a retired worker always closes")
        workers = [workers] if isinstance(workers, str) else workers
        return self.sync(self._rpc_scheduler, "retire_workers", workers=list(workers or ()), n=kwargs.get("n"))

    def register_plugin(self, plugin, name=None, idempotent=False):
        """Install a ``WorkerPlugin`` on every worker, including workers that join later.

        ``{worker: plugin.setup result}``; with ``idempotent=True`` a plugin already registered
        under ``name`` is left alone.
        """
        from .plugins import plugin_name

        name = plugin_name(plugin, name)
        return self.sync(self._rpc_scheduler, "register_worker_plugin", name=name, plugin=Serialize(plugin),
                         idempotent=idempotent)

    register_worker_plugin = register_plugin

    def unregister_worker_plugin(self, name):
        """Remove a worker plugin: ``teardown`` runs on every worker."""
        return self.sync(self._rpc_scheduler, "unregister_worker_plugin", name=name)

    def get_executor(self, **kwargs):
        """A ``concurrent.futures.Executor`` submitting to this client (``submit`` keywords apply to all)."""
        from .executor import ClientExecutor

        return ClientExecutor(self, **kwargs)

    def replicate(self, futures, n=None, workers=None):
        """Copy the futures' data to ``n`` workers (default: every worker) so losing one keeps it."""
        keys = [f.key for f in futures_of(futures)]
        return self.sync(self._rpc_scheduler, "replicate", keys=keys, n=n, workers=workers)

    def rebalance(self, futures=None, workers=None):
        """Move data so every worker (of ``workers``) holds about the same number of bytes; only the
        data of ``futures`` if given.  Data moves peer to peer; ``{'moved': number of results}``."""
        keys = None if futures is None else [f.key for f in futures_of(futures)]
        return self.sync(self._rpc_scheduler, "rebalance", keys=keys, workers=workers)

    def retry(self, futures, asynchronous=None):
        """Run erred ``futures`` (and the erred tasks they depend on) again."""
        futures = futures_of(futures)
        for f in futures:
            if f._state.status == "error":
                f._state.lose()
        return self.sync(self._rpc_scheduler, "retry", keys=[f.key for f in futures], client=self.id)

    def restart(self, timeout=30, wait_for_workers=True):
        """Forget all tasks and restart workers (those started by a nanny are new processes).

        Every future is cancelled; submitting the same work afterwards computes it again.
        """
        self._forget_states(list(self.futures), "The cluster restarted")
        return self.sync(self._rpc_scheduler, "restart", timeout=config.parse_timedelta(timeout), client=self.id)

    async def _rpc_scheduler(self, op, **kwargs):
        return await self.pool.rpc(self._scheduler_rpc_address, op, **kwargs)

    async def _rpc_lists(self, op, **kwargs):
        """A scheduler query answering ``{name: sequence}``, with lists as users index them."""
        return _lists(await self._rpc_scheduler(op, **kwargs))

    def who_has(self, futures=None):
        """Which workers hold each future's data: ``{key: [addresses]}``."""
        keys = None if futures is None else [f.key for f in futures_of(futures)]
        return self.sync(self._rpc_lists, "who_has", keys=keys)

    def has_what(self, workers=None):
        """Which keys each worker holds: ``{address: [keys]}``."""
        workers = [workers] if isinstance(workers, str) else workers
        return self.sync(self._rpc_lists, "has_what", workers=workers)

    def ncores(self, workers=None):
        return self.sync(self._rpc_scheduler, "ncores")

    nthreads = ncores

    def processing(self, workers=None):
        return self.sync(self._rpc_scheduler, "processing")

    def scheduler_info(self, **kwargs):
        return self.sync(self._rpc_scheduler, "scheduler_info")

    def story(self, key):
        """The transitions (start, finish, stimulus id, time) the scheduler recorded for ``key``."""
        key = key.key if isinstance(key, Future) else key
        return self.sync(self._rpc_scheduler, "story", key=key)

    def get_versions(self, check=False, packages=None):
        """Versions of Python and packages on the client, scheduler and workers."""
        return self.sync(self._get_versions, check)

    async def _get_versions(self, check=False):
        from .scheduler import versions

        scheduler = await self.pool.rpc(self._scheduler_rpc_address, "versions")
        ncores = await self.pool.rpc(self._scheduler_rpc_address, "ncores")
        workers = dict(zip(ncores, await asyncio.gather(*(self.pool.rpc(w, "versions") for w in ncores))))
        result = {"client": versions(), "scheduler": scheduler, "workers": workers}
        if check:
            mine = result["client"]["packages"]
            for where, info in [("scheduler", scheduler), *workers.items()]:
                for pkg, version in mine.items():
                    other = info["packages"].get(pkg)
                    if other != version and pkg != "cloudpickle" or (pkg == "cloudpickle" and other != version):
                        raise ValueError(f"Version mismatch for {pkg}: client {version}, {where} {other}")
        return result

    def run(self, function, *args, workers=None, wait=True, **kwargs):
        """Call ``function(*args, **kwargs)`` on every worker (or ``workers``): ``{address: result}``."""
        return self.sync(self._run, function, args, kwargs, workers)

    async def _run(self, function, args, kwargs, workers=None):
        targets = workers or sorted(await self.pool.rpc(self._scheduler_rpc_address, "ncores"))
        msg = {"function": Serialize(function), "args": Serialize(args), "kwargs": Serialize(kwargs)}
        results = await asyncio.gather(*(self.pool.rpc(w, "run", **msg) for w in targets))
        return dict(zip(targets, results))

    def run_on_scheduler(self, function, *args, **kwargs):
        """Call ``function`` on the scheduler (only if it allows it; LocalCluster does)."""
        return self.sync(self._rpc_scheduler, "run_on_scheduler", function=Serialize(function),
                         args=Serialize(args), kwargs=Serialize(kwargs))

    def wait_for_workers(self, n_workers=1, timeout=None):
        """Block until at least ``n_workers`` workers are connected."""
        return self.sync(self._wait_for_workers, n_workers, timeout)

    async def _wait_for_workers(self, n_workers=1, timeout=None):
        timeout = config.parse_timedelta(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            info = await self.pool.rpc(self._scheduler_rpc_address, "scheduler_info")
            if len(info["workers"]) >= n_workers:
                return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"Only {len(info['workers'])} of {n_workers} workers arrived within {timeout} s")
            await asyncio.sleep(0.05)

    def publish_dataset(self, *args, override=False, **kwargs):
        """Share named objects (futures, persisted collections) with other clients of this scheduler.

        ``publish_dataset(df=df)`` or ``publish_dataset(df, name='df')``; the futures inside stay
        computed until ``unpublish_dataset``.
        """
        if args:
            if "name" not in kwargs or len(args) != 1:
                raise TypeError("publish_dataset(obj, name='...') or publish_dataset(name=obj)")
            kwargs = {kwargs.pop("name"): args[0]}
        return self.sync(self._publish_datasets, kwargs, override)

    async def _publish_datasets(self, named, override):
        for name, obj in named.items():
            keys = [f.key for f in futures_of(obj)]
            await self._rpc_scheduler("publish_put", name=name, keys=keys, data=Serialize(obj), override=override)

    def get_dataset(self, name, default=_NO_DEFAULT):
        """A dataset published by any client (its futures now belong to this client too)."""
        return self.sync(self._get_dataset, name, default)

    async def _get_dataset(self, name, default=_NO_DEFAULT):
        data = await self._rpc_scheduler("publish_get", name=name, _deserialize=False)
        if data is None:
            if default is not _NO_DEFAULT:
                return default
            raise KeyError(f"No dataset named {name!r}; published: {await self._list_datasets()}")
        from .protocol import deserialize

        _current_loader.append(self)
        try:
            obj = deserialize(data)
        finally:
            _current_loader.pop()
        futures = futures_of(obj)
        for f in futures:  # a key we cancelled earlier is live again: its futures get a fresh state
            if not self._computing(f.key):
                self.futures[f.key] = FutureState()
            f._state = self.futures[f.key]
        keys = list(dict.fromkeys(f.key for f in futures))
        if keys:
            self._send({"op": "client-desires-keys", "keys": keys, "client": self.id})
        return obj

    def list_datasets(self):
        """Names of the datasets published on the scheduler."""
        return self.sync(self._list_datasets)

    async def _list_datasets(self):
        return list(await self._rpc_scheduler("publish_list"))

    def unpublish_dataset(self, name):
        return self.sync(self._rpc_scheduler, "publish_delete", name=name)

    @property
    def datasets(self):
        return _Datasets(self)

    def upload_file(self, filename):
        """Send a ``.py``, ``.zip`` or ``.egg`` file to every worker, put it on sys.path and import it."""
        import os

        with open(filename, "rb") as f:
            data = f.read()
        return self.run(_install_file, os.path.basename(filename), data)

    # ==========================================================================================
    # closing
    # ==========================================================================================

    def close(self, timeout=None):
        """Release everything this client holds and disconnect (a cluster it started is closed too).

        Closing again, or from several threads at once, is harmless.
        """
        if self.asynchronous:
            return self._close()
        with self._close_lock:
            if self.status == "closed" or self.loop.is_closed():
                return None
            try:
                self.sync(self._close)
            finally:
                self._loop_runner.stop()
                if self._callback_pool is not None:
                    self._callback_pool.shutdown(wait=False)
        return None

    async def _close(self, fast=False):
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_once())
        await asyncio.shield(self._closing)

    async def _close_once(self):
        if self.status == "closed":
            return
        self.status = "closing"
        if self in _current:
            _current.remove(self)
            if self.set_as_default:
                shoal.config.set(scheduler=self._previous_scheduler)
                new_default = next((c for c in reversed(_current) if c.status == "running"), None)
                if new_default is not None:
                    shoal.config.set(scheduler=new_default.get)
        if self.stream is not None and not self.stream.closed:
            self.stream.send({"op": "close-client"})
            await self.stream.close()
        if self._stream_task is not None:
            self._stream_task.cancel()
        await self.pool.close()
        for state in self.futures.values():
            if not state.done():
                state.cancel("The client closed")
        if self._own_cluster and self.cluster is not None:
            await self.cluster._close()
        self.status = "closed"

    def shutdown(self):
        """Close the client and the cluster (scheduler and workers) it is connected to."""
        if self.asynchronous:
            return self._shutdown()
        if self.cluster is not None:
            self.cluster.close()
        elif self.status == "running":
            self.sync(self._rpc_scheduler, "terminate")
        return self.close()

    async def _shutdown(self):
        if self.cluster is not None:
            await self.cluster._close()
        elif self.status == "running":
            await self._rpc_scheduler("terminate")
        await self._close()

    # ==========================================================================================
    # display
    # ==========================================================================================

    @property
    def dashboard_link(self):
        if self.cluster is not None:
            return getattr(self.cluster, "dashboard_link", None)
        return None

    def __repr__(self):
        if self.status != "running":
            return f"<Client: {self.status}>"
        info = self._info_for_display()
        if info is None:
            return f"<Client: {self.scheduler_address!r}>"
        workers = info["workers"]
        threads = sum(w["nthreads"] for w in workers.values())
        memory = sum(w["memory_limit"] for w in workers.values())
        from shoal.utils import format_bytes

        return (f"<Client: {self.scheduler_address!r} processes={len(workers)} threads={threads}, "
                f"memory={format_bytes(memory)}>")

    def _repr_html_(self):
        from .reprs import client_html

        return client_html(self, self._info_for_display())

    def _info_for_display(self):
        """scheduler_info() for a repr, or None: a repr never hangs (the scheduler may even run on the
        very event loop the repr is called from, which then cannot answer until the repr returns)."""
        if self.status != "running" or self.asynchronous or self._in_loop_thread():
            return None
        return _answer_soon(self._rpc_scheduler("scheduler_info"), self.loop)


# ==========================================================================================
# helpers
# ==========================================================================================


def fire_and_forget(obj):
    """Keep computing ``obj`` (futures, containers of them or persisted collections) after it is released here."""
    by_client = defaultdict(list)
    for f in futures_of(obj):
        by_client[f.client].append(f.key)
    for client, keys in by_client.items():
        client._send({"op": "client-desires-keys", "keys": keys, "client": "fire-and-forget"})


class _SkippedType:
    def __repr__(self):
        return "<skipped>"


_Skipped = _SkippedType()


class _Datasets:
    """``client.datasets['name']`` style access to published datasets."""

    def __init__(self, client):
        self.client = client

    def __getitem__(self, name):
        return self.client.get_dataset(name)

    def __setitem__(self, name, value):
        self.client.publish_dataset(**{name: value})

    def __delitem__(self, name):
        self.client.unpublish_dataset(name)

    def __contains__(self, name):
        return name in self.client.list_datasets()

    def __iter__(self):
        return iter(self.client.list_datasets())

    def __len__(self):
        return len(self.client.list_datasets())


def _answer_soon(coro, loop):
    """Run ``coro`` on ``loop`` (another thread's) and return its result, or None if it is slow or fails."""
    future = asyncio.run_coroutine_threadsafe(coro, loop)
    try:
        return future.result(timeout=0.5 if _running_loop() is not None else 5)
    except Exception:
        future.cancel()
        return None


def _in_process_address(cluster, address):
    """The scheduler's inproc address when it runs in this process and on this loop, else ``address``."""
    scheduler = getattr(cluster, "scheduler", None)
    listener = getattr(scheduler, "inproc_listener", None)
    if listener is None or getattr(scheduler, "loop", None) is not _running_loop():
        return address
    return listener.contact_address


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _install_file(name, data, dask_worker=None):
    """On a worker: write an uploaded file to its directory, make it importable, (re)import it."""
    import importlib
    import os
    import sys

    directory = os.path.join(dask_worker.local_directory, "uploads")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    entry = path if name.endswith((".zip", ".egg")) else directory
    if entry not in sys.path:
        sys.path.insert(0, entry)
    importlib.invalidate_caches()
    if name.endswith(".py"):
        module = name[:-3]
        if module in sys.modules:
            importlib.reload(sys.modules[module])
        else:
            importlib.import_module(module)
    return path


def _identity(x):
    return x


def _make_key(func, args, kwargs, pure, prefix=None):
    from shoal.base import tokenize
    from shoal.utils import funcname

    name = prefix or funcname(func)
    if pure is False:
        return f"{name}-{uuid.uuid4().hex}"
    return f"{name}-{tokenize(_function_token(func, tokenize), kwargs, *args)}"


_function_tokens = {}


def _function_token(func, tokenize):
    """tokenize(func), cached: a map over 20,000 items hashes its function once."""
    try:
        return _function_tokens[func]
    except (KeyError, TypeError):
        pass
    token = tokenize(func)
    try:
        if len(_function_tokens) > 1000:
            _function_tokens.clear()
        _function_tokens[func] = token
    except TypeError:
        pass
    return token


def _data_key(x, hash, tokenize):
    return f"{type(x).__name__}-{tokenize(x) if hash else uuid.uuid4().hex}"


def _token(coll, keys):
    from shoal.base import tokenize

    return tokenize(str(keys))


def _has_future(x):
    typ = type(x)
    if typ is Future or isinstance(x, Future):
        return True
    if typ in (list, tuple, set, frozenset):
        return any(_has_future(i) for i in x)
    if typ is dict:
        return any(_has_future(v) for v in x.values())
    return False


def _to_task(x, deps):
    """Replace futures in ``x`` by their keys, turning containers that hold them into tasks."""
    if isinstance(x, Future):
        deps.add(x.key)
        return x.key
    typ = type(x)
    if typ is list:
        return [_to_task(i, deps) for i in x]
    if typ is tuple:
        return (tuple, [_to_task(i, deps) for i in x])
    if typ in (set, frozenset):
        return (typ, [_to_task(i, deps) for i in x])
    if typ is dict:
        return (dict, [[k, _to_task(v, deps)] for k, v in x.items()])
    return x


def _build_task(func, args, kwargs):
    """``(func, *args)`` (or an ``apply`` task with kwargs) and the keys of futures it uses."""
    deps = set()
    if all(type(a) in PLAIN_TYPES for a in args):
        pass  # numbers and strings: nothing to quote, no futures (the common map)
    elif _has_future(args):
        args = tuple(_to_task(a, deps) if _has_future(a) else _literal(a) for a in args)
    else:
        args = tuple(map(_literal, args))
    if kwargs:
        kw = _to_task(kwargs, deps) if _has_future(kwargs) else (dict, [[k, _literal(v)] for k, v in kwargs.items()])
        return (apply, func, list(args), kw), deps
    return (func, *args), deps


def _literal(a):
    typ = type(a)
    if typ is tuple and a and callable(a[0]) or typ is list:
        return quote(a)  # a literal that would be read as a task or traversed as keys
    return a


def _find_dependencies(task, known, own_key):
    out = set()
    stack = [task]
    while stack:
        a = stack.pop()
        typ = type(a)
        if typ is tuple and a and callable(a[0]):
            stack.extend(a[1:])
        elif typ is list:
            stack.extend(a)
        elif typ in (str, tuple, bytes, int, float):
            try:
                if a in known and a != own_key:
                    out.add(a)
            except TypeError:
                pass
    return out


def _flatten(x, containers=(list,)):
    if isinstance(x, dict) and dict in containers:
        for v in x.values():
            yield from _flatten(v, containers)
    elif type(x) in containers or (isinstance(x, (list, tuple, set)) and type(x) in containers):
        for i in x:
            yield from _flatten(i, containers)
    else:
        yield x


def _pack_like(keys, mapping):
    if isinstance(keys, list):
        return [_pack_like(k, mapping) for k in keys]
    return mapping[keys]


def _substitute(structure, mapping, errors):
    if isinstance(structure, Future):
        return mapping.get(structure.key, _Skipped)
    typ = type(structure)
    if typ in (list, tuple, set, frozenset):
        items = [_substitute(i, mapping, errors) for i in structure]
        if errors == "skip":
            items = [i for i in items if i is not _Skipped]
        return typ(items)
    if typ is dict:
        out = {k: _substitute(v, mapping, errors) for k, v in structure.items()}
        return {k: v for k, v in out.items() if v is not _Skipped} if errors == "skip" else out
    return structure


def _lists(mapping):
    """msgpack brings sequences back as tuples; users index and compare these as lists."""
    return {k: list(v) for k, v in mapping.items()}


def _release_all(structure):
    for f in _flatten(structure, containers=(list, tuple)):
        if isinstance(f, Future):
            f.release()


def _exception_from(msg):
    from .errors import RemoteError

    exc = msg.get("exception")
    if isinstance(exc, BaseException):
        return exc
    return RemoteError(msg.get("exception_text") or "remote error")


def _with_traceback(exc, traceback_text):
    if traceback_text and hasattr(exc, "add_note"):
        note = f"Traceback from the worker:\n{traceback_text}"
        if note not in getattr(exc, "__notes__", ()):
            exc.add_note(note)
    return exc


@atexit.register
def _close_clients():
    for client in list(_all_clients):
        if client.status == "running" and not client.asynchronous:
            try:
                client.close()
            except Exception:
                pass


__all__ = ["Client", "Future", "wait", "fire_and_forget", "default_client", "get_client", "futures_of",
           "FutureLostError"]
