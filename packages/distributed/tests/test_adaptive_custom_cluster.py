"""Adaptive and Cluster.scale on clusters that implement only scale_up(n) and scale_down(workers)."""

import asyncio
import time

from shoal.distributed import Adaptive, Client, Scheduler, Worker
from shoal.distributed.deploy.cluster import Cluster
from shoal.distributed.testing import until, until_blocking


def inc(x):
    return x + 1


class InProcessCluster(Cluster):
    """A backend as a plugin author writes one: it knows how to start and stop workers, nothing else."""

    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.workers = {}
        self.scale_down_calls = []  # (workers asked to stop, workers the scheduler still had then)
        super().__init__(asynchronous=True)

    @property
    def scheduler_address(self):
        return self.scheduler.address

    async def scale_up(self, n):
        while len(self.workers) < n:
            worker = await Worker(self.scheduler_address, nthreads=1, name=f"w{len(self.workers)}-{time.time()}")
            self.workers[worker.address] = worker

    async def scale_down(self, workers):
        self.scale_down_calls.append((sorted(workers), set(self.scheduler.state.workers)))
        await asyncio.gather(*(self.workers.pop(w).close() for w in workers if w in self.workers))

    async def _close(self):
        await asyncio.gather(*(w.close() for w in self.workers.values()))
        await super()._close()


def test_adaptive_retires_the_workers_the_scheduler_picks_then_scales_down():
    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None) as s:
            cluster = InProcessCluster(s)
            adaptive = Adaptive(s, cluster, minimum=0, maximum=3, wait_count=1, target_duration=0.1)
            async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                slow = c.map(time.sleep, [0.05] * 20, pure=False)
                await until(lambda: len(s.state.tasks) == 20)
                assert await adaptive.adapt() == 3
                assert len(cluster.workers) == 3
                await c.gather(slow)
                del slow
                kept = c.map(inc, range(30))
                await c.gather(kept)
                await until(lambda: len(s.state.tasks) == 30)
                holders = {w for ts in s.state.tasks.values() for w in ts.who_has}
                assert len(holders) > 1  # the results are spread: retiring must move some

                chosen = sorted(s.workers_to_close(target=1))
                assert await adaptive.adapt() == 1  # held results keep one worker
                assert adaptive.log[-1] == ("down", 1)
                [(stopped, registered)] = cluster.scale_down_calls
                assert stopped == chosen
                assert not set(stopped) & registered  # retired by the scheduler before being stopped
                assert list(cluster.workers) == list(s.state.workers)
                assert await c.gather(kept) == list(range(1, 31))  # nothing lost: the data moved first
                [survivor] = s.state.workers.values()
                assert len(survivor.has_what) == 30
            s.state.validate_state()
            await cluster._close()

    asyncio.run(main())


def test_shrinking_a_cluster_without_scale_down_is_a_clear_error():
    class GrowOnly:
        def __init__(self):
            self.asked = []

        def scale(self, n):
            self.asked.append(n)

    async def main():
        async with Scheduler(protocol="inproc", dashboard_address=None) as s:
            async with Worker(s.address, nthreads=1):
                cluster = GrowOnly()
                adaptive = Adaptive(s, cluster, minimum=0, maximum=2, wait_count=1)
                try:
                    await adaptive.adapt()
                except TypeError as e:
                    assert "GrowOnly has no scale_down(workers)" in str(e)
                else:
                    raise AssertionError("shrinking without scale_down must fail clearly")
                assert len(s.state.workers) == 1  # nothing was retired
                adaptive.minimum = 2
                assert await adaptive.adapt() == 2
                assert cluster.asked == [2]  # no scale_up: its scale(n) is used

    asyncio.run(main())


class BlockingCluster(Cluster):
    """A blocking backend: its scale_up/scale_down wait until the workers started or stopped."""

    def __init__(self):
        super().__init__(asynchronous=False)
        self.scheduler = None
        self.workers = {}
        self.sync(self._start_scheduler)

    async def _start_scheduler(self):
        self.scheduler = await Scheduler(protocol="inproc", dashboard_address=None)
        self.status = "running"

    @property
    def scheduler_address(self):
        return self.scheduler.address

    def scale_up(self, n):
        self.sync(self._add_workers, n)

    async def _add_workers(self, n):
        while len(self.workers) < n:
            worker = await Worker(self.scheduler_address, nthreads=1)
            self.workers[worker.address] = worker

    def scale_down(self, workers):
        self.sync(self._stop_workers, list(workers))

    async def _stop_workers(self, workers):
        await asyncio.gather(*(self.workers.pop(w).close() for w in workers if w in self.workers))

    async def _close(self):
        if self._adaptive is not None:
            self._adaptive.stop()
        await asyncio.gather(*(w.close() for w in self.workers.values()))
        await self.scheduler.close()
        await super()._close()


def test_scale_and_adapt_of_a_blocking_cluster_with_only_scale_up_and_down():
    with BlockingCluster() as cluster:
        cluster.scale(3)
        assert len(cluster.workers) == 3
        with Client(cluster.scheduler_address) as c:
            kept = c.map(inc, range(12))
            assert c.gather(kept) == list(range(1, 13))
            cluster.scale(1)
            assert len(cluster.workers) == 1 and list(cluster.workers) == list(c.ncores())
            assert c.gather(kept) == list(range(1, 13))

            adaptive = cluster.adapt(minimum=1, maximum=2, interval="50ms", wait_count=2, target_duration=0.1)
            slow = c.map(time.sleep, [0.2] * 20, pure=False)
            until_blocking(lambda: len(cluster.workers) == 2, timeout=20)
            c.gather(slow)
            del slow
            until_blocking(lambda: len(cluster.workers) == 1, timeout=20)
            assert ("down", 1) in adaptive.log
            assert c.gather(kept) == list(range(1, 13))
