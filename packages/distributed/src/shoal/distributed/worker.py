"""The Worker server: runs tasks in a thread pool, stores results, serves them to peers.

The decisions live in the sans-IO ``WorkerState``; this class carries out its instructions (execute,
fetch from a peer, send to the scheduler, delete data), keeps results in a ``SpillBuffer`` under the
memory limit, pauses when the process uses too much memory and reports metrics in heartbeats.
"""

import asyncio
import contextlib
import logging
import os
import pickle
import tempfile
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor

from . import config, gc_tuning
from .batched import BatchedSend
from .comm import CommClosedError, connect
from .comm.core import parse_address
from .comm.inproc import new_address
from .lifecycle import close_once
from .actor import NewActor, read_actor_attribute, run_actor_method
from .logs import LogBuffer
from .output import forward_output
from .protocol import Serialize, deserialize, pickle_dumps
from .rpc import send_recv
from .server import Server
from .sizeof import sizeof
from .spill import SpillBuffer
from .taskspec import PLAIN_TYPES, run_task
from .worker_state import WorkerState

logger = logging.getLogger("shoal.distributed.worker")
_thread_state = threading.local()


def get_worker():
    """The Worker running the current task (only valid inside a task)."""
    worker = getattr(_thread_state, "worker", None)
    if worker is None:
        raise ValueError("get_worker() called outside of a task running on a shoal worker")
    return worker


def secede():
    """Inside a task: stop counting against the worker's threads (e.g. before waiting on other tasks)."""
    worker = get_worker()
    key = _thread_state.key
    worker.loop.call_soon_threadsafe(lambda: worker.handle(worker.state.secede(key)))


def rejoin():
    """Inside a seceded task: count against the worker's threads again (may briefly oversubscribe)."""
    worker = get_worker()
    key = _thread_state.key
    worker.loop.call_soon_threadsafe(lambda: worker.handle(worker.state.rejoin(key)))


@contextlib.contextmanager
def worker_client(timeout=None):
    """Inside a task: a client to submit more tasks, with this task seceded meanwhile (no deadlock)."""
    from .client import get_client

    client = get_client(timeout=timeout)
    secede()
    try:
        yield client
    finally:
        rejoin()


def parse_memory_limit(memory_limit, nthreads, total_cores=None):
    """``'auto'`` -> this worker's share of the machine's memory; ``'4GB'`` -> bytes; 0/None -> no limit."""
    import psutil

    from shoal.utils import parse_bytes

    if memory_limit in (None, 0, "0", False):
        return 0
    total = psutil.virtual_memory().total
    if memory_limit == "auto":
        cores = total_cores or os.cpu_count() or 1
        return int(total * min(1, nthreads / cores))
    if isinstance(memory_limit, float) and memory_limit <= 1:
        return int(total * memory_limit)
    return min(parse_bytes(memory_limit), total)


