"""TCP transport on Tornado IOStreams: TCP_NODELAY and length-prefixed frames read without copies.

On the wire a message is ``n_frames`` (8 bytes), the ``n_frames`` frame lengths (8 bytes each), then
the frames.  Sizes above ``distributed.comm.max-frame-size`` / ``max-message-size`` close the
connection before anything is allocated, so garbage or hostile bytes cannot exhaust memory.

Between processes of one machine, large frames are lent instead of written (see ``cross_memory_link``):
the first word of such a message has the LENT bit, and after the lengths come the number of lent
frames, ``(index, address)`` of each and a transfer id; only the other frames follow on the socket.
The receiver copies the lent frames out of the sender's memory and acknowledges the transfer id.
Words with the CONTROL bit are records between the two comms, never messages: a hello, an
acknowledgement, a request to resend a transfer over the socket, and that resend (the frames' bytes).
"""

import asyncio
import logging
import socket
import struct
from collections import deque

from tornado.iostream import StreamClosedError
from tornado.tcpclient import TCPClient
from tornado.tcpserver import TCPServer

from .. import protocol
from ..config import get_bytes
from . import cross_memory
from .core import Comm, CommClosedError, FrameTooLargeError, parse_host_port
from .cross_memory_link import CrossMemoryLink

logger = logging.getLogger("shoal.distributed.comm")

MAX_FRAMES = 1_000_000
SMALL_FRAME = 64 * 1024
FIRST_PAYLOAD_FRAME = 2  # frames 0 and 1 are the msgpack control message and its sub-headers
MAX_BUFFER = 2**62
LARGE_BUFFER = 1 << 20
CONTROL = 1 << 63
LENT = 1 << 62
COUNT_MASK = LENT - 1
HELLO, ACK, RESEND, RESENT = 1, 2, 3, 4
MAX_HELLO = 64 * 1024
THREADED_COPY = 16 << 20  # copies this large run in threads, so the event loop stays responsive
COPY_THREADS = 2  # one thread copies at 3-4 GB/s; two nearly double that


class _Incoming:
    """A message read off the socket whose lent frames (``index -> address``) may still be missing."""

    __slots__ = ("frames", "lengths", "lent", "transfer")

    def __init__(self, frames, lengths, lent=None, transfer=0):
        self.frames = frames
        self.lengths = lengths
        self.lent = lent or {}
        self.transfer = transfer


def _limits():
    return get_bytes("distributed.comm.max-frame-size"), get_bytes("distributed.comm.max-message-size")


