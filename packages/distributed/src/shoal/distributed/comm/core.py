"""The transport-neutral Comm interface, address parsing and the connect/listen entry points."""

import asyncio
import time


class CommClosedError(IOError):
    """The other end went away (or the comm was closed here)."""


class FrameTooLargeError(CommClosedError):
    """A peer announced a frame or message above the configured maximum; the comm is dropped."""


class Comm:
    """A bidirectional message channel.  ``read`` returns one message, ``write`` sends one."""

    local_address = ""
    peer_address = ""

    async def read(self, deserialize=None):
        raise NotImplementedError

    async def write(self, msg):
        raise NotImplementedError

    async def close(self):
        raise NotImplementedError

    def abort(self):
        raise NotImplementedError

    def closed(self):
        raise NotImplementedError

    def __repr__(self):
        state = "closed" if self.closed() else "open"
        return f"<{type(self).__name__} {state} local={self.local_address} peer={self.peer_address}>"


def parse_address(address):
    """``'tcp://127.0.0.1:8786'`` -> ``('tcp', '127.0.0.1:8786')``; no scheme means tcp."""
    if not isinstance(address, str):
        raise TypeError(f"Address must be a string like 'tcp://127.0.0.1:8786', got {address!r}")
    scheme, sep, loc = address.rpartition("://")
    if not sep:
        return "tcp", address
    return scheme, loc


def unparse_address(scheme, loc):
    return f"{scheme}://{loc}"


def parse_host_port(loc, default_port=None):
    host, sep, port = loc.rpartition(":")
    if not sep:
        if default_port is None:
            raise ValueError(f"Address {loc!r} has no port")
        return loc, default_port
    return host.strip("[]") or "", int(port)


def _backend(scheme):
    if scheme in ("tcp", "tls"):
        from . import tcp

        return tcp
    if scheme == "inproc":
        from . import inproc

        return inproc
    raise ValueError(f"Unknown comm scheme {scheme!r}: use tcp://, tls:// or inproc://")


def _tls_kwargs(scheme, security, server):
    if scheme != "tls":
        return {}
    if security is None:
        from ..security import Security

        security = Security.from_config()
    return {"ssl_context": security.server_context() if server else security.client_context()}


async def connect(address, timeout=10, deserialize=True, security=None):
    """Open a Comm to ``address``, retrying until ``timeout`` seconds (the server may be starting)."""
    scheme, loc = parse_address(address)
    backend = _backend(scheme)
    extra = _tls_kwargs(scheme, security, server=False)
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        try:
            return await asyncio.wait_for(
                backend.connect(loc, deserialize=deserialize, **extra), max(deadline - time.monotonic(), 0.001)
            )
        except (OSError, asyncio.TimeoutError) as e:
            if time.monotonic() + delay >= deadline:
                raise OSError(f"Timed out after {timeout} s trying to connect to {address}: {e}") from e
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)


async def listen(address, handler, deserialize=True, security=None):
    """Start listening on ``address``; ``handler(comm)`` is run for each incoming connection."""
    scheme, loc = parse_address(address)
    listener = _backend(scheme).Listener(loc, handler, deserialize=deserialize,
                                         **_tls_kwargs(scheme, security, server=True))
    await listener.start()
    return listener
