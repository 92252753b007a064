"""``as_completed``: iterate over futures in the order they finish (sync or ``async for``)."""

import asyncio
import queue
import threading
from collections.abc import Iterator

from .config import parse_timedelta
from .future import Future, futures_of


class as_completed:  # noqa: N801 - Dask's name
    """``for future in as_completed(futures): ...``; ``with_results=True`` yields ``(future, result)``.

    ``futures`` may also be containers of futures or persisted collections (their futures are
    yielded).  More can be added while iterating (``.add``, ``.update``); ``.batches()`` yields lists
    of everything finished so far.  ``timeout``: seconds or a string like ``'10s'``.
    """

    def __init__(self, futures=None, with_results=False, raise_errors=True, timeout=None):
        self.with_results = with_results
        self.raise_errors = raise_errors
        self.timeout = parse_timedelta(timeout)
        self.done = queue.Queue()
        self.lock = threading.Lock()
        self.pending = 0
        self.futures = []
        self.update(futures or ())

    def add(self, future):
        if not isinstance(future, Future):
            raise TypeError(f"as_completed.add takes a future, got {type(future).__name__} (use update for "
                            "collections)")
        with self.lock:
            self.pending += 1
            self.futures.append(future)
        future._state.on_done(lambda: self.done.put(future))

    def update(self, futures):
        """Add the futures in ``futures`` (futures, containers of them, persisted collections)."""
        if isinstance(futures, Iterator):  # e.g. a generator of futures
            futures = list(futures)
        found = futures_of(futures)
        if not found and futures:
            raise TypeError(f"as_completed takes futures or collections holding them, got {futures!r:.100}")
        for f in found:
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
