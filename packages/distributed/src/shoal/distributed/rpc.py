"""Request/response calls to servers: one-off ``send_recv`` and a pool of reusable connections.

A request is ``{"op": name, **arguments}``; the reply is ``{"ok": result}`` or ``{"error": exception,
"text": traceback text}``.  Errors raised by the remote handler are re-raised here as themselves when
they can be unpickled, otherwise as ``RemoteError`` carrying the remote traceback text.
"""

import asyncio
import contextlib
from collections import defaultdict

from .comm import CommClosedError, connect
from .errors import RemoteError


def unwrap_reply(reply, address, op):
    if not isinstance(reply, dict):
        raise RemoteError(f"Unexpected reply to {op!r} from {address}: {reply!r:.200}")
    if "ok" in reply:
        return reply["ok"]
    exc = reply.get("error")
    text = reply.get("text", "")
    if isinstance(exc, BaseException):
        _add_note(exc, f"Raised remotely by {address} handling {op!r}:\n{text}")
        raise exc
    raise RemoteError(f"{address} failed handling {op!r}:\n{text}")


def _add_note(exc, note):
    if hasattr(exc, "add_note") and note not in getattr(exc, "__notes__", ()):
        exc.add_note(note)


async def send_recv(comm, op, _deserialize=None, **kwargs):
    await comm.write({"op": op, **kwargs})
    reply = await comm.read(deserialize=_deserialize)
    return unwrap_reply(reply, comm.peer_address, op)


class ConnectionPool:
    """Keeps idle comms per address so short RPCs skip the connect cost."""

    def __init__(self, deserialize=True, timeout=10, limit_per_address=16, security=None):
        self.deserialize = deserialize
        self.security = security
        self.timeout = timeout
        self.limit = limit_per_address
        self.idle = defaultdict(list)
        self.busy = set()
        self.closed = False

    async def connect(self, address):
        if self.closed:
            raise CommClosedError("Connection pool is closed")
        idle = self.idle[address]
        while idle:
            comm = idle.pop()
            if not comm.closed():
                self.busy.add(comm)
                return comm
        comm = await connect(address, timeout=self.timeout, deserialize=self.deserialize, security=self.security)
        self.busy.add(comm)
        return comm

    def reuse(self, address, comm):
        self.busy.discard(comm)
        if self.closed or comm.closed() or len(self.idle[address]) >= self.limit:
            comm.abort()
        else:
            self.idle[address].append(comm)

    @contextlib.asynccontextmanager
    async def borrow(self, address):
        comm = await self.connect(address)
        try:
            yield comm
        except BaseException:
            comm.abort()
            self.busy.discard(comm)
            raise
        self.reuse(address, comm)

    async def rpc(self, address, op, **kwargs):
        """Call ``op`` on the server at ``address`` and return its result."""
        async with self.borrow(address) as comm:
            return await send_recv(comm, op, **kwargs)

    def remove(self, address):
        for comm in self.idle.pop(address, []):
            comm.abort()

    async def close(self):
        self.closed = True
        for comms in self.idle.values():
            for comm in comms:
                comm.abort()
        self.idle.clear()
        for comm in list(self.busy):
            comm.abort()
        await asyncio.sleep(0)
