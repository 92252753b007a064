"""JobQueueCluster: a scheduler in this process and workers started as batch jobs.

The cluster is a ``SpecCluster`` whose "workers" are ``Job`` objects: each spec is one job running
``processes`` workers.  ``scale(n)`` asks for enough jobs for ``n`` workers, ``scale(jobs=2)`` for
jobs; scaling down (by hand or by ``adapt``) retires the chosen jobs' workers gracefully and cancels
whole jobs.  A watcher polls the batch system: a job that ends before its workers connect is
reported (``cluster.job_errors``, the log, ``wait_for_workers``) with the job's own output.
Subclasses set ``job_cls`` (``SLURMJob``, ``SGEJob``, ``PBSJob``).
"""

import asyncio
import atexit
import copy
import html
import logging
import math
import socket
import subprocess
import time
import weakref
from collections import deque

import shoal.config
from shoal.distributed.deploy.spec import SpecCluster
from shoal.distributed.logs import LogBuffer
from shoal.distributed.scheduler import Scheduler

from .options import resolve

logger = logging.getLogger("shoal.jobqueue")

CLUSTER_KEYS = ("scheduler_options", "interface", "poll_interval")
LIVE_CLUSTERS = weakref.WeakSet()  # clusters that submitted jobs: their jobs are cancelled at exit


@atexit.register
def _cancel_jobs_at_exit():
    """Jobs of clusters never closed would run until their walltime: cancel them as Python exits."""
    for cluster in list(LIVE_CLUSTERS):
        for job in list(cluster.workers.values()):
            if job.job_id is not None and job.status != "closed":
                subprocess.run(job.cancel_argv(), capture_output=True, timeout=30, check=False)


