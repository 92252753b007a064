"""``as_completed``: iterate over futures in the order they finish (sync or ``async for``)."""

import asyncio
import queue
import threading

from .future import Future


class as_completed:  # noqa: N801 - Dask's name
    """``for future in as_completed(futures): ...``; ``with_results=True`` yields ``(future, result)``.

    More futures can be added while iterating (``.add``, ``.update``); ``.batches()`` yields lists of
    everything finished so far.
    """

    def __init__(self, futures=None, with_results=False, raise_errors=True, timeout=None):
        self.with_results = with_results
        self.raise_errors = raise_errors
        self.timeout = timeout
        self.done = queue.Queue()
        self.lock = threading.Lock()
        self.pending = 0
        self.futures = []
        for f in futures or ():
            self.add(f)

    def add(self, future):
        if not isinstance(future, Future):
            raise TypeError(f"as_completed takes futures, got {type(future).__name__}")
        with self.lock:
            self.pending += 1
            self.futures.append(future)
        future._state.on_done(lambda: self.done.put(future))

    def update(self, futures):
        for f in futures:
            self.add(f)

    def count(self):
        return self.pending

    def is_empty(self):
        return self.pending == 0

    def clear(self):
        with self.lock:
            self.pending = 0
            self.futures = []
        while not self.done.empty():
            self.done.get_nowait()

    def _take(self, block=True):
        future = self.done.get(block=block, timeout=self.timeout if block else None)
        with self.lock:
            self.pending -= 1
            self.futures.remove(future)
        return future

    def _emit(self, future):
        if not self.with_results:
            return future
        if future.status == "error" and not self.raise_errors:
            return future, future.exception()
        return future, future.result()

    def __iter__(self):
        return self

    def __next__(self):
        if self.pending == 0:
            raise StopIteration
        try:
            return self._emit(self._take())
        except queue.Empty:
            from .errors import TimeoutError

            raise TimeoutError(f"No future finished within {self.timeout} s") from None

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.pending == 0:
            raise StopAsyncIteration
        while self.done.empty():
            await asyncio.sleep(0.005)
        future = self._take(block=False)
        if not self.with_results:
            return future
        if future.status == "error" and not self.raise_errors:
            return future, await future.exception()
        return future, await future

    def batches(self):
        """Yield lists of every future finished since the last batch."""
        while self.pending:
            batch = [self._take()]
            while not self.done.empty():
                batch.append(self._take(block=False))
            yield [self._emit(f) for f in batch]

    def __repr__(self):
        return f"<as_completed: waiting={self.pending} done={self.done.qsize()}>"
