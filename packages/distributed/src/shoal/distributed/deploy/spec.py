"""SpecCluster: a cluster described by specs, ``{name: {"cls": Worker-or-Nanny-class, "options": {...}}}``.

``scale(n)`` adds copies of the ``worker`` template spec or removes workers the scheduler picks (idle
ones first, see ``Scheduler.workers_to_close``); the cluster then brings the running workers in line
with the specs, retiring workers gracefully (their data moves to the workers that stay).  Backends subclass it and give worker
classes that start processes elsewhere (over SSH, as batch jobs): anything that is awaitable,
has ``close()`` and takes the scheduler address as first argument.
"""

import asyncio
import copy
import itertools

from .cluster import Cluster


class SpecCluster(Cluster):
    def __init__(self, workers=None, scheduler=None, worker=None, asynchronous=False, loop=None, name=None,
                 scheduler_address=None):
        super().__init__(asynchronous=asynchronous, loop=loop, name=name)
        self.worker_specs = dict(workers or {})
        self.scheduler_spec = scheduler
        self.new_spec = copy.deepcopy(worker)
        self.scheduler = None
        self._scheduler_address = scheduler_address
        self.workers = {}  # name -> running worker/nanny object
        self._lock = None
        self._names = itertools.count()
        if not asynchronous:
            self.sync(self._start_once)

    @property
    def scheduler_address(self):
        if self._scheduler_address is not None:
            return self._scheduler_address
        return self.scheduler.address

    async def _start(self):
        self._lock = asyncio.Lock()
        if self.scheduler_spec is not None and self._scheduler_address is None:
            cls = self.scheduler_spec["cls"]
            self.scheduler = cls(**self.scheduler_spec.get("options", {}))
            await self.scheduler
        self.status = "running"
        await self._correct_state()

    def _new_worker_name(self):
        while True:
            name = next(self._names)
            if name not in self.worker_specs:
                return name

    async def _correct_state(self):
        async with self._lock:
            to_close = [name for name in self.workers if name not in self.worker_specs]
            if to_close:
                await self.pool.rpc(self.scheduler_address, "retire_workers",
                                    workers=[self._worker_address(self.workers[n]) for n in to_close])
                await asyncio.gather(*(self.workers.pop(n).close() for n in to_close))
            to_open = [name for name in self.worker_specs if name not in self.workers]
            if to_open:
                started = []
                for name in to_open:
                    spec = self.worker_specs[name]
                    opts = dict(spec.get("options", {}))
                    opts.setdefault("name", name)
                    started.append((name, spec["cls"](self.scheduler_address, **opts)))
                outcomes = await asyncio.gather(*(w for _, w in started), return_exceptions=True)
                failed = []
                for (name, worker), outcome in zip(started, outcomes):
                    if isinstance(outcome, Exception):
                        failed.append(outcome)
                        del self.worker_specs[name]  # the spec says what runs: this one does not
                    else:
                        self.workers[name] = worker  # started, so it is closed with the cluster
                if failed:
                    raise failed[0]

    @staticmethod
    def _worker_address(w):
        return getattr(w, "worker_address", None) or w.address

    async def _scale(self, n):
        if self.new_spec is None:
            raise ValueError(f"{type(self).__name__} has no worker template to scale with")
        n = int(n)
        before = dict(self.worker_specs)
        if len(self.worker_specs) > n:
            await self._drop_specs(len(self.worker_specs) - n)
        while len(self.worker_specs) < n:
            self.worker_specs[self._new_worker_name()] = copy.deepcopy(self.new_spec)
        await self._apply_specs(before)

    async def _scale_up(self, n):
        if n > len(self.worker_specs):
            await self._scale(n)

    async def _drop_specs(self, excess):
        """Forget ``excess`` worker specs: workers not started yet first, then those the scheduler
        would close (idle, least data), then the newest."""
        for name in reversed([name for name in self.worker_specs if name not in self.workers][-excess:]):
            del self.worker_specs[name]
            excess -= 1
        if excess > 0:
            addresses = await self.pool.rpc(self.scheduler_address, "workers_to_close", n=excess)
            by_address = {self._worker_address(w): name for name, w in self.workers.items()}
            for address in addresses:
                if by_address.get(address) in self.worker_specs and excess > 0:
                    del self.worker_specs[by_address[address]]
                    excess -= 1
        while excess > 0 and self.worker_specs:
            self.worker_specs.popitem()
            excess -= 1

    async def _scale_down(self, workers):
        wanted = set(workers)
        before = dict(self.worker_specs)
        for name, w in list(self.workers.items()):
            if name in wanted or str(name) in wanted or self._worker_address(w) in wanted:
                self.worker_specs.pop(name, None)
        await self._apply_specs(before)

    async def _apply_specs(self, before):
        """Bring the workers in line with the specs; if a worker cannot retire (its data has nowhere to
        go), it keeps its spec and the error is raised."""
        try:
            await self._correct_state()
        except Exception:
            for name, spec in before.items():
                if name in self.workers and name not in self.worker_specs:
                    self.worker_specs[name] = spec
            raise

    def worker_spec_resources(self):
        opts = (self.new_spec or {}).get("options", {})
        return {"cores": opts.get("nthreads", 1), "memory": opts.get("memory_limit", 0) or 0}

    async def _close(self):
        if self.status == "closed":
            return
        self.status = "closing"
        if self._adaptive is not None:
            self._adaptive.stop()
        await asyncio.gather(*(w.close() for w in self.workers.values()), return_exceptions=True)
        self.workers.clear()
        if self.scheduler is not None:
            await self.scheduler.close()
        await super()._close()

    @property
    def dashboard_link(self):
        return getattr(self.scheduler, "dashboard_link", None)
