"""Frames a comm has lent to its peer: kept alive (so unmoved) until the peer has copied them.

When a frame travels by cross-memory attach, the sender only names its address; the bytes must stay
where they are until the receiver acknowledges the copy.  ``HeldFrames`` keeps those references per
transfer id.  A transfer nobody acknowledges within ``timeout`` seconds makes the comm drop (so the
peer stops reading); frames of a dropped comm are let go only after ``grace`` seconds more, so a
receiver still in the middle of its copy never reads freed memory.
"""

import itertools
import logging

from . import cross_memory

logger = logging.getLogger("shoal.distributed.comm")


class HeldFrames:
    def __init__(self, timeout, on_timeout, grace=10.0):
        self.timeout = timeout
        self.grace = grace
        self.on_timeout = on_timeout
        self._held = {}  # transfer id -> (frames, timer)
        self._ids = itertools.count(1)
        self._loop = None

    def __len__(self):
        return len(self._held)

    def lend(self, frames, loop):
        """Keep ``frames`` until ``take`` or the comm drops; returns the transfer id the peer acknowledges."""
        self._loop = loop
        transfer = next(self._ids)
        timer = loop.call_later(self.timeout, self._expired, transfer) if self.timeout else None
        self._held[transfer] = (frames, timer)
        cross_memory.count("frames_lent", len(frames))
        cross_memory.count("frames_held", len(frames))
        return transfer

    def take(self, transfer):
        """Stop holding ``transfer`` (acknowledged, or about to be resent): its frames, or None if unknown."""
        entry = self._held.pop(transfer, None)
        if entry is None:
            return None
        frames, timer = entry
        if timer is not None:
            timer.cancel()
        cross_memory.count("frames_held", -len(frames))
        return frames

    def _expired(self, transfer):
        if transfer in self._held:
            logger.debug("Transfer %d was not acknowledged within %s s: dropping the comm", transfer, self.timeout)
            self.on_timeout()

    def release_later(self):
        """The comm is gone: drop every held frame once a receiver mid-copy has surely finished."""
        if not self._held:
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            self._release_all()
            return
        for _frames, timer in self._held.values():
            if timer is not None:
                timer.cancel()
        try:
            loop.call_soon_threadsafe(loop.call_later, self.grace, self._release_all)
        except RuntimeError:  # the loop closed meanwhile: nothing can read anything any more
            self._release_all()

    def _release_all(self):
        for transfer in list(self._held):
            self.take(transfer)
