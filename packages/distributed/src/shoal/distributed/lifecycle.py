"""`await obj` and `async with obj` for the objects that start asynchronously (servers, clients,
clusters): the start runs once however many times the object is awaited, and the block closes it.
``close_once`` makes a close method safe to call again, or from several places at once."""

import asyncio
import functools


class AsyncLifecycle:
    """Subclasses set ``self._started = None`` and define ``async _start()`` and ``async _close()``."""

    def __await__(self):
        return self._start_once().__await__()

    async def _start_once(self):
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await self._started
        return self

    async def __aenter__(self):
        await self._start_once()
        return self

    async def __aexit__(self, *exc):
        await self._close()


def close_once(close):
    """Decorate ``async def close(self, ...)``: every call, concurrent or later, shares the first run.

    A server is closed by its owner and, at the same moment, by its own reaction to a dropped
    connection; both must wait for the one close, and nothing in it may run twice.
    """
    attribute = f"_closing_{close.__qualname__}"

    @functools.wraps(close)
    async def once(self, *args, **kwargs):
        task = self.__dict__.get(attribute)
        if task is None:
            task = asyncio.ensure_future(close(self, *args, **kwargs))
            setattr(self, attribute, task)
        await asyncio.shield(task)  # a caller being cancelled does not cancel the close

    return once
