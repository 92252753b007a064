"""The spec objects SSHCluster starts: a remote ``Scheduler`` and a remote ``Worker``.

Both follow SpecCluster's contract (awaitable, ``close()``, an ``address``); each owns one
RemoteProcess and learns its address from the log line the remote program prints when it is up.
The commands carry this process's changed shoal settings as ``SHOAL_*`` variables.
"""

import re
import sys
import weakref
from urllib.parse import urlsplit, urlunsplit

from .commands import scheduler_command, uses_nanny, worker_command
from .inherit_config import env_prefix
from .remote_process import RemoteProcess

SCHEDULER_UP = r"Scheduler at:\s+(\S+)"
DASHBOARD_UP = r"Dashboard at:\s+(\S+)"
NANNY_UP = r"Nanny (\S+) started worker (\S+)"
WORKER_UP = r"Start worker at:\s+(\S+)"

started_workers = weakref.WeakSet()  # every remote Worker not closed yet: a cluster closes its own at the end


class _Remote:
    """What the remote scheduler and worker share: start once when awaited, close once."""

    status = "created"

    def __await__(self):
        return self._start_once().__await__()

    async def _start_once(self):
        if self.status == "created":
            self.status = "starting"
            try:
                await self._start()
            except BaseException:
                self.status = "failed"
                raise
            self.status = "running"
        return self

    async def close(self):
        if self.status != "closed":
            self.status = "closed"
            started_workers.discard(self)
            await self.process.close()

    @property
    def logs(self):
        return self.process.logs

    def __repr__(self):
        return f"<SSH {type(self).__name__} {self.address or '?'} on {self.process.where}, {self.status}>"


class Scheduler(_Remote):
    """``python -m shoal.distributed.cli.scheduler`` on ``address`` (the host name to log in to)."""

    def __init__(self, address, connect_options=None, kwargs=None, remote_python=None):
        options = dict(kwargs or {})
        options.setdefault("host", address)  # listen where clients reach it, not on every interface
        argv = env_prefix() + scheduler_command(remote_python or sys.executable, options)
        self.host = address
        self.process = RemoteProcess(address, connect_options, argv, "Scheduler")
        self.address = None

    async def _start(self):
        self.address = (await self.process.start(SCHEDULER_UP)).group(1)

    @property
    def dashboard_link(self):
        """From the scheduler's log (the line follows its address), with the SSH host name in it."""
        for line in self.process.lines:
            found = re.search(DASHBOARD_UP, line)
            if found:
                return _on_host(found.group(1), self.host)
        return None


class Worker(_Remote):
    """One ``shoal-worker`` process on ``address`` joining ``scheduler``; ``worker_address`` is the
    address of the worker itself (behind its nanny, when there is one)."""

    def __init__(self, scheduler, address, connect_options=None, kwargs=None, worker_class=None,
                 worker_module=None, remote_python=None, name=None):
        options = dict(kwargs or {})
        if name is not None:
            options["name"] = name
        argv = env_prefix() + worker_command(remote_python or sys.executable, scheduler, options, worker_class,
                                             worker_module)
        # a nanny's worker logs its own start first: wait for the nanny's line, which has both addresses
        self._ready = NANNY_UP if uses_nanny(worker_class) else WORKER_UP
        self.host = address
        self.name = name
        self.scheduler = scheduler
        self.process = RemoteProcess(address, connect_options, argv, f"Worker {name!r}")
        self.address = None
        self.worker_address = None

    async def _start(self):
        started_workers.add(self)
        match = await self.process.start(self._ready)
        if match.re.pattern == NANNY_UP:
            self.address, self.worker_address = match.group(1), match.group(2)
        else:
            self.address = self.worker_address = match.group(1)


def _on_host(link, host):
    """The dashboard link with the SSH host name in place of the address the scheduler bound to."""
    parts = urlsplit(link)
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{host}{port}"))
