"""Coalesce many small messages on a long-lived stream into few writes.

``send`` only appends to a buffer.  A background task writes everything buffered in one message as
soon as the loop is free; while a write is in flight new messages pile up and go in the next one.
``interval`` (seconds) is the minimum gap between two writes of a busy stream (whose last batch held
several messages), which then coalesces everything arriving within the interval; a quiet stream
sends at once, so request/response latency is not taxed.
"""

import asyncio

from .comm import CommClosedError


class BatchedSend:
    def __init__(self, interval=0.0):
        self.interval = interval
        self.buffer = []
        self.comm = None
        self.wake = None
        self.task = None
        self.closed = False
        self.messages_sent = 0
        self.batches_sent = 0

    def start(self, comm):
        self.comm = comm
        self.wake = asyncio.Event()
        self.task = asyncio.ensure_future(self._run())
        if self.buffer:
            self.wake.set()

    def send(self, *msgs):
        if self.closed:
            raise CommClosedError(f"Batched stream to {getattr(self.comm, 'peer_address', '?')} is closed")
        self.buffer.extend(msgs)
        if self.wake is not None:
            self.wake.set()

    def send_threadsafe(self, loop, *msgs):
        loop.call_soon_threadsafe(self.send, *msgs)

    async def _run(self):
        loop = asyncio.get_running_loop()
        last_write = 0.0
        last_size = 0
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            # a stream that sent single messages is idle-ish: send after this loop turn; a busy one
            # (the last batch held several messages) writes at most once per interval
            delay = last_write + self.interval - loop.time() if last_size > 1 else 0
            await asyncio.sleep(max(delay, 0))
            if not self.buffer:
                continue
            last_write = loop.time()
            last_size = len(self.buffer)
            batch, self.buffer = self.buffer, []
            try:
                await self.comm.write(batch)
            except (CommClosedError, OSError):
                self.closed = True
                break
            self.messages_sent += len(batch)
            self.batches_sent += 1

    async def close(self):
        """Flush what is buffered, then close the comm."""
        if self.comm is not None and self.buffer and not self.comm.closed():
            batch, self.buffer = self.buffer, []
            try:
                await self.comm.write(batch)
            except (CommClosedError, OSError):
                pass
        self.closed = True
        if self.task is not None:
            self.task.cancel()
        if self.comm is not None:
            await self.comm.close()

    def abort(self):
        self.closed = True
        if self.task is not None:
            self.task.cancel()
        if self.comm is not None:
            self.comm.abort()
