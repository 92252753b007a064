"""LocalCluster: a scheduler and workers on this machine (worker processes under nannies, or threads).

``LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit='auto')``.  With
``processes=False`` the workers run in this process and talk over ``inproc://`` (fast to start, good
for tests and GIL-releasing work).  The dashboard is served at ``dashboard_address`` (``':8787'``,
or a free port when that one is taken; ``None`` for none): ``cluster.dashboard_link``.
"""

import logging
import math
import os

from ..nanny import Nanny
from ..scheduler import Scheduler
from ..worker import Worker, parse_memory_limit
from .spec import SpecCluster


class LocalCluster(SpecCluster):
    def __init__(self, n_workers=None, threads_per_worker=None, processes=True, memory_limit="auto",
                 host=None, scheduler_port=0, dashboard_address=":8787", protocol=None, asynchronous=False,
                 loop=None, name=None, resources=None, validate=None, worker_class=None,
                 silence_logs=None, local_directory=None, security=None, **worker_kwargs):
        if silence_logs:  # e.g. logging.ERROR: quieter start-up and worker messages
            logging.getLogger("shoal.distributed").setLevel(silence_logs)
        n_workers, threads_per_worker = _split_cores(n_workers, threads_per_worker, processes)
        if protocol is None:
            protocol = "tcp" if processes or host or scheduler_port else "inproc"
        if security is not None and protocol == "tcp":
            protocol = "tls"
        if processes and protocol == "inproc":
            raise ValueError("LocalCluster(processes=True) needs protocol='tcp'")
        total = max(n_workers, 1) * threads_per_worker
        if memory_limit == "auto":
            memory_limit = parse_memory_limit("auto", threads_per_worker, total_cores=max(total, os.cpu_count() or 1))
        scheduler = {"cls": Scheduler, "options": {
            "host": host, "port": scheduler_port, "protocol": protocol, "dashboard_address": dashboard_address,
            "validate": validate, "allow_run_on_scheduler": True, "security": security,
        }}
        worker_cls = worker_class or (Nanny if processes else Worker)
        worker = {"cls": worker_cls, "options": dict(
            nthreads=threads_per_worker, memory_limit=memory_limit, resources=resources,
            local_directory=local_directory, host=host, security=security, **worker_kwargs,
        )}
        if worker_cls is Worker:
            worker["options"]["validate"] = validate
        workers = {i: worker for i in range(n_workers)}
        self.security = security
        self.processes = processes
        self.threads_per_worker = threads_per_worker
        self._names_start = n_workers
        super().__init__(workers=workers, scheduler=scheduler, worker=worker, asynchronous=asynchronous,
                         loop=loop, name=name)


def _split_cores(n_workers, threads_per_worker, processes):
    cores = os.cpu_count() or 1
    if n_workers is None and threads_per_worker is None:
        if not processes:
            return 1, cores
        n_workers = cores if cores <= 4 else max(2, int(math.sqrt(cores)))
        return n_workers, max(1, cores // n_workers)
    if n_workers is None:
        return max(1, cores // threads_per_worker), threads_per_worker
    if threads_per_worker is None:
        return n_workers, max(1, cores // max(n_workers, 1))
    return n_workers, threads_per_worker