class TCP(Comm):
    def __init__(self, stream, local_address, peer_address, deserialize=True):
        self.stream = stream
        self.local_address = local_address
        self.peer_address = peer_address
        self.deserialize = deserialize
        self._closed = False
        stream.set_nodelay(True)
        self.max_frame, self.max_message = _limits()
        # compression only pays between machines, never over loopback
        self.compress = not _is_loopback(peer_address)
        self.cross_memory = CrossMemoryLink(self.abort, enabled=not peer_address.startswith("tls://"))
        self._read_ahead = deque()  # messages read while waiting for a resend, in arrival order
        self._awaiting = {}  # transfer id -> _Incoming whose lent frames come over the socket

    async def read(self, deserialize=None):
        if deserialize is None:
            deserialize = self.deserialize
        try:
            frames = await self._read_frames()
        except StreamClosedError as e:
            self.abort()
            raise CommClosedError(f"Connection to {self.peer_address} closed: {e}") from e
        except CommClosedError:
            self.abort()
            raise
        try:
            return protocol.loads(frames, deserialize=deserialize)
        except protocol.UnpicklablePayload:
            raise  # well-formed: the connection stays usable
        except Exception as e:
            self.abort()
            raise CommClosedError(f"Malformed message from {self.peer_address}: {e}") from e

    async def _read_frames(self):
        while True:
            incoming = self._read_ahead.popleft() if self._read_ahead else await self._read_record()
            if incoming is None:  # a control record, already handled
                continue
            if incoming.lent:
                await self._copy_lent(incoming)
            return incoming.frames

    async def _read_record(self):
        """Read one record: a message (``_Incoming``) or a control record, handled here (returns None)."""
        stream = self.stream
        (word,) = struct.unpack("<Q", await stream.read_bytes(8))
        if word & CONTROL:
            (value,) = struct.unpack("<Q", await stream.read_bytes(8))
            await self._on_control(word & ~CONTROL, value)
            return None
        n = word & COUNT_MASK
        if n > MAX_FRAMES:
            raise FrameTooLargeError(f"{self.peer_address} announced {n} frames (limit {MAX_FRAMES}); dropping it")
        lengths = struct.unpack(f"<{n}Q", await stream.read_bytes(8 * n)) if n else ()
        total = sum(lengths)
        if any(length > self.max_frame for length in lengths) or total > self.max_message:
            raise FrameTooLargeError(
                f"{self.peer_address} sent a message of {total} bytes with a frame of {max(lengths)} bytes; "
                f"limits are {self.max_frame} per frame and {self.max_message} per message "
                "(distributed.comm.max-frame-size / max-message-size)"
            )
        lent, transfer = await self._read_lent_table(n) if word & LENT else ({}, 0)
        frames = await self._read_payload(lengths, lent)
        return _Incoming(frames, lengths, lent, transfer)

    async def _read_lent_table(self, n):
        stream = self.stream
        (m,) = struct.unpack("<Q", await stream.read_bytes(8))
        if m > n:
            raise FrameTooLargeError(f"{self.peer_address} lent {m} frames of a {n}-frame message; dropping it")
        table = struct.unpack(f"<{2 * m + 1}Q", await stream.read_bytes(8 * (2 * m + 1)))
        lent = dict(zip(table[0:2 * m:2], table[1:2 * m:2]))
        if any(index >= n for index in lent):
            raise FrameTooLargeError(f"{self.peer_address} lent a frame beyond the {n} of its message")
        return lent, table[-1]

    async def _on_control(self, kind, value):
        if kind == HELLO:
            if value > MAX_HELLO:
                raise FrameTooLargeError(f"{self.peer_address} sent a {value}-byte hello (limit {MAX_HELLO})")
            self._on_hello(await self.stream.read_bytes(value))
        elif kind == ACK:
            self.cross_memory.held.take(value)
        elif kind == RESEND:
            self._resend(value)
        elif kind == RESENT:
            await self._read_resent(value)
        else:
            raise FrameTooLargeError(f"{self.peer_address} sent an unknown control record {kind}; dropping it")

    def _on_hello(self, payload):
        try:
            self.cross_memory.on_hello(payload)
        except Exception as e:
            raise CommClosedError(f"Malformed hello from {self.peer_address}: {e}") from e
        if self.cross_memory.same_machine:
            self.compress = False

    async def _copy_lent(self, incoming):
        """Copy the lent frames out of the peer into buffers of our own; on any failure, have the
        peer send them over the socket instead (messages arriving meanwhile are kept, in order)."""
        buffers = {index: _allocate(incoming.lengths[index]) for index in incoming.lent}
        for index, buf in buffers.items():
            incoming.frames[index] = memoryview(buf)
        pieces = [(incoming.lent[index], buf) for index, buf in buffers.items()]
        try:
            await self._copy_from_peer(pieces)
        except cross_memory.CrossMemoryError as e:
            logger.debug("Cross-memory copy from %s failed (%s): transfer %d comes over the socket",
                         self.peer_address, e, incoming.transfer)
            cross_memory.count("fallbacks")
            self.cross_memory.read_failed()
            self._awaiting[incoming.transfer] = incoming
            self._write_control(RESEND, incoming.transfer)
            while incoming.transfer in self._awaiting:
                other = await self._read_record()
                if other is not None:
                    self._read_ahead.append(other)
            return
        cross_memory.count("reads", len(pieces))
        cross_memory.count("bytes", sum(incoming.lengths[index] for index in incoming.lent))
        self._write_control(ACK, incoming.transfer, required=False)

    async def _copy_from_peer(self, pieces):
        pid = self.cross_memory.peer_pid
        if pid is None:
            raise cross_memory.CrossMemoryError(f"{self.peer_address} lent frames but we cannot read its memory")
        if sum(memoryview(buf).nbytes for _, buf in pieces) < THREADED_COPY:
            cross_memory.read_into(pid, pieces)
            return
        loop = asyncio.get_running_loop()
        copies, outcomes = [], []
        for part in cross_memory.split(pieces, COPY_THREADS):
            try:
                copies.append(loop.run_in_executor(None, cross_memory.read_into, pid, part))
            except RuntimeError:  # the loop's executor is shut down (we are closing): copy here
                try:
                    cross_memory.read_into(pid, part)
                except cross_memory.CrossMemoryError as e:
                    outcomes.append(e)
        # wait for every part before giving up on any, so no thread writes into a fallback read
        outcomes += await asyncio.gather(*copies, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    def _resend(self, transfer):
        """The peer could not copy ``transfer`` out of our memory: write its frames to the socket."""
        frames = self.cross_memory.held.take(transfer)
        self.cross_memory.read_failed()
        if frames is None:
            raise CommClosedError(f"{self.peer_address} asked to resend transfer {transfer}, which is not held")
        self._write_control(RESENT, transfer)
        for frame in frames:  # tornado keeps them alive until written
            self.stream.write(frame)

    async def _read_resent(self, transfer):
        incoming = self._awaiting.pop(transfer, None)
        if incoming is None:
            raise CommClosedError(f"{self.peer_address} resent transfer {transfer}, which we did not ask for")
        for index in sorted(incoming.lent):
            await self.stream.read_into(incoming.frames[index])

    def _write_control(self, kind, value, required=True):
        try:
            self.stream.write(struct.pack("<QQ", CONTROL | kind, value))
        except StreamClosedError as e:
            if required:
                raise CommClosedError(f"Connection to {self.peer_address} closed: {e}") from e

    async def _read_payload(self, lengths, lent):
        """Every payload frame lands in a buffer of its own: writable, and aligned as malloc aligns
        (so NumPy arrays unpickled on top of it are aligned and writable, without copies).  Large
        frames are read straight into their buffer; runs of small frames are read at once and split.
        Lent frames are not on the socket: their places stay None until copied."""
        stream = self.stream
        frames = []
        i, n = 0, len(lengths)
        while i < n:
            if i in lent:
                frames.append(None)
                i += 1
                continue
            if lengths[i] >= SMALL_FRAME:
                buf = _allocate(lengths[i])
                await stream.read_into(buf)
                frames.append(memoryview(buf))
                i += 1
                continue
            j = i
            while j < n and lengths[j] < SMALL_FRAME and j not in lent:
                j += 1
            run = memoryview(bytearray(sum(lengths[i:j])))
            if run.nbytes:
                await stream.read_into(run)
            start = 0
            for index in range(i, j):
                frame = run[start : start + lengths[index]]
                # the control frames are only parsed; payload frames get buffers of their own
                frames.append(frame if index < FIRST_PAYLOAD_FRAME else memoryview(bytearray(frame)))
                start += lengths[index]
            i = j
        return frames

    async def write(self, msg):
        if self._closed:
            raise CommClosedError(f"Comm to {self.peer_address} is closed")
        frames = protocol.dumps(msg, compress=self.compress)
        lengths = [protocol.nbytes(f) for f in frames]
        pending = []
        hello = self.cross_memory.hello()
        if hello is not None:
            pending.append(struct.pack("<QQ", CONTROL | HELLO, len(hello)) + hello)
        lent = self.cross_memory.lendable(frames, lengths)
        pending.append(self._head(frames, lengths, lent))
        skip = {index for index, _address in lent}
        # every write below is queued before the first await, so records never interleave
        try:
            future = None
            for index, (frame, length) in enumerate(zip(frames, lengths)):
                if index in skip:
                    continue
                if length < SMALL_FRAME:  # coalesce small frames into one write
                    pending.append(frame)
                    continue
                if pending:
                    self.stream.write(b"".join(pending))
                    pending = []
                future = self.stream.write(frame)
            if pending:
                future = self.stream.write(b"".join(pending))
            await future
        except StreamClosedError as e:
            self.abort()
            raise CommClosedError(f"Connection to {self.peer_address} closed while writing: {e}") from e
        return sum(lengths)

    def _head(self, frames, lengths, lent):
        """The message's first words; with lent frames, their table and a transfer id holding them."""
        if not lent:
            return struct.pack(f"<Q{len(frames)}Q", len(frames), *lengths)
        transfer = self.cross_memory.held.lend([frames[index] for index, _ in lent], asyncio.get_running_loop())
        table = [word for pair in lent for word in pair]
        return struct.pack(f"<Q{len(frames)}QQ{len(table)}QQ", LENT | len(frames), *lengths, len(lent), *table,
                           transfer)

    async def close(self):
        self.abort()

    def abort(self):
        if not self._closed:
            self._closed = True
            self.stream.close()
            self.cross_memory.held.release_later()

    def closed(self):
        return self._closed or self.stream.closed()


async def connect(loc, deserialize=True, ssl_context=None):
    host, port = parse_host_port(loc)
    scheme = "tls" if ssl_context is not None else "tcp"
    stream = await TCPClient().connect(host, port, max_buffer_size=MAX_BUFFER,  # frames are size-checked
                                       ssl_options=ssl_context)
    local = stream.socket.getsockname()
    return TCP(stream, f"{scheme}://{local[0]}:{local[1]}", f"{scheme}://{loc}", deserialize)


class _Server(TCPServer):
    def __init__(self, on_stream, ssl_context=None):
        super().__init__(max_buffer_size=MAX_BUFFER, ssl_options=ssl_context)
        self.on_stream = on_stream

    async def handle_stream(self, stream, address):
        await self.on_stream(stream, address)


class Listener:
    def __init__(self, loc, handler, deserialize=True, ssl_context=None):
        self.host, self.port = parse_host_port(loc, default_port=0)
        self.handler = handler
        self.deserialize = deserialize
        self.ssl_context = ssl_context
        self.scheme = "tls" if ssl_context is not None else "tcp"
        self.server = None
        self.comms = set()

    async def start(self):
        self.server = _Server(self._on_stream, self.ssl_context)
        sockets = _bind(self.host or "0.0.0.0", self.port)
        self.server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    async def _on_stream(self, stream, address):
        comm = TCP(stream, self.contact_address, f"{self.scheme}://{address[0]}:{address[1]}", self.deserialize)
        self.comms.add(comm)
        try:
            await self.handler(comm)
        finally:
            self.comms.discard(comm)

    @property
    def contact_address(self):
        host = self.host if self.host not in ("", "0.0.0.0") else _local_ip()
        return f"{self.scheme}://{host}:{self.port}"

    def stop(self):
        if self.server is not None:
            self.server.stop()
        for comm in list(self.comms):
            comm.abort()


def _bind(host, port):
    from tornado.netutil import bind_sockets

    return bind_sockets(port, address=host, family=socket.AF_INET, backlog=1024)


def _allocate(nbytes):
    """A writable buffer; large ones come from numpy.empty, which skips bytearray's zero-filling pass
    (both are aligned to at least 16 bytes)."""
    if nbytes < LARGE_BUFFER:
        return bytearray(nbytes)
    try:
        import numpy
    except ImportError:
        return bytearray(nbytes)
    return numpy.empty(nbytes, dtype="u1")


def _is_loopback(address):
    host = address.split("://")[-1].rpartition(":")[0].strip("[]")
    return host.startswith("127.") or host in ("localhost", "::1")


def ip_toward(host):
    """The local IP address this machine uses to reach ``host`` (no packet is sent)."""
    if host.startswith("127.") or host in ("localhost", "::1", ""):
        return "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((host, 9))
            return sock.getsockname()[0]
        except OSError:
            return _local_ip()


def _local_ip():
    """The address other machines reach us at: the interface of the default route (no packet is sent);
    the host name's address (often 127.0.0.1 in /etc/hosts) only when there is no route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere, only picks the interface
            return sock.getsockname()[0]
        except OSError:
            pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
