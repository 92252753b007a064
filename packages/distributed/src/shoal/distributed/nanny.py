"""The Nanny: runs a Worker in a child process and restarts it when it dies or uses too much memory.

The child is started with the ``spawn`` method (safe next to threads), reports its address back
through a pipe, and is killed (then restarted) when its memory passes the terminate fraction of
``memory_limit``.  The scheduler notices the worker's stream closing and recomputes what it lost.

A worker that closes on its own (the scheduler closed or retired it, or the scheduler went away)
says so through the pipe before it exits; its nanny then closes too instead of starting a worker
that would only fail to reach the scheduler.  Only a worker that dies unannounced is restarted.
"""

import asyncio
import logging
import multiprocessing
import os
import signal

from . import config
from .comm.core import parse_address
from .lifecycle import close_once
from .server import Server
from .worker import parse_memory_limit

logger = logging.getLogger("shoal.distributed.nanny")


def _run_worker(scheduler_address, worker_kwargs, conn):
    """Entry point of the child process."""
    import asyncio
    import logging

    from .logs import configure_worker_process
    from .output import install_output_router
    from .worker import Worker

    configure_worker_process(worker_kwargs.pop("log_level", logging.WARNING))
    install_output_router()

    async def main():
        worker = Worker(scheduler_address, **worker_kwargs)
        await worker
        conn.send({"address": worker.address, "pid": os.getpid()})
        nanny_asked = False
        while worker.status == "running":
            await asyncio.sleep(0.05)
            if conn.poll() and conn.recv() == "close":
                nanny_asked = True
                break
        if not nanny_asked:  # closed on its own: the nanny must not start another one
            conn.send({"closed": worker.close_reason or "closed"})
        await worker.close()

    try:
        asyncio.run(main())
    except Exception as e:  # report start-up failures to the nanny
        try:
            conn.send({"error": f"{type(e).__name__}: {e}"})
        except Exception:
            pass
        raise


class Nanny(Server):
    """``async with Nanny(scheduler_address, nthreads=2) as n: n.worker_address``"""

    def __init__(self, scheduler_ip=None, scheduler_port=None, *, scheduler_address=None, nthreads=None,
                 memory_limit="auto", name=None, resources=None, local_directory=None, host=None, port=0,
                 restart_on_death=None, memory_terminate_fraction=None, startup_timeout=60, security=None,
                 **worker_kwargs):
        if scheduler_address is None:
            scheduler_address = scheduler_ip if scheduler_port is None else f"tcp://{scheduler_ip}:{scheduler_port}"
        if parse_address(scheduler_address)[0] == "inproc":
            raise ValueError("A Nanny runs its worker in another process: use a tcp:// scheduler address")
        self.scheduler_address = scheduler_address
        self.nthreads = nthreads or os.cpu_count() or 1
        self.memory_limit = parse_memory_limit(memory_limit, self.nthreads)
        self.name = name
        self.restart_on_death = (config.get("distributed.nanny.restart-on-death")
                                 if restart_on_death is None else restart_on_death)
        self.memory_terminate_fraction = (config.get("distributed.worker.memory.terminate")
                                          if memory_terminate_fraction is None else memory_terminate_fraction)
        self.startup_timeout = config.parse_timedelta(startup_timeout)
        self.worker_kwargs = dict(worker_kwargs, nthreads=self.nthreads, memory_limit=self.memory_limit,
                                  name=name, resources=resources, local_directory=local_directory, host=host,
                                  security=security)
        self.process = None
        self.conn = None
        self.worker_address = None
        self.restarts = 0
        self._restarting = False
        self._closing = False
        self._self_close = None  # the close started because the worker closed on its own
        handlers = {"restart": self.restart_handler, "kill": self.kill_handler, "worker_address": lambda c, m: self.worker_address}
        from .worker import _host_toward

        scheme = parse_address(scheduler_address)[0]
        super().__init__(handlers, listen_address=f"{scheme}://{host or _host_toward(scheduler_address)}:{port or 0}",
                         security=security)

    async def start(self):
        await super().start()
        await self.start_worker()
        self.background(self.periodic(self.watch, 0.1))
        return self

    async def start_worker(self):
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        kwargs = dict(self.worker_kwargs, nanny=self.address, log_level=logger.getEffectiveLevel())
        self.process = ctx.Process(target=_run_worker, args=(self.scheduler_address, kwargs, child),
                                   daemon=True, name=f"shoal-worker-{self.name}")
        self.process.start()
        self.conn = parent
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.startup_timeout
        while not parent.poll():
            if not self.process.is_alive():
                raise RuntimeError(f"Worker process of nanny {self.address} exited with code {self.process.exitcode} during start-up")
            if loop.time() > deadline:
                self.process.kill()
                raise TimeoutError(f"Worker of nanny {self.address} did not start within {self.startup_timeout} s")
            await asyncio.sleep(0.01)
        info = parent.recv()
        if "error" in info:
            raise RuntimeError(f"Worker of nanny {self.address} failed to start: {info['error']}")
        self.worker_address = info["address"]
        logger.info("Nanny %s started worker %s (pid %d)", self.address, self.worker_address, info["pid"])

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    async def watch(self):
        if self._restarting or self._closing or self.status != "running" or self.process is None:
            return
        reason = self._worker_closed_itself()
        if reason is not None:
            logger.info("Worker %s closed (%s): closing its nanny %s", self.worker_address, reason, self.address)
            self._self_close = asyncio.ensure_future(self.close())  # not awaited: close() cancels this watch
            return
        if not self.process.is_alive():
            logger.warning("Worker %s (pid %s) died with exit code %s", self.worker_address, self.process.pid,
                           self.process.exitcode)
            if self.restart_on_death:
                await self.restart()
            return
        if self.memory_limit and self.memory_terminate_fraction:
            import psutil

            try:
                rss = psutil.Process(self.process.pid).memory_info().rss
            except psutil.Error:
                return
            if rss > self.memory_terminate_fraction * self.memory_limit:
                logger.warning("Worker %s exceeded %d%% of its memory limit: restarting it", self.worker_address,
                               int(100 * self.memory_terminate_fraction))
                self.process.kill()

    def _worker_closed_itself(self):
        """The reason the worker gave for closing on its own, or None (still running, or it died)."""
        try:
            while self.conn.poll():
                msg = self.conn.recv()
                if isinstance(msg, dict) and "closed" in msg:
                    return msg["closed"]
        except (EOFError, OSError):  # the pipe closed with the process: nothing was said
            pass
        return None

    async def restart(self, timeout=30):
        self._restarting = True
        try:
            await self.kill()
            self.restarts += 1
            await asyncio.wait_for(self.start_worker(), timeout)
        finally:
            self._restarting = False
        return self.worker_address

    async def restart_handler(self, comm, msg):
        return await self.restart(timeout=msg.get("timeout", 30))

    async def kill_handler(self, comm, msg):
        await self.kill()

    async def kill(self, grace=2.0):
        proc = self.process
        if proc is None or not proc.is_alive():
            return
        try:
            self.conn.send("close")
        except Exception:
            pass
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while proc.is_alive() and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if proc.is_alive():
            os.kill(proc.pid, signal.SIGKILL)
            while proc.is_alive():
                await asyncio.sleep(0.01)

    @close_once
    async def close(self):
        if self.status in ("closing", "closed") or self._closing:
            return
        self._closing = True  # stops watch() from restarting the worker we are about to stop
        await self.kill()
        await super().close()

    def __repr__(self):
        return f"<Nanny {self.listener.contact_address if self.listener else 'not started'} worker={self.worker_address}>"
