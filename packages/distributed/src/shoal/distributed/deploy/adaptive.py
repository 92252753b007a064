"""Adaptive scaling policy: when to grow or shrink a cluster (the cluster decides how).

Every ``interval`` the scheduler is asked how many workers its queued work deserves (expected work
divided by ``target_duration``); the target is clamped to ``[minimum, maximum]``.  Scaling up happens
at once; scaling down only after ``wait_count`` consecutive lower targets, to avoid flapping.
"""

import asyncio
import logging
import math

logger = logging.getLogger("shoal.distributed.adaptive")


class Adaptive:
    def __init__(self, cluster, minimum=0, maximum=math.inf, interval=1.0, wait_count=3, target_duration=5.0):
        if minimum > maximum:
            raise ValueError(f"adapt(minimum={minimum}, maximum={maximum}): minimum is above maximum")
        self.cluster = cluster
        self.minimum = minimum
        self.maximum = maximum
        self.interval = interval
        self.wait_count = wait_count
        self.target_duration = target_duration
        self.task = None
        self.log = []
        self._lower_count = 0

    def start(self):
        self.task = asyncio.ensure_future(self._run())

    def stop(self):
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self):
        while True:
            try:
                await self.adapt()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("Adaptive step failed")
            await asyncio.sleep(self.interval)

    async def recommendation(self):
        info = await self.cluster.pool.rpc(self.cluster.scheduler_address, "adaptive_target",
                                           target_duration=self.target_duration)
        target = min(max(info["target"], self.minimum), self.maximum)
        return int(target), info["current"]

    async def adapt(self):
        target, current = await self.recommendation()
        if target > current:
            self._lower_count = 0
            self.log.append(("up", target))
            await self.cluster._scale(target)
        elif target < current:
            self._lower_count += 1
            if self._lower_count >= self.wait_count:
                self._lower_count = 0
                self.log.append(("down", target))
                await self.cluster._scale(target)
        else:
            self._lower_count = 0
        return target
