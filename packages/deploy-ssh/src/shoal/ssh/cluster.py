"""SSHCluster: a scheduler on the first host and workers on the others, all started over SSH.

``SSHCluster(["sched-host", "host-a", "host-b"], connect_options={...}, worker_options={"nthreads": 2},
scheduler_options={"port": 0}, remote_python=sys.executable)`` logs in to each host with asyncssh,
runs ``python -m shoal.distributed.cli.scheduler`` on the first and ``... cli.worker`` on the others
(``worker_options["n_workers"]`` of them per host), and stops every remote process on ``close()``.
``connect_options`` and ``remote_python`` may also be lists, one entry per host.  ``scale(n)`` and
``adapt()`` add workers on the worker host running the fewest and retire the ones the scheduler picks.
"""

import asyncio

from shoal.distributed.deploy.spec import SpecCluster

from . import remote
from .commands import scheduler_command, worker_command


class SSHCluster(SpecCluster):
    def __init__(self, hosts=None, connect_options=None, worker_options=None, scheduler_options=None,
                 worker_module=None, worker_class="shoal.distributed.Nanny", remote_python=None, **kwargs):
        hosts = _host_list(hosts)
        connect = _per_host(connect_options or {}, hosts, "connect_options", dict)
        python = _per_host(remote_python, hosts, "remote_python", (str, type(None)))
        worker_options = dict(worker_options or {})
        n_workers = int(worker_options.pop("n_workers", 1))
        scheduler = {"cls": remote.Scheduler, "options": {
            "address": hosts[0], "connect_options": connect[0], "kwargs": dict(scheduler_options or {}),
            "remote_python": python[0]}}
        self._templates = [
            {"cls": remote.Worker, "options": {
                "address": host, "connect_options": connect[i], "kwargs": worker_options,
                "worker_class": worker_class, "worker_module": worker_module, "remote_python": python[i]}}
            for i, host in enumerate(hosts) if i > 0 or len(hosts) == 1]
        _check_commands(scheduler, self._templates[0])
        # a single host runs only the scheduler (as in Dask); scale() then adds workers on it
        workers = {i: spec for i, spec in enumerate(s for s in self._templates for _ in range(n_workers))
                   if len(hosts) > 1}
        self.hosts = hosts
        try:
            super().__init__(workers=workers, scheduler=scheduler, **kwargs)
        except BaseException:
            if self._loop_runner is not None:  # the failed start already stopped the remote processes
                self._loop_runner.stop()
            raise

    @property
    def new_spec(self):
        """The spec of the next worker ``scale`` adds: on the worker host running the fewest workers."""
        return min(self._templates, key=self._workers_on)

    @new_spec.setter
    def new_spec(self, _template):  # SpecCluster assigns its template; SSHCluster derives it from the hosts
        pass

    def worker_spec_resources(self):
        """Threads and memory of one new worker, for ``scale(cores=..., memory=...)``."""
        from shoal.utils import parse_bytes

        options = self.new_spec["options"]["kwargs"]
        memory = options.get("memory_limit") or 0
        if isinstance(memory, str):  # 'auto' depends on the remote machine: unknown here
            memory = 0 if memory == "auto" else parse_bytes(memory)
        return {"cores": options.get("nthreads") or 1, "memory": memory}

    def _workers_on(self, template):
        host = template["options"]["address"]
        return sum(spec["options"]["address"] == host for spec in self.worker_specs.values())

    async def _start(self):
        try:
            await super()._start()
        except BaseException:
            await self._close()
            raise

    async def _close(self):
        if self.status == "closed":
            return
        if self.scheduler is not None and self.scheduler.address is not None:
            # workers that started although the start or a scale-up they belonged to failed
            strays = [w for w in list(remote.started_workers)
                      if w.scheduler == self.scheduler.address and w not in self.workers.values()]
            await asyncio.gather(*(w.close() for w in strays), return_exceptions=True)
        await super()._close()

    def get_logs(self, scheduler=True, workers=True):
        """The remote processes' output: ``{"Scheduler": text, worker address: text, ...}``;
        ``workers`` may be a list of worker names or addresses."""
        logs = {}
        if scheduler and self.scheduler is not None:
            logs["Scheduler"] = self.scheduler.logs
        for name, worker in self.workers.items():
            if workers is True or name in workers or worker.worker_address in workers:
                logs[worker.worker_address or name] = worker.logs
        return logs


def _host_list(hosts):
    if isinstance(hosts, str):
        raise TypeError(f"SSHCluster takes a list of hosts (the first runs the scheduler), not {hosts!r}")
    hosts = list(hosts or [])
    if not hosts:
        raise ValueError("SSHCluster needs at least one host: [scheduler_host, worker_host, ...]")
    return hosts


def _per_host(value, hosts, what, one_type):
    """One ``value`` per host: a list of them, or a single one for every host."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(hosts):
            raise ValueError(f"{what} has {len(value)} entries but there are {len(hosts)} hosts {hosts}: "
                             "give one per host, or a single value for all")
        return list(value)
    if not isinstance(value, one_type):
        raise TypeError(f"{what} must be one value for every host or a list with one per host, not {value!r}")
    return [value] * len(hosts)


def _check_commands(scheduler, worker):
    """Build the commands once now, so a bad option fails here and not on a remote host."""
    scheduler_command("python", scheduler["options"]["kwargs"])
    options = worker["options"]
    worker_command("python", "tcp://scheduler:0", options["kwargs"], options["worker_class"],
                   options["worker_module"])
