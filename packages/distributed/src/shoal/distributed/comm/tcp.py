"""TCP transport on Tornado IOStreams: TCP_NODELAY and length-prefixed frames read without copies.

On the wire a message is ``n_frames`` (8 bytes), the ``n_frames`` frame lengths (8 bytes each), then
the frames.  Sizes above ``distributed.comm.max-frame-size`` / ``max-message-size`` close the
connection before anything is allocated, so garbage or hostile bytes cannot exhaust memory.
"""

import socket
import struct

from tornado.iostream import StreamClosedError
from tornado.tcpclient import TCPClient
from tornado.tcpserver import TCPServer

from .. import protocol
from ..config import get_bytes
from .core import Comm, CommClosedError, FrameTooLargeError, parse_host_port

MAX_FRAMES = 1_000_000
SMALL_FRAME = 64 * 1024
FIRST_PAYLOAD_FRAME = 2  # frames 0 and 1 are the msgpack control message and its sub-headers
MAX_BUFFER = 2**62
LARGE_BUFFER = 1 << 20


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

    async def read(self, deserialize=None):
        if deserialize is None:
            deserialize = self.deserialize
        try:
            frames = await self._read_frames()
        except StreamClosedError as e:
            self.abort()
            raise CommClosedError(f"Connection to {self.peer_address} closed: {e}") from e
        except FrameTooLargeError:
            self.abort()
            raise
        try:
            return protocol.loads(frames, deserialize=deserialize)
        except Exception as e:
            self.abort()
            raise CommClosedError(f"Malformed message from {self.peer_address}: {e}") from e

    async def _read_frames(self):
        stream = self.stream
        (n,) = struct.unpack("<Q", await stream.read_bytes(8))
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
        return await self._read_payload(lengths)

    async def _read_payload(self, lengths):
        """Every payload frame lands in a buffer of its own: writable, and aligned as malloc aligns
        (so NumPy arrays unpickled on top of it are aligned and writable, without copies).  Large
        frames are read straight into their buffer; runs of small frames are read at once and split."""
        stream = self.stream
        frames = []
        i, n = 0, len(lengths)
        while i < n:
            if lengths[i] >= SMALL_FRAME:
                buf = _allocate(lengths[i])
                await stream.read_into(buf)
                frames.append(memoryview(buf))
                i += 1
                continue
            j = i
            while j < n and lengths[j] < SMALL_FRAME:
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
        head = struct.pack(f"<Q{len(frames)}Q", len(frames), *lengths)
        try:
            pending = [head]
            future = None
            for frame, length in zip(frames, lengths):
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

    async def close(self):
        self.abort()

    def abort(self):
        if not self._closed:
            self._closed = True
            self.stream.close()

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
