"""Base class of Scheduler, Worker and Nanny: listen, dispatch ``op`` messages to handlers, lifecycle.

A server is an async context manager (``async with Scheduler() as s``) and can also be awaited
(``s = await Scheduler()``).  Handlers are ``handler(comm, msg)`` (sync or async) returning a result;
the reply is ``{"ok": result}`` or ``{"error": ..., "text": ...}`` so bad requests never take the
server down.  Ops listed in ``stream_ops`` take the comm over (long-lived batched streams).
"""

import asyncio
import inspect
import logging
import traceback
import uuid

from .lifecycle import AsyncLifecycle
from .comm import CommClosedError, listen
from .comm.core import parse_address
from .protocol import Serialize, UnpicklablePayload
from .rpc import ConnectionPool

logger = logging.getLogger("shoal.distributed")


def error_reply(exc):
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"error": Serialize(exc), "text": text}


class Server(AsyncLifecycle):
    deserialize = True
    stream_ops = frozenset()

    def __init__(self, handlers, listen_address=None, connection_timeout=10, security=None):
        self.handlers = {"identity": self.identity, **handlers}
        self.listen_address = listen_address
        self.listener = None
        self.id = f"{type(self).__name__}-{uuid.uuid4().hex[:16]}"
        self.status = "created"
        self.security = security
        self.pool = ConnectionPool(deserialize=self.deserialize, timeout=connection_timeout, security=security)
        self.comms = set()
        self._background = set()
        self._started = None
        self.loop = None

    # ---- lifecycle ----------------------------------------------------------------------------

    async def _start(self):
        await self.start()

    async def _close(self):
        await self.close()

    async def start(self):
        self.loop = asyncio.get_running_loop()
        if self.listen_address is not None:
            self.listener = await listen(self.listen_address, self.handle_comm, deserialize=self.deserialize,
                                         security=self.security)
        self.status = "running"
        return self

    async def close(self):
        if self.status in ("closing", "closed"):
            return
        self.status = "closing"
        if self.listener is not None:
            self.listener.stop()
        for task in list(self._background):
            task.cancel()
        for comm in list(self.comms):
            comm.abort()
        await self.pool.close()
        self.status = "closed"

    def background(self, coro):
        """Run ``coro`` as a task owned by the server (cancelled on close, errors logged)."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task):
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None and self.status == "running":
            logger.error("Background task of %s failed", self, exc_info=task.exception())

    async def periodic(self, callback, interval):
        while self.status not in ("closing", "closed"):
            await asyncio.sleep(interval)
            try:
                result = callback()
                if inspect.isawaitable(result):
                    await result
            except Exception:
                logger.exception("Periodic %s of %s failed", getattr(callback, "__name__", callback), self)

    @property
    def address(self):
        if self.listener is None:
            raise ValueError(f"{type(self).__name__} is not listening yet; await it or use 'async with'")
        return self.listener.contact_address

    @property
    def port(self):
        scheme, loc = parse_address(self.address)
        return int(loc.rpartition(":")[2]) if scheme in ("tcp", "tls") else None

    def identity(self, comm=None, msg=None):
        return {"type": type(self).__name__, "id": self.id, "address": self.address}

    # ---- message dispatch ---------------------------------------------------------------------

    async def handle_comm(self, comm):
        self.comms.add(comm)
        try:
            while self.status not in ("closing", "closed"):
                try:
                    msg = await comm.read()
                except (CommClosedError, OSError):
                    return
                except UnpicklablePayload as e:
                    if not await self._reply_unpicklable(comm, e):
                        return
                    continue
                if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
                    await self._reply(comm, error_reply(TypeError(f"Expected a message with an 'op', got {msg!r:.200}")))
                    continue
                msg = dict(msg)
                op = msg.pop("op")
                if op == "close-comm":
                    return
                if op in self.stream_ops:
                    self.comms.discard(comm)
                    await self.handlers[op](comm, msg)
                    return
                reply = msg.pop("reply", True)
                result = await self._call(op, comm, msg)
                if reply and not await self._reply(comm, result):
                    return
        finally:
            self.comms.discard(comm)
            comm.abort()

    async def _call(self, op, comm, msg):
        handler = self.handlers.get(op)
        if handler is None:
            return error_reply(ValueError(f"{type(self).__name__} has no operation {op!r}"))
        try:
            result = handler(comm, msg)
            if inspect.isawaitable(result):
                result = await result
        except Exception as e:
            if self.status == "running":
                logger.debug("Handler %r of %s raised", op, self, exc_info=True)
            return error_reply(e)
        return {"ok": result}

    async def _reply_unpicklable(self, comm, e):
        """Answer a request whose arguments this process cannot unpickle with that error."""
        msg = e.message if isinstance(e.message, dict) else {}
        op = msg.get("op")
        if op in self.stream_ops or not msg.get("reply", True) or not isinstance(op, str):
            logger.error("%s dropped a message from %s: %s", self, comm.peer_address, e)
            return True
        e.error.add_note(f"(raised by {self.address} while unpickling the arguments of {op!r})")
        return await self._reply(comm, error_reply(e.error))

    async def _reply(self, comm, reply):
        try:
            await comm.write(reply)
        except (CommClosedError, OSError):
            return False
        except Exception as e:  # the result could not be serialized: say so instead of hanging
            try:
                await comm.write(error_reply(e))
            except Exception:
                return False
        return True

    async def rpc(self, address, op, **kwargs):
        return await self.pool.rpc(address, op, **kwargs)
