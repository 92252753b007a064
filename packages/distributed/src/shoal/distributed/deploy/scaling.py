"""Scaling any cluster through its public methods, and asking its scheduler which workers to close.

Adaptive and ``Cluster.scale`` use these so that a backend only implements ``scale_up(n)`` and
``scale_down(workers)``.  Shrinking is always the same three steps: the scheduler picks the workers
(``workers_to_close``: idle ones first, then those holding least data), retires them gracefully
(their results move to the workers that stay), and only then the cluster's ``scale_down`` stops them.
"""

import asyncio
import inspect


async def call_cluster(method, *args):
    """Call a cluster's ``scale_up``/``scale_down``/``scale`` from the event loop without blocking it.

    Coroutine functions are awaited here; plain methods (which may block until done, e.g. a
    synchronous cluster waiting on its own loop) run in a thread, and an awaitable they return
    (an asynchronous cluster's) is awaited."""
    if inspect.iscoroutinefunction(method):
        return await method(*args)
    result = await asyncio.get_running_loop().run_in_executor(None, method, *args)
    if inspect.isawaitable(result):
        result = await result
    return result


def local_scheduler(cluster):
    """The cluster's Scheduler object when it runs in this process (a backend's ``scheduler`` may be
    a handle on a remote process instead, reached through ``scheduler_address``)."""
    scheduler = getattr(cluster, "scheduler", None)
    return scheduler if hasattr(scheduler, "adaptive_target") else None


class SchedulerHandle:
    """A scheduler to ask things of: the ``Scheduler`` object itself when it runs on this loop (no
    round trip), otherwise its address, reached through ``pool``."""

    def __init__(self, scheduler, pool):
        self.scheduler = scheduler
        self.pool = pool

    async def ask(self, op, **kwargs):
        scheduler = self.scheduler
        if not isinstance(scheduler, str) and getattr(scheduler, "loop", None) is asyncio.get_running_loop():
            result = scheduler.handlers[op](None, kwargs)
            return await result if inspect.isawaitable(result) else result
        address = scheduler if isinstance(scheduler, str) else scheduler.address
        return await self.pool.rpc(address, op, **kwargs)

    async def worker_count(self):
        return len(await self.ask("ncores"))

    async def retire_workers_to_reach(self, target):
        """Retire the workers the scheduler would close to keep ``target``; their addresses."""
        workers = list(await self.ask("workers_to_close", target=target))
        if workers:
            await self.ask("retire_workers", workers=workers)
        return workers


async def shrink(cluster, scheduler, target):
    """Retire workers down to ``target`` and have ``cluster.scale_down`` stop them; their addresses."""
    scale_down = getattr(cluster, "scale_down", None)
    if scale_down is None:
        raise TypeError(f"{type(cluster).__name__} has no scale_down(workers): it cannot be shrunk")
    workers = await scheduler.retire_workers_to_reach(target)
    if workers:
        await call_cluster(scale_down, workers)
    return workers
