"""Per-connection state of cross-memory transfers: what the peer said about itself, what we lend it.

Each side of a TCP comm with ``distributed.comm.cross-memory-attach`` on sends a hello (its pid,
machine boot id, pid namespace, user and a probe) in front of its first message.  A side that reads a
peer's hello checks it can read the peer's memory (reading the probe); if so the peer is on this
machine and reachable, and from then on frames of at least ``distributed.comm.shared-memory-threshold``
bytes are lent to it instead of written to the socket.  Reading is assumed to work both ways (same
user, Yama relaxed on both sides); when it does not, the receiver asks for the frames over the socket
and lending stops for that comm.
"""

import msgpack

from ..config import get, get_bytes, get_seconds
from . import cross_memory
from .held_frames import HeldFrames


class CrossMemoryLink:
    def __init__(self, on_timeout, enabled=True):
        self.enabled = bool(enabled and get("distributed.comm.cross-memory-attach") and cross_memory.available())
        self.threshold = get_bytes("distributed.comm.shared-memory-threshold")
        self.held = HeldFrames(get_seconds("distributed.comm.cross-memory-timeout"), on_timeout)
        self.hello_sent = False
        self.peer_pid = None  # set once we have read the peer's memory: we can copy frames it lends us
        self.same_machine = False

    def hello(self):
        """The hello to send in front of our first message, or None (already sent, or switched off)."""
        if not self.enabled or self.hello_sent:
            return None
        self.hello_sent = True
        cross_memory.allow_peers_to_read()
        return msgpack.packb({"cross-memory-attach": True, **cross_memory.identity()}, use_bin_type=True)

    def on_hello(self, payload):
        peer = msgpack.unpackb(payload, raw=False)
        if not isinstance(peer, dict):
            raise ValueError(f"Malformed hello from peer: {peer!r:.200}")
        self.same_machine = cross_memory.same_machine(peer)
        if self.enabled and peer.get("cross-memory-attach") and cross_memory.probe(peer):
            self.peer_pid = peer["pid"]

    def lendable(self, frames, lengths):
        """``(index, address)`` of the frames to lend rather than write: the large ones, if the peer reads us."""
        if self.peer_pid is None:
            return []
        lent = []
        for index, (frame, length) in enumerate(zip(frames, lengths)):
            if length >= self.threshold:
                try:
                    lent.append((index, cross_memory.address_of(frame)))
                except (BufferError, TypeError):  # not one contiguous buffer: it goes over the socket
                    continue
        return lent

    def read_failed(self):
        """Reading the peer failed: it probably cannot read us either, so stop lending on this comm."""
        self.peer_pid = None
