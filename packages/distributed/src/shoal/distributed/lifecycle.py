"""`await obj` and `async with obj` for the objects that start asynchronously (servers, clients,
clusters): the start runs once however many times the object is awaited, and the block closes it."""

import asyncio


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
