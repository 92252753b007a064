"""The Cluster interface every deployment implements: scale, scale_up, scale_down, adapt, close.

A backend implements ``scale_up(n)`` and ``scale_down(workers)`` (or their async ``_scale_up`` /
``_scale_down``); ``scale(n)`` and ``adapt`` are built on those and on the scheduler, which decides
which workers to close.

A cluster owns (or knows) a scheduler.  Blocking and ``asynchronous=True`` use work like Client: async
``_method`` implementations run on the caller's loop or on a loop thread owned by the cluster.
"""

import asyncio

from ..lifecycle import AsyncLifecycle
from ..loop import LoopRunner
from ..rpc import ConnectionPool
from .scaling import SchedulerHandle, call_cluster, local_scheduler, shrink


class Cluster(AsyncLifecycle):
    def __init__(self, asynchronous=False, loop=None, name=None):
        self.asynchronous = asynchronous
        self.name = name or type(self).__name__
        self.status = "created"
        self._adaptive = None
        self._loop_runner = None
        self.pool = ConnectionPool(security=getattr(self, "security", None))  # subclasses may set it first
        if not asynchronous:
            self._loop_runner = LoopRunner(loop)
            self._loop_runner.start()
            self.loop = self._loop_runner.loop
        else:
            self.loop = None
        self._started = None

    # ---- to implement -------------------------------------------------------------------------

    @property
    def scheduler_address(self):
        raise NotImplementedError

    async def _scale_up(self, n):
        """Start workers until there are ``n`` in total (or override ``scale_up`` itself)."""
        raise NotImplementedError(f"{type(self).__name__} must implement scale_up(n)")

    async def _scale_down(self, workers):
        """Stop ``workers`` (addresses the scheduler already retired; or override ``scale_down``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement scale_down(workers)")

    async def _scale(self, n):
        """Ask for ``n`` workers in total: ``scale_up(n)`` to grow; to shrink, the scheduler picks and
        retires workers, then ``scale_down`` stops them.  SpecCluster keeps its own bookkeeping."""
        scheduler = SchedulerHandle(getattr(self, "scheduler", None) or self.scheduler_address, self.pool)
        current = await scheduler.worker_count()
        if n > current:
            await call_cluster(self.scale_up, n)
        elif n < current:
            await shrink(self, scheduler, n)

    async def _start(self):
        self.status = "running"

    async def _close(self):
        if self._adaptive is not None:
            self._adaptive.stop()
        await self.pool.close()
        self.status = "closed"

    # ---- public API ---------------------------------------------------------------------------

    def sync(self, func, *args, **kwargs):
        if self.asynchronous:
            return func(*args, **kwargs)
        return asyncio.run_coroutine_threadsafe(func(*args, **kwargs), self.loop).result()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def scale(self, n=None, memory=None, cores=None):
        """Ask for ``n`` workers (or enough for ``memory``/``cores``)."""
        n = self._workers_for(n, memory, cores)
        return self.sync(self._scale, n)

    def scale_up(self, n):
        """Grow to ``n`` workers in total (never shrinks)."""
        return self.sync(self._scale_up, n)

    def scale_down(self, workers):
        """Stop ``workers`` (addresses or names)."""
        return self.sync(self._scale_down, list(workers))

    def _workers_for(self, n, memory, cores):
        if n is not None:
            return int(n)
        per = getattr(self, "worker_spec_resources", lambda: {"cores": 1, "memory": 0})()
        needs = []
        if cores is not None:
            needs.append(-(-cores // max(per["cores"], 1)))
        if memory is not None:
            from shoal.utils import parse_bytes

            if not per["memory"]:
                raise ValueError(f"scale(memory={memory!r}): the workers of {type(self).__name__} have no "
                                 "fixed memory limit (memory_limit='auto' or none); scale by n or cores=")
            needs.append(-(-parse_bytes(memory) // per["memory"]))
        if not needs:
            raise ValueError("scale needs n, memory= or cores=")
        return int(max(needs))

    def adapt(self, minimum=0, maximum=float("inf"), **kwargs):
        """Scale between ``minimum`` and ``maximum`` workers following the scheduler's load.

        ``interval`` and ``target_duration`` take seconds or strings (``'200ms'``); see ``Adaptive``.
        """
        from .adaptive import Adaptive

        if self._adaptive is not None:
            self._adaptive.stop()
        scheduler = local_scheduler(self) or self.scheduler_address  # in-process: no round trip
        self._adaptive = Adaptive(scheduler, self, minimum=minimum, maximum=maximum, **kwargs)
        if self.asynchronous:
            self._adaptive.start()
        else:
            self.loop.call_soon_threadsafe(self._adaptive.start)
        return self._adaptive

    def close(self):
        if self.status == "closed":
            return None
        if self.asynchronous:
            return self._close()
        try:
            self.sync(self._close)
        finally:
            if self._loop_runner is not None:
                self._loop_runner.stop()
        return None

    def scheduler_info(self):
        return self.sync(self.pool.rpc, self.scheduler_address, "scheduler_info")

    def get_client(self):
        from ..client import Client

        return Client(self, asynchronous=self.asynchronous)

    @property
    def dashboard_link(self):
        return None

    def _info_for_display(self):
        """scheduler_info() for a repr, or None when it is not at hand quickly (a repr never hangs)."""
        if self.asynchronous or self.status != "running" or self.loop.is_closed():
            return None
        try:
            if asyncio.get_running_loop() is self.loop:
                return None
        except RuntimeError:
            pass
        from ..client import _answer_soon

        return _answer_soon(self.pool.rpc(self.scheduler_address, "scheduler_info"), self.loop)

    def __repr__(self):
        info = self._info_for_display()
        if info is None:
            return f"{type(self).__name__}({self.name!r}, status={self.status})"
        workers = info["workers"]
        threads = sum(w["nthreads"] for w in workers.values())
        from shoal.utils import format_bytes

        memory = sum(w["memory_limit"] or 0 for w in workers.values())
        return (f"{type(self).__name__}({self.name!r}, {self.scheduler_address!r}, workers={len(workers)}, "
                f"threads={threads}, memory={format_bytes(memory)})")

    def _repr_html_(self):
        from ..reprs import cluster_html

        return cluster_html(self, self._info_for_display())
