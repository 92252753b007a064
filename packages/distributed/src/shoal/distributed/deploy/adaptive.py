"""Adaptive scaling: the policy that decides when a cluster grows or shrinks (the cluster decides how).

``Adaptive(scheduler, cluster, minimum=0, maximum=10, interval='1s', target_duration='5s')``: every
``interval`` the scheduler (a ``Scheduler`` in this process, or its address) is asked how many workers
its queued work deserves (expected seconds of work / ``target_duration``); the target is clamped to
``[minimum, maximum]``.  The target counts work already processing as well as queued work, and is
never below the number of workers running tasks, so shrinking only closes idle workers.

Growing calls the cluster's public ``scale_up(target)``.  Shrinking asks the scheduler which workers to
close (``workers_to_close``), retires them gracefully (their results move to the workers that stay)
and then calls the cluster's public ``scale_down(workers)``: any cluster implementing those two
methods adapts, and the scheduler, not the cluster, picks the workers.  ``Adaptive(cluster=cluster)``
(Dask's keyword form) takes the cluster's own scheduler.  Scaling up happens at once; scaling down
only after ``wait_count`` consecutive lower targets, to avoid flapping.  A failing step is logged and
the next one runs as usual.  ``cluster.adapt(...)`` is the usual way to start one.
"""

import asyncio
import logging
import math

from ..config import parse_timedelta
from .scaling import SchedulerHandle, call_cluster, local_scheduler, shrink

logger = logging.getLogger("shoal.distributed.adaptive")


class Adaptive:
    def __init__(self, scheduler=None, cluster=None, minimum=0, maximum=math.inf, interval="1s", wait_count=3,
                 target_duration="5s"):
        if scheduler is None and cluster is not None:
            scheduler = local_scheduler(cluster) or cluster.scheduler_address  # in-process: no round trip
        if cluster is None or not (isinstance(scheduler, str) or hasattr(scheduler, "adaptive_target")):
            raise TypeError("Adaptive(scheduler, cluster, ...): pass the scheduler (a Scheduler or its address) "
                            f"and then the cluster to scale; got {type(scheduler).__name__} and "
                            f"{type(cluster).__name__}.  cluster.adapt(minimum, maximum) does both for you.")
        if minimum > maximum:
            raise ValueError(f"adapt(minimum={minimum}, maximum={maximum}): minimum is above maximum")
        self.scheduler = scheduler
        self.cluster = cluster
        self.minimum = minimum
        self.maximum = maximum
        self.interval = parse_timedelta(interval)
        self.wait_count = wait_count
        self.target_duration = parse_timedelta(target_duration)
        self.task = None
        self._loop = None  # the loop start() ran on; stop() may come from another thread
        self.log = []  # ("up" | "down", target) for every scaling decision
        self._lower_count = 0
        self._pool = None

    def start(self):
        self._loop = asyncio.get_running_loop()
        self.task = asyncio.ensure_future(self._run())
        self.task.add_done_callback(_report_end)

    def stop(self):
        """Stop adapting; callable from the cluster's loop or from any other thread."""
        loop = self._loop
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if loop is not None and not on_loop and not loop.is_closed():
            loop.call_soon_threadsafe(self.stop)
            return
        if self.task is not None:
            self.task.cancel()
            self.task = None
        if self._pool is not None:
            asyncio.ensure_future(self._pool.close())
            self._pool = None

    async def _run(self):
        while True:
            try:
                await self.adapt()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Adaptive step failed; trying again in %s s", self.interval)
            await asyncio.sleep(self.interval)

    async def recommendation(self):
        """``(target, current)``: workers the scheduler's work deserves (clamped), and workers now."""
        info = await self._scheduler_target()
        target = min(max(info["target"], self.minimum), self.maximum)
        return int(target), info["current"]

    async def _scheduler_target(self):
        return await self._scheduler().ask("adaptive_target", target_duration=self.target_duration)

    def _scheduler(self):
        if self._pool is None:  # used only when the scheduler is elsewhere
            from ..rpc import ConnectionPool

            self._pool = ConnectionPool(security=getattr(self.cluster, "security", None))
        return SchedulerHandle(self.scheduler, self._pool)

    async def adapt(self):
        """One step: ask for the target and scale the cluster if it differs.  Returns the target."""
        target, current = await self.recommendation()
        if target > current:
            self._lower_count = 0
            self.log.append(("up", target))
            await self.scale_up(target)
        elif target < current:
            self._lower_count += 1
            if self._lower_count >= self.wait_count:
                self._lower_count = 0
                self.log.append(("down", target))
                await self.scale_down_to(target)
        else:
            self._lower_count = 0
        return target

    async def scale_up(self, n):
        """Ask the cluster for ``n`` workers in total: its ``scale_up(n)`` (``scale(n)`` if it has none)."""
        await call_cluster(getattr(self.cluster, "scale_up", None) or self.cluster.scale, n)

    async def scale_down_to(self, target):
        """Retire the workers the scheduler picks to keep ``target``, then ``cluster.scale_down`` them."""
        return await shrink(self.cluster, self._scheduler(), target)


def _report_end(task):
    if not task.cancelled() and task.exception() is not None:
        logger.error("Adaptive scaling stopped", exc_info=task.exception())
