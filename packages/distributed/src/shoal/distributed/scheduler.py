"""The Scheduler server: moves messages between clients, workers and the sans-IO SchedulerState.

It reads every message with ``deserialize=False``: task bodies, results and exceptions stay opaque
``Serialized`` payloads, so no user code ever runs here (``run_on_scheduler`` is opt-in).
"""

import asyncio
import logging
import math
import os
import time
import uuid

from . import config, gc_tuning
from .batched import BatchedSend
from .comm import CommClosedError, listen
from .comm.inproc import new_address
from .events import Events
from .lifecycle import close_once
from .rebalance import plan_rebalance
from .retirement import hand_over
from .scheduler_state import SchedulerState
from .server import Server, error_reply
from .task_stream import TaskStream

logger = logging.getLogger("shoal.distributed.scheduler")


class Scheduler(Server):
    """``async with Scheduler(port=0) as s: s.address``.

    ``protocol='inproc'`` keeps everything inside this process (tests).  ``validate=True`` checks
    every invariant after every transition.
    """

    deserialize = False
    stream_ops = frozenset(("register-worker", "register-client"))

    def __init__(self, host=None, port=0, protocol="tcp", address=None, dashboard_address=None,
                 validate=None, allowed_failures=None, allow_run_on_scheduler=None, worker_ttl=None,
                 dashboard=None, security=None, **kwargs):
        if address is None:
            address = new_address() if protocol == "inproc" else f"{protocol}://{host or '127.0.0.1'}:{port or 0}"
        self.state = SchedulerState(
            validate=config.get("distributed.scheduler.validate") if validate is None else validate,
            allowed_failures=(config.get("distributed.scheduler.allowed-failures")
                              if allowed_failures is None else allowed_failures),
            default_task_duration=config.get_seconds("distributed.scheduler.default-task-duration"),
            bandwidth=config.get_bytes("distributed.scheduler.bandwidth"),
            worker_saturation=config.get_seconds("distributed.scheduler.worker-saturation"),
            history_length=config.get("distributed.scheduler.transition-log-length"),
        )
        self.allow_run_on_scheduler = bool(allow_run_on_scheduler)
        self.worker_ttl = (config.get_seconds("distributed.scheduler.worker-ttl") if worker_ttl is None
                           else config.parse_timedelta(worker_ttl))
        if dashboard and dashboard_address is None:
            dashboard_address = ":8787"
        self.dashboard_address = None if dashboard is False else dashboard_address
        self.batch_interval = config.get_seconds("distributed.scheduler.batch-interval")
        self.http_server = None
        self.datasets = {}  # name -> (keys, opaque pickled object): Client.publish_dataset
        self.worker_plugins = {}  # name -> opaque pickled WorkerPlugin, given to every worker
        self.worker_streams = {}
        self.client_streams = {}
        self.start_time = time.time()
        self.events_seen = 0
        self.task_stream = TaskStream(config.get("distributed.scheduler.task-stream-length"))
        self.events = Events(config.get("distributed.scheduler.events-length"))
        self._gc_tuned = False
        handlers = {
            "register-worker": self.register_worker,
            "register-client": self.register_client,
            "who_has": lambda comm, msg: self.state.who_has(msg.get("keys")),
            "has_what": lambda comm, msg: self.state.has_what(msg.get("workers")),
            "ncores": lambda comm, msg: self.state.ncores(),
            "processing": lambda comm, msg: self.state.processing(),
            "scheduler_info": lambda comm, msg: self.scheduler_info(),
            "story": lambda comm, msg: self.state.story(msg["key"]),
            "update_data": self.update_data,
            "cancel": self.cancel,
            "retry": self.retry,
            "restart": self.restart,
            "publish_put": self.publish_put,
            "publish_get": lambda comm, msg: self.datasets.get(msg["name"], (None, None))[1],
            "publish_list": lambda comm, msg: sorted(self.datasets),
            "publish_delete": self.publish_delete,
            "replicate": self.replicate,
            "register_worker_plugin": self.register_worker_plugin,
            "unregister_worker_plugin": self.unregister_worker_plugin,
            "retire_workers": self.retire_workers,
            "workers_to_close": lambda comm, msg: self.workers_to_close(
                n=msg.get("n"), target=msg.get("target"), attribute=msg.get("attribute", "address")),
            "run_on_scheduler": self.run_on_scheduler,
            "counts": lambda comm, msg: self.state.counts(),
            "versions": lambda comm, msg: versions(),
            "adaptive_target": lambda comm, msg: self.adaptive_target(msg.get("target_duration", 5.0)),
            "get_task_stream": lambda comm, msg: self.task_stream.select(msg.get("start"), msg.get("stop"),
                                                                         msg.get("count")),
            "get_events": lambda comm, msg: self.events.get(msg.get("topic")),
            "log_event": lambda comm, msg: self.log_event(msg["topic"], msg["msg"]),
            "get_worker_logs": self.get_worker_logs,
            "rebalance": self.rebalance,
            "terminate": self.terminate,
        }
        super().__init__(handlers, listen_address=address, security=security)
        from .coordination import Coordination

        self.coordination = Coordination(self)
        self.handlers.update(self.coordination.handlers())

    # ---- lifecycle ----------------------------------------------------------------------------

    async def start(self):
        await super().start()
        self.inproc_listener = None
        if not self.address.startswith("inproc://") and self.security is None:
            # clients in this process (LocalCluster) skip the network stack through this address
            self.inproc_listener = await listen(new_address(), self.handle_comm, deserialize=False)
        self.background(self.periodic(self.check_worker_ttl, max(self.worker_ttl / 4, 0.05)))
        if config.get("distributed.scheduler.work-stealing"):
            interval = config.get_seconds("distributed.scheduler.work-stealing-interval")
            self.background(self.periodic(lambda: self.send_all(*self.state.balance()), interval))
        if self.dashboard_address is not None:
            from .dashboard.http import start_http_server

            self.http_server = start_http_server(self, self.dashboard_address)
        logger.info("Scheduler at: %s", self.address)
        if self.http_server is not None:
            logger.info("Dashboard at: %s", self.dashboard_link)
        gc_tuning.server_started()
        self._gc_tuned = True
        return self

    @property
    def dashboard_link(self):
        if self.http_server is None:
            return None
        return f"http://127.0.0.1:{self.http_port}/status"

    @property
    def http_port(self):
        return self.http_server.port if self.http_server is not None else None

    def terminate(self, comm=None, msg=None):
        """Close the scheduler and its workers, after answering (``Client.shutdown``)."""
        asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(self.close()))

    @close_once
    async def close(self):
        if self.status in ("closing", "closed"):
            return
        for stream in list(self.client_streams.values()):
            stream.send({"op": "scheduler-closing"})
            await stream.close()
        for stream in list(self.worker_streams.values()):
            stream.send({"op": "close", "reason": "scheduler-close"})
            await stream.close()
        if self.http_server is not None:
            self.http_server.stop()
        if getattr(self, "inproc_listener", None) is not None:
            self.inproc_listener.stop()
        await super().close()
        if self._gc_tuned:
            self._gc_tuned = False
            gc_tuning.server_closed()

    def check_worker_ttl(self):
        cutoff = time.time() - self.worker_ttl
        for address, ws in list(self.state.workers.items()):
            if ws.last_seen < cutoff:
                logger.warning("Worker %s silent for %.0f s: removing it", address, self.worker_ttl)
                self.remove_worker(address, stimulus_id=f"worker-ttl-{uuid.uuid4().hex[:8]}")

    # ---- message plumbing ---------------------------------------------------------------------

    def send_all(self, client_msgs, worker_msgs):
        for client, msgs in client_msgs.items():
            stream = self.client_streams.get(client)
            if stream is not None and not stream.closed:
                stream.send(*msgs)
        for worker, msgs in worker_msgs.items():
            stream = self.worker_streams.get(worker)
            if stream is not None and not stream.closed:
                stream.send(*msgs)

    async def _read_stream(self, comm, handle, who):
        try:
            while self.status == "running":
                batch = await comm.read()
                if isinstance(batch, dict):
                    batch = [batch]
                if not isinstance(batch, (list, tuple)):
                    logger.warning("Dropping malformed batch %r from %s", type(batch).__name__, who)
                    continue
                for msg in batch:
                    if not isinstance(msg, dict):
                        logger.warning("Dropping malformed message from %s", who)
                        continue
                    try:
                        if handle(msg) is False:
                            return
                    except Exception:  # one bad message must not end the stream or the scheduler
                        logger.exception("Bad %r message from %s", msg.get("op"), who)
                    if msg.get("op") == "update-graph":
                        await asyncio.sleep(0)  # let the tasks of this graph go out before the next
        except (CommClosedError, OSError):
            pass

    # ---- workers ------------------------------------------------------------------------------

    async def register_worker(self, comm, msg):
        address = msg.get("address")
        for old in list(self.state.workers.values()):
            if old.name == msg.get("name") and msg.get("nanny") and old.nanny == msg.get("nanny"):
                self.remove_worker(old.address, stimulus_id=f"replaced-by-{address}")  # restarted by its nanny
        try:
            msgs = self.state.add_worker(
                address, nthreads=msg.get("nthreads", 1), memory_limit=msg.get("memory_limit", 0),
                name=msg.get("name"), resources=msg.get("resources"),
                local_directory=msg.get("local_directory", ""), pid=msg.get("pid", 0),
                nanny=msg.get("nanny"), stimulus_id=f"register-worker-{address}",
            )
        except Exception as e:
            await comm.write(error_reply(e))
            return
        await comm.write({"ok": {"scheduler": self.address, "id": self.id, "plugins": dict(self.worker_plugins)}})
        stream = BatchedSend(interval=self.batch_interval)
        stream.start(comm)
        self.worker_streams[address] = stream
        logger.info("Register worker %s (%s threads)", address, msg.get("nthreads"))
        self.send_all(*msgs)
        try:
            await self._read_stream(comm, lambda m: self.handle_worker_msg(address, m), address)
        finally:
            if self.worker_streams.get(address) is stream:
                self.remove_worker(address, stimulus_id=f"worker-stream-closed-{uuid.uuid4().hex[:8]}",
                                   safe=getattr(stream, "safe_close", False))

    def handle_worker_msg(self, worker, msg):
        op = msg.get("op")
        st = self.state
        sid = msg.get("stimulus_id", op)
        self.events_seen += 1
        ws = st.workers.get(worker)
        if ws is not None:
            ws.last_seen = time.time()
        if op in ("task-finished", "task-erred"):
            try:
                out = self._task_done(worker, msg, sid)
            except Exception as e:  # never lose the task: its clients get the internal error
                out = st.fail_task(msg.get("key"), e, f"{op} from {worker}", stimulus_id=sid)
        elif op == "missing-data":
            out = st.missing_data(msg["key"], msg["errant_worker"], stimulus_id=sid)
        elif op == "reschedule":
            out = st.reschedule(msg["key"], worker, stimulus_id=sid)
        elif op == "release-worker-data":
            out = st.release_worker_data(worker, msg["keys"], stimulus_id=sid)
        elif op == "add-keys":
            out = st.add_keys(worker, msg["keys"], stimulus_id=sid)
        elif op == "long-running":
            out = st.long_running(worker, msg["key"], stimulus_id=sid)
        elif op == "steal-response":
            out = st.steal_response(worker, msg["key"], msg.get("state"), stimulus_id=sid)
        elif op == "heartbeat":
            st.worker_metrics(worker, msg.get("metrics", {}))
            return None
        elif op == "log-event":
            self.log_event(msg["topic"], msg["msg"])
            return None
        elif op == "unregister":
            stream = self.worker_streams.get(worker)
            if stream is not None:
                stream.safe_close = True
            return False
        else:
            logger.warning("Unknown message %r from worker %s", op, worker)
            return None
        self.send_all(*out)
        return None

    def _task_done(self, worker, msg, sid):
        st = self.state
        if msg["op"] == "task-finished":
            self.task_stream.record(worker, msg, "OK")
            return st.task_finished(worker, msg["key"], nbytes=msg.get("nbytes", 0), type=msg.get("type"),
                                    duration=msg.get("duration"), stimulus_id=sid, value=msg.get("value"))
        self.task_stream.record(worker, msg, "error")
        return st.task_erred(worker, msg["key"], exception=msg.get("exception"),
                             traceback=msg.get("traceback"), exception_text=msg.get("exception_text", ""),
                             traceback_text=msg.get("traceback_text", ""), stimulus_id=sid)

    def remove_worker(self, address, stimulus_id="remove-worker", safe=False):
        stream = self.worker_streams.pop(address, None)
        if stream is not None:
            stream.abort()
        if address in self.state.workers:
            logger.info("Remove worker %s", address)
            self.send_all(*self.state.remove_worker(address, stimulus_id=stimulus_id, safe=safe))

    async def retire_workers(self, comm=None, msg=None):
        """Close ``workers`` (addresses or names; or ``n`` of them, idle first) gracefully: results only
        they hold are first copied to the remaining workers, then tasks they were running are
        rescheduled.  ``{address: info}`` of the retired workers."""
        msg = msg or {}
        wanted = set(msg.get("workers") or ())
        if wanted:
            workers = [ws for ws in self.state.workers.values() if ws.address in wanted or ws.name in wanted]
        else:
            workers = [self.state.workers[w] for w in self.workers_to_close(n=msg.get("n") or 0)]
        if not workers:
            return {}
        for ws in workers:  # no new tasks go there while its data moves
            self.send_all(*self.state.set_worker_status(ws.address, "closing_gracefully", "retire-workers"))
        try:
            await hand_over(self, workers)
        except BaseException:
            for ws in workers:
                self.send_all(*self.state.set_worker_status(ws.address, "running", "retire-failed"))
            raise
        retired = {}
        for ws in workers:
            retired[ws.address] = ws.info()
            stream = self.worker_streams.get(ws.address)
            if stream is not None:
                stream.safe_close = True
                stream.send({"op": "close", "reason": "retired"})
            self.remove_worker(ws.address, stimulus_id="retire-workers", safe=True)
        return retired

    def workers_to_close(self, comm=None, n=None, target=None, attribute="address"):
        """Which workers to close to remove ``n`` (or keep ``target``): idle ones first (fewest tasks
        processing), then those holding the least data, so scaling down interrupts and moves little."""
        running = [ws for ws in self.state.workers.values() if ws.status == "running"]
        if n is None:
            n = len(running) - (target if target is not None else len(running))
        order = sorted(running, key=lambda ws: (len(ws.processing), ws.nbytes, len(ws.has_what)))
        return [getattr(ws, attribute) for ws in order[:max(n, 0)]]

    # ---- clients ------------------------------------------------------------------------------

    async def register_client(self, comm, msg):
        client = msg["client"]
        self.state.add_client(client)
        await comm.write({"ok": {"scheduler": self.address, "id": self.id}})
        stream = BatchedSend(interval=self.batch_interval)
        stream.start(comm)
        self.client_streams[client] = stream
        try:
            await self._read_stream(comm, lambda m: self.handle_client_msg(client, m), client)
        finally:
            if self.client_streams.get(client) is stream:
                del self.client_streams[client]
                stream.abort()
                self.events.remove_client(client)
                self.send_all(*self.state.remove_client(client, stimulus_id=f"client-gone-{client}"))
                await self.coordination.release_client_leases(client)

    def handle_client_msg(self, client, msg):
        op = msg.get("op")
        st = self.state
        sid = msg.get("stimulus_id", op)
        self.events_seen += 1
        if op == "update-graph":
            try:
                out = st.update_graph(
                    client, dict(msg["tasks"]), dict(msg.get("dependencies") or {}), msg.get("keys", ()),
                    priority=msg.get("priority"), user_priority=msg.get("user_priority", 0),
                    restrictions=msg.get("restrictions"), loose_restrictions=msg.get("loose_restrictions"),
                    resources=msg.get("resources"), retries=msg.get("retries"), stimulus_id=sid,
                )
            except Exception as e:  # a malformed graph must not take the scheduler down
                logger.exception("Bad update-graph from %s", client)
                out = ({client: [{"op": "graph-error", "keys": list(msg.get("keys", ())), **error_reply(e)}]}, {})
        elif op == "client-releases-keys":
            out = st.client_releases_keys(client, msg["keys"], stimulus_id=sid)
        elif op == "client-desires-keys":
            # fire_and_forget hands keys to a pseudo-client that never releases them
            owner = "fire-and-forget" if msg.get("client") == "fire-and-forget" else client
            out = st.client_desires_keys(owner, msg["keys"], stimulus_id=sid)
        elif op == "heartbeat-client":
            return None
        elif op == "log-event":
            self.log_event(msg["topic"], msg["msg"], keep=msg.get("keep", True))
            return None
        elif op == "subscribe-topic":
            self.events.subscribe(client, msg["topic"])
            return None
        elif op == "unsubscribe-topic":
            self.events.unsubscribe(client, msg["topic"])
            return None
        elif op == "close-client":
            return False
        else:
            logger.warning("Unknown message %r from client %s", op, client)
            return None
        self.send_all(*out)
        return None

    def update_data(self, comm, msg):
        self.send_all(*self.state.update_data(dict(msg["who_has"]), dict(msg.get("nbytes") or {}),
                                              client=msg.get("client"),
                                              stimulus_id=msg.get("stimulus_id", "update-data")))

    def cancel(self, comm, msg):
        self.send_all(*self.state.cancel(msg["client"], msg["keys"], force=msg.get("force", False)))

    def retry(self, comm, msg):
        self.send_all(*self.state.retry(msg["client"], msg["keys"]))

    def publish_put(self, comm, msg):
        """Keep a named object (opaque) and its futures' keys alive for every client."""
        name = msg["name"]
        if name in self.datasets and not msg.get("override"):
            raise KeyError(f"Dataset {name!r} already exists; unpublish it first or pass override=True")
        self.publish_delete(comm, {"name": name})
        keys = list(msg.get("keys") or ())
        self.send_all(*self.state.client_desires_keys(f"published-{name}", keys, stimulus_id=f"publish-{name}"))
        self.datasets[name] = (keys, msg["data"])

    def publish_delete(self, comm, msg):
        keys, _ = self.datasets.pop(msg["name"], (None, None))
        if keys:
            client = f"published-{msg['name']}"
            self.send_all(*self.state.remove_client(client, stimulus_id=f"unpublish-{msg['name']}"))

    async def register_worker_plugin(self, comm, msg):
        """Keep the (opaque) plugin for workers that join later and install it on every worker now."""
        name = msg["name"]
        if msg.get("idempotent") and name in self.worker_plugins:
            return {}
        self.worker_plugins[name] = msg["plugin"]
        workers = list(self.state.workers)
        replies = await asyncio.gather(*(self.rpc(w, "plugin_add", name=name, plugin=msg["plugin"]) for w in workers),
                                       return_exceptions=True)
        errors = {w: r for w, r in zip(workers, replies) if isinstance(r, BaseException)}
        if errors:
            worker, error = next(iter(errors.items()))
            raise RuntimeError(f"Worker plugin {name!r} failed on {len(errors)} of {len(workers)} workers, "
                               f"e.g. {worker}: {error}") from error
        return dict(zip(workers, replies))

    async def unregister_worker_plugin(self, comm, msg):
        name = msg["name"]
        if self.worker_plugins.pop(name, None) is None:
            raise ValueError(f"No worker plugin named {name!r}; registered: {sorted(self.worker_plugins)}")
        await asyncio.gather(*(self.rpc(w, "plugin_remove", name=name) for w in self.state.workers),
                             return_exceptions=True)

    async def replicate(self, comm, msg):
        """Copy ``keys`` onto ``n`` workers each (all workers by default), peer to peer."""
        st = self.state
        pool = [st.workers[w] for w in (msg.get("workers") or st.workers) if w in st.workers]
        n = msg.get("n") or len(pool)
        plan = {}
        for key in msg["keys"]:
            ts = st.tasks.get(key)
            if ts is None or ts.state != "memory":
                continue
            missing = max(min(n, len(pool)) - len(ts.who_has), 0)
            targets = sorted((ws for ws in pool if ws not in ts.who_has), key=lambda ws: ws.nbytes)[:missing]
            for ws in targets:
                plan.setdefault(ws.address, {})[key] = [h.address for h in ts.who_has]
        replies = await asyncio.gather(*(self.rpc(w, "gather", who_has=who_has) for w, who_has in plan.items()))
        for worker, nbytes in zip(plan, replies):
            self.send_all(*st.add_keys(worker, list(nbytes), stimulus_id="replicate"))
        return {k: len(ts.who_has) for k in msg["keys"] if (ts := st.tasks.get(k)) is not None}

    def log_event(self, topic, msg, keep=True):
        self.send_all(self.events.log(topic, msg, keep=keep), {})

    async def get_worker_logs(self, comm, msg):
        """``{worker: [(level, message)]}``: the last ``n`` log records of each worker."""
        workers = [w for w in (msg.get("workers") or self.state.workers) if w in self.state.workers]
        replies = await asyncio.gather(*(self.rpc(w, "get_logs", n=msg.get("n")) for w in workers),
                                       return_exceptions=True)
        return {w: ([("ERROR", f"could not get the logs: {r}")] if isinstance(r, BaseException) else r)
                for w, r in zip(workers, replies)}

    async def rebalance(self, comm, msg):
        """Move results so every worker holds about the same number of bytes (``Client.rebalance``)."""
        st = self.state
        moves = plan_rebalance(st, msg.get("keys"), msg.get("workers"))
        by_recipient = {}
        for key, sender, recipient in moves:
            by_recipient.setdefault(recipient, {})[key] = [sender]
        replies = await asyncio.gather(*(self.rpc(w, "gather", who_has=who_has) for w, who_has in by_recipient.items()),
                                       return_exceptions=True)
        done = {w for w, r in zip(by_recipient, replies) if not isinstance(r, BaseException)}
        self.send_all(*st.move_replicas([m for m in moves if m[2] in done], stimulus_id=f"rebalance-{uuid.uuid4().hex[:8]}"))
        failed = [str(r) for r in replies if isinstance(r, BaseException)]
        if failed:
            raise RuntimeError(f"Rebalance could not move data to {len(failed)} workers: {failed[0]}")
        return {"moved": len(moves)}

    async def restart(self, comm, msg):
        """Forget every task, restart workers that have a nanny, and wait for them to come back."""
        st = self.state
        for cs in list(st.clients.values()):
            for ts in list(cs.wants):
                if cs.id != msg.get("client"):  # the client asking cancelled its futures itself
                    self.send_all({cs.id: [{"op": "cancelled-key", "key": ts.key, "reason": "restart"}]}, {})
            self.send_all(*st.client_releases_keys(cs.id, [ts.key for ts in list(cs.wants)]))
        n_before = len(st.workers)
        nannies = [ws.nanny for ws in st.workers.values() if ws.nanny]
        old_streams = []
        for ws in list(st.workers.values()):
            if ws.nanny:
                # forget the worker but keep its stream open: a worker that loses its scheduler closes
                # on its own, and its nanny would then close instead of restarting it
                old_streams.append(self.worker_streams.pop(ws.address, None))
                self.remove_worker(ws.address, stimulus_id="restart", safe=True)
        try:
            results = await asyncio.gather(
                *(self.rpc(nanny, "restart", timeout=msg.get("timeout", 30)) for nanny in nannies),
                return_exceptions=True,
            )
        finally:
            for stream in old_streams:
                if stream is not None:
                    stream.abort()
        failed = [str(r) for r in results if isinstance(r, BaseException)]
        deadline = time.time() + msg.get("timeout", 30)
        while len(st.workers) < n_before and time.time() < deadline:
            await asyncio.sleep(0.02)
        if failed:
            raise RuntimeError(f"Restarting workers failed: {failed}")
        return len(st.workers)

    async def run_on_scheduler(self, comm, msg):
        if not self.allow_run_on_scheduler:
            raise PermissionError(
                "This scheduler does not run client code (it never unpickles what clients send). "
                "Start it with Scheduler(allow_run_on_scheduler=True) or LocalCluster to allow run_on_scheduler."
            )
        from .protocol import Serialize, deserialize

        func = deserialize(msg["function"])
        args = deserialize(msg["args"]) if msg.get("args") is not None else ()
        kwargs = deserialize(msg["kwargs"]) if msg.get("kwargs") is not None else {}
        if _wants_scheduler(func):
            kwargs["shoal_scheduler" if "shoal_scheduler" in _params(func) else "dask_scheduler"] = self
        result = func(*args, **kwargs)
        if asyncio.iscoroutine(result):
            result = await result
        return Serialize(result)

    def adaptive_target(self, target_duration=5.0):
        """How many workers the current work deserves: expected seconds of all unfinished work (queued
        and already processing) / ``target_duration``, and at least every worker now running tasks, so
        that scaling down only ever closes idle workers and does not flap while tasks run."""
        st = self.state
        work = 0.0
        pending = 0
        for ts in st.tasks.values():
            if ts.state in ("queued", "no-worker", "processing", "waiting"):
                work += st._expected_duration(ts)
                pending += 1
        threads = max((ws.nthreads for ws in st.workers.values()), default=1)
        target = math.ceil(work / target_duration / threads) if pending else 0
        if pending:
            target = max(target, 1)
        busy = sum(1 for ws in st.workers.values() if ws.status == "running" and ws.processing)
        target = max(target, busy)  # never ask to stop a worker in the middle of its tasks
        if any(ts.state == "memory" for ts in st.tasks.values()):
            target = max(target, 1)  # keep a worker while results are held
        return {"target": target, "current": len(st.workers)}

    # ---- information --------------------------------------------------------------------------

    def scheduler_info(self):
        return {
            "type": "Scheduler",
            "id": self.id,
            "address": self.address,
            "services": {"dashboard": self.http_port} if self.http_server is not None else {},
            "started": self.start_time,
            "workers": {w: ws.info() for w, ws in self.state.workers.items()},
            "n_tasks": len(self.state.tasks),
            "n_clients": len(self.state.clients),
        }

    def __repr__(self):
        try:
            address = self.address
        except ValueError:
            address = "not started"
        st = self.state
        return (f"<Scheduler {address!r}, workers: {len(st.workers)}, "
                f"threads: {sum(ws.nthreads for ws in st.workers.values())}, tasks: {len(st.tasks)}>")

    def _repr_html_(self):
        from .reprs import scheduler_html

        return scheduler_html(self.scheduler_info())


def _params(func):
    import inspect

    try:
        return inspect.signature(func).parameters
    except (TypeError, ValueError):
        return {}


def _wants_scheduler(func):
    params = _params(func)
    return "dask_scheduler" in params or "shoal_scheduler" in params


def versions():
    import platform
    import sys

    import cloudpickle
    import msgpack
    import tornado

    import shoal

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "pid": os.getpid(),
        "packages": {
            "shoal": getattr(shoal, "__version__", "?"),
            "shoal.distributed": "0.1.0",
            "tornado": tornado.version,
            "msgpack": ".".join(map(str, msgpack.version)),
            "cloudpickle": cloudpickle.__version__,
        },
    }