class Worker(Server):
    """``async with Worker(scheduler_address, nthreads=2) as w: ...``"""

    def __init__(self, scheduler_ip=None, scheduler_port=None, *, scheduler_address=None, nthreads=None,
                 memory_limit="auto", name=None, resources=None, local_directory=None, host=None, port=0,
                 protocol=None, nanny=None, validate=None, heartbeat_interval=None, memory_target_fraction=None,
                 memory_spill_fraction=None, memory_pause_fraction=None, security=None, **kwargs):
        if scheduler_address is None:
            scheduler_address = scheduler_ip if scheduler_port is None else f"tcp://{scheduler_ip}:{scheduler_port}"
        if scheduler_address is None:
            raise ValueError("Worker needs the scheduler's address, e.g. Worker('tcp://127.0.0.1:8786')")
        self.scheduler_address = scheduler_address
        scheme = protocol or parse_address(scheduler_address)[0]
        listen = new_address() if scheme == "inproc" else f"{scheme}://{host or _host_toward(scheduler_address)}:{port or 0}"
        self.nthreads = nthreads or os.cpu_count() or 1
        self.memory_limit = parse_memory_limit(memory_limit, self.nthreads)
        self.name = name
        self.resources = dict(resources or {})
        self.nanny = nanny
        self.validate = config.get("distributed.scheduler.validate") if validate is None else validate
        self.heartbeat_interval = (config.get_seconds("distributed.worker.heartbeat-interval")
                                   if heartbeat_interval is None else config.parse_timedelta(heartbeat_interval))
        mem = "distributed.worker.memory."
        self.memory_target_fraction = config.get(mem + "target") if memory_target_fraction is None else memory_target_fraction
        self.memory_spill_fraction = config.get(mem + "spill") if memory_spill_fraction is None else memory_spill_fraction
        self.memory_pause_fraction = config.get(mem + "pause") if memory_pause_fraction is None else memory_pause_fraction
        base = local_directory or config.get("temporary-directory") or tempfile.gettempdir()
        self.local_directory = os.path.join(base, "shoal-worker-space", f"worker-{uuid.uuid4().hex[:8]}")
        target = (self.memory_limit * self.memory_target_fraction
                  if self.memory_limit and self.memory_target_fraction else float("inf"))
        self.data = SpillBuffer(os.path.join(self.local_directory, "storage"), target)
        self.inline_result_size = config.get_bytes("distributed.worker.inline-result-size")
        self.state = None
        self.executor = None
        self.stream = None
        self.scheduler_comm = None
        self._client = None
        self.plugins = {}
        self.actors = {}  # key -> the live object of an actor created here
        self.transfers = {}  # key -> fetch windows of its dependencies, for the task stream
        self.logs = LogBuffer(config.get("distributed.worker.log-length"))
        self.start_time = time.time()
        self.transfer_bytes_in = 0
        self.transfer_bytes_out = 0
        self._gc_tuned = False
        self.close_reason = None  # why the worker closed, e.g. "scheduler-close"; its nanny reads it
        handlers = {
            "get_data": self.get_data,
            "update_data": self.update_data,
            "gather": self.gather,
            "run": self.run,
            "close": self.close_handler,
            "keys": lambda comm, msg: list(self.data),
            "versions": lambda comm, msg: _versions(),
            "worker_info": lambda comm, msg: self.info(),
            "plugin_add": lambda comm, msg: self.plugin_add(msg["plugin"], msg["name"]),
            "plugin_remove": lambda comm, msg: self.plugin_remove(msg["name"]),
            "actor_execute": self.actor_execute,
            "actor_attribute": lambda comm, msg: Serialize(read_actor_attribute(self, msg)),
            "get_logs": lambda comm, msg: self.logs.tail(msg.get("n")),
        }
        super().__init__(handlers, listen_address=listen, security=security)

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self):
        await super().start()
        self.state = WorkerState(self.address, self.nthreads, self.resources, validate=self.validate)
        # threads are made on demand; the state machine keeps at most nthreads tasks counted as running,
        # the spare ones serve tasks that seceded
        self.executor = ThreadPoolExecutor(self.nthreads + 32, thread_name_prefix=f"shoal-worker-{self.address}")
        # actor methods run one at a time, in call order
        self.actor_executor = ThreadPoolExecutor(1, thread_name_prefix=f"shoal-actor-{self.address}")
        self.logs.attach()
        comm = await connect(self.scheduler_address, timeout=config.get_seconds("distributed.comm.timeouts.connect"),
                             security=self.security)
        await comm.write({
            "op": "register-worker", "address": self.address, "nthreads": self.nthreads,
            "memory_limit": self.memory_limit, "name": self.name, "resources": self.resources,
            "local_directory": self.local_directory, "pid": os.getpid(), "nanny": self.nanny,
        })
        reply = await comm.read()
        if "ok" not in reply:
            comm.abort()
            raise ValueError(f"Scheduler {self.scheduler_address} refused worker {self.address}: {reply.get('text')}")
        self.scheduler_comm = comm
        for name, plugin in (reply["ok"].get("plugins") or {}).items():
            self.plugin_add(plugin, name)
        self.stream = BatchedSend(interval=config.get_seconds("distributed.worker.batch-interval"))
        self.stream.start(comm)
        self.background(self._read_scheduler())
        self.background(self.periodic(self.heartbeat, self.heartbeat_interval))
        if self.memory_limit:
            self.background(self.periodic(self.check_memory, 0.1))
        logger.info("      Start worker at: %s", self.address)
        logger.info("         Threads: %d", self.nthreads)
        logger.info("          Memory: %s", _fmt_bytes(self.memory_limit))
        logger.info("  Local directory: %s", self.local_directory)
        logger.info("Registered to: %s", self.scheduler_address)
        gc_tuning.server_started()
        self._gc_tuned = True
        return self

    @close_once
    async def close(self, report=True, reason="closed"):
        if self.status in ("closing", "closed"):
            return
        self.close_reason = reason
        if self.stream is not None and not self.stream.closed and report:
            self.stream.send({"op": "unregister"})
            await self.stream.close()
        elif self.stream is not None:
            self.stream.abort()
        for name in list(self.plugins):
            self.plugin_remove(name)
        client, self._client = self._client, None
        if client is not None:
            await _close_task_client(client)
        await super().close()
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.actor_executor.shutdown(wait=False, cancel_futures=True)
        self.logs.detach()
        self.data.close()
        if self._gc_tuned:
            self._gc_tuned = False
            gc_tuning.server_closed()
        logger.info("Stopped worker at %s", self.address if self.listener else "?")

    async def close_handler(self, comm, msg):
        self.background(self.close(reason=msg.get("reason", "asked to close")))

    async def _read_scheduler(self):
        comm = self.scheduler_comm
        try:
            while self.status == "running":
                batch = await comm.read(deserialize=False)  # run specs are unpickled in the task thread
                for msg in batch if isinstance(batch, (list, tuple)) else [batch]:
                    self.handle_scheduler_msg(msg)
        except (CommClosedError, OSError):
            if self.status == "running":
                logger.info("Connection to scheduler %s lost: closing worker %s", self.scheduler_address, self.address)
                self.background(self.close(report=False, reason="lost the scheduler"))

    def handle_scheduler_msg(self, msg):
        op = msg.get("op")
        sid = msg.get("stimulus_id", op)
        if op == "compute-task":
            try:  # inline rather than _failing_on_error: this runs once per task
                self.handle(self.state.compute_task(
                    msg["key"], msg["run_spec"], priority=msg.get("priority", (0,)), who_has=msg.get("who_has"),
                    nbytes=msg.get("nbytes"), resource_restrictions=msg.get("resource_restrictions"),
                    duration=msg.get("duration", 0.5), stimulus_id=sid,
                ))
            except Exception as e:
                self.handle(self.state.internal_error("compute-task", [msg["key"]], e))
        elif op == "free-keys":
            self.handle(self.state.free_keys(msg["keys"], stimulus_id=sid))
        elif op == "steal-request":
            self.handle(self.state.steal_request(msg["key"], stimulus_id=sid))
        elif op == "close":
            self.background(self.close(report=False, reason=msg.get("reason", "scheduler asked")))
        else:
            logger.warning("Worker %s got unknown message %r", self.address, op)

    # ---- instructions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _failing_on_error(self, event, keys):
        """A bug while handling ``keys`` fails them with an InternalError instead of losing them."""
        try:
            yield
        except Exception as e:
            self.handle(self.state.internal_error(event, keys, e))

    def handle(self, instructions):
        for instruction in instructions:
            kind = instruction[0]
            if kind == "execute":
                self.execute(instruction[1])
            elif kind == "send":
                if not self.stream.closed:
                    self.stream.send(instruction[1])
            elif kind == "gather":
                self.background(self.gather_dep(instruction[1], instruction[2]))
            elif kind == "delete":
                self.data.pop(instruction[1], None)
                self.actors.pop(instruction[1], None)
                self.transfers.pop(instruction[1], None)

    def execute(self, key):
        """Hand ``key`` to the thread pool; ``_execute_done`` runs on the loop when it returns."""
        try:
            self._submit(key)
        except Exception as e:
            self.handle(self.state.internal_error("execute", [key], e))

    def _submit(self, key):
        ts = self.state.tasks.get(key)
        if ts is None:
            return
        deps = {d.key for d in ts.dependencies}
        try:
            inputs = {k: self.data[k] for k in deps}
        except KeyError as e:  # an input vanished (freed while we waited): ask for a new placement
            self.handle([("send", {"op": "reschedule", "key": key, "stimulus_id": f"missing-input-{e}"})])
            self.handle(self.state.free_keys([key], stimulus_id="missing-input"))
            return
        loop = self.loop

        def done(f):
            # a pool shut down by close() cancels queued tasks: nothing to report then
            if not f.cancelled() and not loop.is_closed():
                loop.call_soon_threadsafe(self._execute_done, key, *f.result())

        try:
            self.executor.submit(self._run, key, ts.run_spec, inputs, deps).add_done_callback(done)
        except RuntimeError:  # the pool is shut down: this worker is closing
            pass

    def _execute_done(self, key, ok, value, nbytes, timing):
        if self.status != "running":
            return
        try:
            self._record_result(key, ok, value, nbytes, timing)
        except Exception as e:
            self.handle(self.state.internal_error("execute-done", [key], e))

    def _record_result(self, key, ok, value, nbytes, timing):
        sid = f"task-done-{key}"
        if ok:
            if key in self.state.tasks and self.state.tasks[key].state == "executing":
                if isinstance(value, NewActor):  # the instance stays here; everybody else gets a proxy
                    self.actors[key] = value.instance
                    value = value.proxy(self.address, key)
                self.data[key] = value
            instructions = self.state.task_done(key, nbytes, stimulus_id=sid,
                                                type_name=type(value).__name__, duration=timing["duration"])
            if nbytes <= self.inline_result_size:
                _attach_small_result(instructions, key, value)
        else:
            instructions = self.state.task_failed(key, value, stimulus_id=sid)
        _attach_timing(instructions, key, timing, self.transfers.pop(key, None))
        self.handle(instructions)

    def _run(self, key, run_spec, inputs, deps):
        """In a pool thread: run the task; returns (ok, value or error message, nbytes, timing)."""
        _thread_state.worker = self
        _thread_state.key = key
        start, wall = time.perf_counter(), time.time()
        try:
            with forward_output(self, key):
                value = run_task(run_spec, inputs, deps)
            ok, nbytes = True, sizeof(value)
        except BaseException as e:  # noqa: BLE001 - the task's error travels to the client
            ok, value, nbytes = False, error_message(e), 0
        finally:
            _thread_state.worker = None
        duration = time.perf_counter() - start
        timing = {"start": wall, "stop": wall + duration, "duration": duration, "thread": threading.get_ident()}
        return ok, value, nbytes, timing

    async def gather_dep(self, worker, keys):
        sid = f"gather-{worker}-{time.time()}"
        started = time.time()
        try:
            async with self.pool.borrow(worker) as comm:
                data = await send_recv(comm, "get_data", keys=list(keys), who=self.address)
        except Exception as e:
            logger.info("Worker %s could not fetch %d keys from %s: %s", self.address, len(keys), worker, e)
            self.pool.remove(worker)
            self.handle(self.state.gather_failed(worker, stimulus_id=sid))
            return
        with self._failing_on_error("gather", self.state.dependents_of(keys)):
            nbytes = {}
            for key, value in data.items():
                ts = self.state.tasks.get(key)
                if ts is not None and ts.state == "flight":
                    self.data[key] = value
                    nbytes[key] = sizeof(value)
                    self.transfer_bytes_in += nbytes[key]
            self._note_transfer(keys, worker, started, time.time())
            self.handle(self.state.gather_done(worker, nbytes, stimulus_id=sid))

    def _note_transfer(self, keys, worker, start, stop):
        """Remember the fetch window on the dependents, for their task-stream records."""
        for key in keys:
            ts = self.state.tasks.get(key)
            for dts in ts.dependents if ts is not None else ():
                self.transfers.setdefault(dts.key, []).append(
                    {"action": "transfer", "start": start, "stop": stop, "source": worker})

    # ---- handlers -----------------------------------------------------------------------------

    def get_data(self, comm, msg):
        out = {}
        for key in msg["keys"]:
            if key in self.data:
                out[key] = Serialize(self.data[key])
                self.transfer_bytes_out += self.data.sizes.get(key, 0)
        return out

    async def gather(self, comm, msg):
        """Copy ``who_has`` keys from their holders to this worker (``Client.replicate``)."""
        by_holder = {}
        for key, holders in msg["who_has"].items():
            if key not in self.data and holders:
                by_holder.setdefault(holders[0], []).append(key)
        nbytes = {}
        for holder, keys in by_holder.items():
            data = await self.rpc(holder, "get_data", keys=keys, who=self.address)
            for key, value in data.items():
                self.data[key] = value
                nbytes[key] = sizeof(value)
                self.state.add_data(key, nbytes[key], stimulus_id="replicate")
        return nbytes

    def update_data(self, comm, msg):
        """Store scattered data (already deserialized by the comm)."""
        nbytes = {}
        for key, value in msg["data"].items():
            self.data[key] = value
            nbytes[key] = sizeof(value)
            self.state.add_data(key, nbytes[key])
        return nbytes

    async def actor_execute(self, comm, msg):
        return Serialize(await run_actor_method(self, msg))

    def log_event(self, topic, msg):
        """Send an event to the scheduler (which keeps it and passes it to subscribed clients); any thread."""
        event = {"op": "log-event", "topic": topic, "msg": msg}
        try:
            self.loop.call_soon_threadsafe(self._send_event, event)
        except RuntimeError:  # the loop is closed: the worker is gone
            pass

    def _send_event(self, event):
        if self.stream is not None and not self.stream.closed:
            self.stream.send(event)

    async def run(self, comm, msg):
        """``Client.run``: call a function here and return its result."""
        func = msg["function"]  # this comm already unpickled the payloads
        args = msg.get("args") or ()
        kwargs = dict(msg.get("kwargs") or {})
        if _accepts(func, "dask_worker"):
            kwargs["dask_worker"] = self
        if _accepts(func, "shoal_worker"):
            kwargs["shoal_worker"] = self
        result = func(*args, **kwargs)
        if asyncio.iscoroutine(result):
            result = await result
        return Serialize(result)

    def plugin_add(self, plugin, name):
        """Run ``plugin.setup(self)`` (replacing a plugin of the same name) and hook its transitions."""
        if name in self.plugins:
            self.plugin_remove(name)
        self.plugins[name] = plugin
        if hasattr(plugin, "transition"):
            plugin._shoal_hook = lambda key, start, finish: plugin.transition(key, start, finish)
            self.state.transition_hooks.append(plugin._shoal_hook)
        if hasattr(plugin, "setup"):
            result = plugin.setup(self)
            return Serialize(result) if result is not None else None
        return None

    def plugin_remove(self, name):
        plugin = self.plugins.pop(name, None)
        if plugin is None:
            return
        hook = getattr(plugin, "_shoal_hook", None)
        if hook in self.state.transition_hooks:
            self.state.transition_hooks.remove(hook)
        if hasattr(plugin, "teardown"):
            try:
                plugin.teardown(self)
            except Exception:
                logger.exception("Teardown of worker plugin %r failed", name)

    # ---- monitoring ---------------------------------------------------------------------------

    def metrics(self):
        import psutil

        proc = psutil.Process()
        return {
            "memory": proc.memory_info().rss,
            "cpu": proc.cpu_percent(interval=None),
            "managed_bytes": self.data.fast_bytes,
            "spilled_bytes": self.data.slow_bytes,
            "executing": len(self.state.executing),
            "ready": len(self.state.ready),
            "in_memory": len(self.data),
            "paused": self.state.paused,
            "executed": self.state.executed_count,
            "transfer_bytes_in": self.transfer_bytes_in,
            "transfer_bytes_out": self.transfer_bytes_out,
            "time": time.time(),
        }

    def heartbeat(self):
        if self.stream is not None and not self.stream.closed:
            self.stream.send({"op": "heartbeat", "metrics": self.metrics()})
        for key in [k for k in self.transfers if k not in self.state.tasks]:  # dependents released unrun
            del self.transfers[key]

    def check_memory(self):
        """Spill past the spill fraction of process memory; pause new tasks past the pause fraction."""
        import psutil

        rss = psutil.Process().memory_info().rss
        limit = self.memory_limit
        if self.memory_spill_fraction and rss > self.memory_spill_fraction * limit:
            # spill as many bytes as we are over (freed memory may not show in RSS at once)
            excess = rss - self.memory_spill_fraction * limit * 0.9
            while excess > 0:
                freed = self.data.evict_one()
                if not freed:
                    break
                excess -= freed
            rss = psutil.Process().memory_info().rss
        paused = bool(self.memory_pause_fraction) and rss > self.memory_pause_fraction * limit
        if paused != self.state.paused:
            logger.warning("Worker %s %s: process memory %s of limit %s", self.address,
                           "paused" if paused else "resumed", _fmt_bytes(rss), _fmt_bytes(limit))
            self.handle(self.state.set_paused(paused))

    def info(self):
        return {"address": self.address, "name": self.name, "nthreads": self.nthreads,
                "memory_limit": self.memory_limit, "local_directory": self.local_directory,
                "keys": len(self.data), "metrics": self.metrics()}

    def __repr__(self):
        address = self.address if self.listener is not None else "not started"
        n = len(self.data)
        return (f"<Worker {address!r}, name: {self.name}, status: {self.status}, threads: {self.nthreads}, "
                f"memory: {n} keys>")


