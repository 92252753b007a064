"""In-process transport (``inproc://<id>``) for fast tests.

Messages still go through ``protocol.dumps``/``loads`` so that in-process tests exercise the real
wire format (and the scheduler still never sees unpickled task bodies).  The two ends may live on
different event loops (a client's loop thread and a cluster's), so delivery is thread-safe.
"""

import asyncio
import itertools
import os
import threading

from .. import protocol
from .core import Comm, CommClosedError

_listeners = {}
_lock = threading.Lock()
_counter = itertools.count()
_CLOSE = object()


def new_address():
    return f"inproc://{os.getpid()}/{next(_counter)}"


class _Mailbox:
    """A queue owned by the reading side's loop that any thread may put into."""

    def __init__(self, loop):
        self.loop = loop
        self.queue = asyncio.Queue()

    def put(self, item):
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            self.queue.put_nowait(item)
        elif not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.queue.put_nowait, item)


class InProc(Comm):
    def __init__(self, local_address, peer_address, inbox, deserialize=True):
        self.local_address = local_address
        self.peer_address = peer_address
        self.inbox = inbox
        self.peer = None
        self.deserialize = deserialize
        self._closed = False

    async def read(self, deserialize=None):
        if self._closed:
            raise CommClosedError(f"Comm to {self.peer_address} is closed")
        frames = await self.inbox.queue.get()
        if frames is _CLOSE:
            self._closed = True
            raise CommClosedError(f"Connection to {self.peer_address} closed")
        return protocol.loads(frames, deserialize=self.deserialize if deserialize is None else deserialize)

    async def write(self, msg):
        if self._closed or self.peer is None or self.peer._closed:
            raise CommClosedError(f"Comm to {self.peer_address} is closed")
        frames = protocol.dumps(msg)
        self.peer.inbox.put(frames)
        return sum(map(protocol.nbytes, frames))

    async def close(self):
        self.abort()

    def abort(self):
        if not self._closed:
            self._closed = True
            self.inbox.put(_CLOSE)
            if self.peer is not None:
                self.peer.inbox.put(_CLOSE)

    def closed(self):
        return self._closed


class Listener:
    def __init__(self, loc, handler, deserialize=True, ssl_context=None):
        self.address = f"inproc://{loc}" if loc else new_address()
        self.handler = handler
        self.deserialize = deserialize
        self.loop = None
        self.comms = set()

    async def start(self):
        self.loop = asyncio.get_running_loop()
        with _lock:
            if self.address in _listeners:
                raise OSError(f"inproc address {self.address} already in use")
            _listeners[self.address] = self

    @property
    def contact_address(self):
        return self.address

    def accept(self, client_comm):
        server_comm = InProc(self.address, client_comm.local_address, _Mailbox(self.loop), self.deserialize)
        server_comm.peer = client_comm
        client_comm.peer = server_comm
        self.comms.add(server_comm)

        async def run():
            try:
                await self.handler(server_comm)
            finally:
                self.comms.discard(server_comm)

        self.loop.call_soon_threadsafe(lambda: asyncio.ensure_future(run()))

    def stop(self):
        with _lock:
            _listeners.pop(self.address, None)
        for comm in list(self.comms):
            comm.abort()


async def connect(loc, deserialize=True, ssl_context=None):
    address = f"inproc://{loc}"
    with _lock:
        listener = _listeners.get(address)
    if listener is None:
        raise OSError(f"No inproc listener at {address}")
    comm = InProc(new_address(), address, _Mailbox(asyncio.get_running_loop()), deserialize)
    listener.accept(comm)
    return comm