class JobQueueCluster(SpecCluster):
    job_cls = None

    def __init__(self, n_workers=0, *, asynchronous=False, loop=None, name=None, security=None, **kwargs):
        if self.job_cls is None:
            raise TypeError("JobQueueCluster is abstract: use SLURMCluster, SGECluster or PBSCluster")
        system = self.job_cls.system
        own = {key: kwargs.pop(key, None) for key in CLUSTER_KEYS}
        self.settings = resolve(system, kwargs)
        self.security = security
        self.poll_interval = float(own["poll_interval"] or shoal.config.get(f"jobqueue.{system}.poll-interval", 1))
        self.job_errors = []  # JobDiedError of every job that ended before its workers connected
        self._events = deque(maxlen=1000)
        self._job_number = 0
        self._job_of_address = {}  # worker address -> job name, of every worker seen
        self._connected_jobs = set()
        self._watcher = None
        scheduler = {"cls": Scheduler, "options": scheduler_options(system, own["scheduler_options"],
                                                                    own["interface"], security)}
        template = {"cls": self.job_cls, "options": {"settings": self.settings}}
        jobs = {self._new_worker_name(): copy.deepcopy(template) for _ in range(self._jobs_for(n_workers))}
        self._scheduler_log = LogBuffer()
        try:
            super().__init__(workers=jobs, scheduler=scheduler, worker=template, asynchronous=asynchronous,
                             loop=loop, name=name)
        except Exception:  # e.g. the first jobs were refused: stop the scheduler and the loop thread
            if getattr(self, "loop", None) is not None and self.status != "closed":
                self.close()
            raise

    # ---- jobs and their workers ---------------------------------------------------------------

    def _new_worker_name(self):
        name = f"{self.settings.name}-{self._job_number}"
        self._job_number += 1
        return name

    def _jobs_for(self, n_workers):
        return math.ceil(int(n_workers or 0) / self.settings.processes)

    def _job_of_worker_name(self):
        return {worker: job for job, spec_job in self.workers.items() for worker in spec_job.worker_names}

    def job_script(self):
        """The script the next job would run (its name is the next job's)."""
        job = self.job_cls(self.scheduler_address, name=f"{self.settings.name}-{self._job_number}",
                           settings=self.settings)
        return job.job_script()

    def worker_spec_resources(self):
        return {"cores": self.settings.threads_per_worker, "memory": self.settings.memory_per_worker}

    def _event(self, text, level=logging.INFO):
        self._events.append(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {text}")
        logger.log(level, "%s", text)

    # ---- scaling ------------------------------------------------------------------------------

    def scale(self, n=None, jobs=0, memory=None, cores=None):
        """Ask for ``n`` workers, or ``jobs`` jobs, or enough for ``memory``/``cores`` (whole jobs)."""
        if jobs:
            target = int(jobs)
        elif n is None and memory is None and cores is None:
            target = 0
        else:
            target = self._jobs_for(self._workers_for(n, memory, cores))
        return self.sync(self._scale_jobs, target)

    def adapt(self, minimum=0, maximum=math.inf, minimum_jobs=None, maximum_jobs=None, **kwargs):
        """Scale with the load between ``minimum``/``maximum`` workers or ``minimum_jobs``/``maximum_jobs``."""
        if minimum_jobs is not None:
            minimum = minimum_jobs * self.settings.processes
        if maximum_jobs is not None:
            maximum = maximum_jobs * self.settings.processes
        return super().adapt(minimum=minimum, maximum=maximum, **kwargs)

    async def _scale(self, n):
        await self._scale_jobs(self._jobs_for(n))

    async def _scale_up(self, n):
        if self._jobs_for(n) > len(self.worker_specs):
            await self._scale_jobs(self._jobs_for(n))

    async def _scale_jobs(self, jobs):
        before = dict(self.worker_specs)
        if len(self.worker_specs) > jobs:
            await self._drop_jobs(len(self.worker_specs) - jobs)
        while len(self.worker_specs) < jobs:
            self.worker_specs[self._new_worker_name()] = copy.deepcopy(self.new_spec)
        await self._apply(before)

    async def _drop_jobs(self, excess):
        """Forget ``excess`` job specs: jobs whose workers never connected first (newest first), then the
        jobs of the workers the scheduler would close (idle, least data), then the newest."""
        await self._note_workers()
        order = [name for name in reversed(self.worker_specs) if name not in self._connected_jobs]
        by_worker = self._job_of_worker_name()
        names = await self.pool.rpc(self.scheduler_address, "workers_to_close", n=10**9, attribute="name")
        order += [by_worker[w] for w in names if w in by_worker]
        order += list(reversed(self.worker_specs))
        for job in dict.fromkeys(order):
            if excess == 0:
                break
            if self.worker_specs.pop(job, None) is not None:
                excess -= 1

    async def _scale_down(self, workers):
        """Cancel the jobs of ``workers`` (addresses or names of workers, or job names)."""
        await self._note_workers()
        by_worker = self._job_of_worker_name()
        before = dict(self.worker_specs)
        for w in workers:
            job = self._job_of_address.get(w) or by_worker.get(str(w)) or (str(w) if str(w) in self.workers else None)
            if job is None:
                logger.warning("scale_down: %r is not a worker of this cluster's jobs; known jobs %s", w,
                               sorted(self.workers))
                continue
            self.worker_specs.pop(job, None)
        await self._apply(before)

    async def _apply(self, before):
        try:
            await self._correct_state()
        except Exception:
            for name, spec in before.items():  # jobs that could not be retired keep their spec
                if name in self.workers and name not in self.worker_specs:
                    self.worker_specs[name] = spec
            raise

    async def _correct_state(self):
        async with self._lock:
            to_close = [name for name in self.workers if name not in self.worker_specs]
            if to_close:
                names = [w for job in to_close for w in self.workers[job].worker_names]
                await self.pool.rpc(self.scheduler_address, "retire_workers", workers=names)
                await asyncio.gather(*(self._cancel(job) for job in to_close))
            to_open = [name for name in self.worker_specs if name not in self.workers]
            if to_open:
                await self._submit(to_open)

    async def _submit(self, names):
        jobs = []
        for name in names:
            spec = self.worker_specs[name]
            jobs.append(spec["cls"](self.scheduler_address, name=name, **spec.get("options", {})))
        results = await asyncio.gather(*(job.start() for job in jobs), return_exceptions=True)
        errors = []
        for name, job, result in zip(names, jobs, results):
            if isinstance(result, BaseException):
                del self.worker_specs[name]
                errors.append(result)
                self._event(f"job {name} not submitted: {result}", logging.ERROR)
            else:
                self.workers[name] = job
                LIVE_CLUSTERS.add(self)
                self._event(f"job {name} submitted as {job.job_id}")
        if errors:
            raise errors[0]

    async def _cancel(self, name):
        job = self.workers.pop(name)
        await job.close()
        self._forget(name)
        self._event(f"job {name} ({job.job_id}) cancelled")

    def _forget(self, job):
        # the job's worker addresses stay known: a scale_down naming them after the job ended is no error
        self._connected_jobs.discard(job)

    # ---- watching the batch system ------------------------------------------------------------

    async def _start(self):
        self._stop_watching = asyncio.Event()
        self._scheduler_log.attach()
        await super()._start()
        self._watcher = asyncio.ensure_future(self._watch())

    async def _watch(self):
        while not self._stop_watching.is_set():
            try:  # sleep, unless the cluster closes first
                await asyncio.wait_for(self._stop_watching.wait(), self.poll_interval)
                return
            except asyncio.TimeoutError:
                pass
            try:
                async with self._lock:
                    await self._check_jobs()
            except Exception:
                logger.exception("Checking the jobs failed; trying again in %s s", self.poll_interval)

    async def _note_workers(self):
        """Remember which job each connected worker belongs to (the worker's name carries the job's)."""
        info = await self.pool.rpc(self.scheduler_address, "scheduler_info")
        by_worker = self._job_of_worker_name()
        for address, worker in info["workers"].items():
            job = by_worker.get(str(worker.get("name")))
            if job is not None:
                self._job_of_address[address] = job
                self._connected_jobs.add(job)

    async def _check_jobs(self):
        await self._note_workers()
        submitted = {name: job for name, job in self.workers.items() if job.job_id is not None}
        listed = await self.job_cls.queued_jobs([job.job_id for job in submitted.values()])
        for name, job in submitted.items():
            state = listed.get(job.job_id)
            if state is not None and not job.is_error_state(state):
                continue
            if name in self._connected_jobs:
                self._event(f"job {name} ({job.job_id}) ended")
            else:
                error = await job.died_error(state)
                self.job_errors.append(error)
                self._event(str(error), logging.ERROR)
            if state is not None:  # stuck in an error state: take it off the queue
                await job.close()
            job.status = "finished"
            self.workers.pop(name, None)
            self.worker_specs.pop(name, None)
            self._forget(name)

    def wait_for_workers(self, n_workers=1, timeout=None):
        """Block until ``n_workers`` workers are connected.  Raises the job's ``JobDiedError`` when jobs
        died so that the jobs left cannot give that many, and ``TimeoutError`` after ``timeout`` s."""
        return self.sync(self._wait_for_workers, n_workers, timeout)

    async def _wait_for_workers(self, n_workers, timeout):
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        while True:
            info = await self.pool.rpc(self.scheduler_address, "scheduler_info")
            if len(info["workers"]) >= n_workers:
                return
            if self.job_errors and len(self.worker_specs) * self.settings.processes < n_workers:
                raise self.job_errors[-1]
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(info['workers'])} of {n_workers} workers connected after {timeout} s; "
                                   f"jobs: {self._jobs_summary()}")
            await asyncio.sleep(0.2)

    def _jobs_summary(self):
        return {name: job.job_id for name, job in self.workers.items()}

    async def _close(self):
        if self._watcher is not None:  # let a check under way finish: its commands are not cut off
            self._stop_watching.set()
            await self._watcher
            self._watcher = None
        self._scheduler_log.detach()
        await super()._close()

    # ---- what users look at -------------------------------------------------------------------

    def get_logs(self, cluster=True, scheduler=True, workers=True):
        """``{title: text}``: the cluster's job events, the scheduler's log (this process's), each job's
        output and each worker's recent log."""
        return self.sync(self._get_logs, cluster, scheduler, workers)

    async def _get_logs(self, cluster, scheduler, workers):
        logs = {}
        if cluster:
            logs["Cluster"] = "\n".join(self._events)
        if scheduler:
            logs["Scheduler"] = "\n".join(text for _level, text in self._scheduler_log.tail())
        if workers:
            for name, job in self.workers.items():
                for path, tail in job.output_tails(n=200):
                    logs[f"Job {name} ({path})"] = tail
        if workers and self.status == "running":
            replies = await self.pool.rpc(self.scheduler_address, "get_worker_logs")
            for address, records in replies.items():
                logs[address] = "\n".join(text for _level, text in records)
        return logs

    def __repr__(self):
        base = super().__repr__()
        return f"{base[:-1]}, jobs={len(self.workers)})"

    def _repr_html_(self):
        rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{html.escape(str(job.job_id))}</td>"
                       f"<td>{html.escape(job.status)}</td></tr>" for name, job in self.workers.items())
        jobs = (f"<table><tr><th>Job</th><th>Id</th><th>Status</th></tr>{rows}</table>" if rows
                else "<p>No jobs</p>")
        return super()._repr_html_() + f"<div><strong>Jobs ({self.job_cls.system})</strong>{jobs}</div>"


def scheduler_options(system, options, interface, security):
    """The local scheduler's options: on an address the compute nodes can reach."""
    options = {**(shoal.config.get(f"jobqueue.{system}.scheduler-options", None) or {}), **(options or {})}
    interface = interface or shoal.config.get(f"jobqueue.{system}.interface", None)
    host = options.pop("host", None) or (address_of_interface(interface) if interface else this_host_address())
    protocol = options.pop("protocol", None) or ("tls" if security else "tcp")
    return {"host": host, "port": options.pop("port", 0), "protocol": protocol,
            "dashboard_address": options.pop("dashboard_address", ":8787"), "security": security, **options}


def this_host_address():
    """The IP address this host's name resolves to: what other nodes use to reach it."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def address_of_interface(interface):
    import psutil

    addresses = psutil.net_if_addrs()
    if interface not in addresses:
        raise ValueError(f"No network interface {interface!r} on this host; it has {sorted(addresses)}")
    for address in addresses[interface]:
        if address.family == socket.AF_INET:
            return address.address
    raise ValueError(f"Network interface {interface!r} has no IPv4 address")