async def _close_task_client(client):
    """The client tasks made with get_client runs its own loop thread: close it there, not on ours."""
    if client.asynchronous:
        await client._close()
    else:
        await asyncio.get_running_loop().run_in_executor(None, client.close)


def _attach_timing(instructions, key, timing, transfers):
    """task-finished/task-erred carry when and on which thread the task ran (the task stream)."""
    for instruction in instructions:
        msg = instruction[1] if instruction[0] == "send" else None
        if msg is not None and msg.get("op") in ("task-finished", "task-erred") and msg.get("key") == key:
            compute = {"action": "compute", "start": timing["start"], "stop": timing["stop"]}
            msg["startstops"] = [*(transfers or ()), compute]
            msg["thread"] = timing["thread"]
            return


def _attach_small_result(instructions, key, value):
    """Small results ride along with task-finished as opaque bytes, so clients skip a round trip."""
    for instruction in instructions:
        msg = instruction[1] if instruction[0] == "send" else None
        if msg is not None and msg.get("op") == "task-finished" and msg.get("key") == key:
            if type(value) in PLAIN_TYPES:  # plain pickle: same bytes, much cheaper than cloudpickle
                msg["value"] = pickle.dumps(value, protocol=5)
                return
            try:
                _header, frames = pickle_dumps(value)
            except Exception:
                return
            if len(frames) == 1:
                msg["value"] = bytes(frames[0])
            return


def error_message(exc):
    """An exception as the scheduler relays it: pickled when possible, always with text."""
    tb_text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        from .protocol import serialize

        exception = serialize(exc)
        deserialize(exception)
    except Exception:
        from .errors import RemoteError

        exception = Serialize(RemoteError(f"{type(exc).__name__}: {exc}"))
    from .remote_traceback import frames_of

    return {
        "exception": exception,
        "traceback": frames_of(exc),
        "exception_text": f"{type(exc).__name__}: {exc}",
        "traceback_text": tb_text,
    }


def _host_toward(scheduler_address):
    """Listen on the interface that reaches the scheduler, so peers and clients can reach us too."""
    from .comm.core import parse_host_port
    from .comm.tcp import ip_toward

    host, _port = parse_host_port(parse_address(scheduler_address)[1])
    return ip_toward(host)


def _accepts(func, name):
    import inspect

    try:
        return name in inspect.signature(func).parameters
    except (TypeError, ValueError):
        return False


def _fmt_bytes(n):
    from shoal.utils import format_bytes

    return format_bytes(n) if n else "no limit"


def _versions():
    from .scheduler import versions

    return versions()
