"""One long-running command on a remote host: started over SSH, its output kept as logs, stopped on close.

The command runs under a small ``sh`` wrapper that prints the program's pid and watches the SSH
channel's stdin: closing stdin (or losing the connection) sends the program SIGTERM, so a closed
cluster, or a client that died, leaves no process behind.  ``close()`` asks for that graceful stop
and, if the program is still alive after ``ssh.close-timeout``, kills it and its children.
"""

import asyncio
import contextlib
import logging
import re
import shlex

from .config import seconds
from .connection import connect
from .errors import RemoteStartupError

logger = logging.getLogger("shoal.ssh")
_PID = re.compile(r"^shoal-ssh remote pid (\d+)$")


def wrapped(argv):
    """The shell command running ``argv`` so that EOF on stdin stops it; exits with its status."""
    program = " ".join(shlex.quote(a) for a in argv)
    script = (
        "exec 3<&0\n"
        f"{program} 3<&- &\n"
        "pid=$!\n"
        'echo "shoal-ssh remote pid $pid" >&2\n'
        '( cat <&3 >/dev/null 2>&1; kill -TERM "$pid" 2>/dev/null ) &\n'
        "watcher=$!\n"
        "exec 3<&-\n"
        'wait "$pid"; status=$?\n'
        'kill "$watcher" 2>/dev/null\n'
        'exit "$status"\n'
    )
    return "sh -c " + shlex.quote(script)


class RemoteProcess:
    """``argv`` running on ``host``; ``await start(patterns)`` returns the first match of any pattern
    in its output (the address it reports), or raises naming the host and the remote output."""

    def __init__(self, host, connect_options, argv, label):
        self.host = host
        self.connect_options = dict(connect_options or {})
        self.argv = list(argv)
        self.label = label
        self.lines = []
        self.pid = None
        self.exit_status = None
        self._connection = None
        self._process = None
        self._reader = None
        self._wanted = []  # (compiled pattern, future)

    @property
    def where(self):
        return f"{self.host}:{self.connect_options.get('port', 22)}"

    async def start(self, *patterns, timeout=None):
        timeout = timeout or seconds("startup-timeout")
        self._connection = await connect(self.host, self.connect_options)
        found = asyncio.get_running_loop().create_future()
        self._wanted = [(re.compile(p), found) for p in patterns]
        try:
            self._process = await self._connection.create_process(wrapped(self.argv), stderr=_stdout(),
                                                                   errors="replace")
            self._reader = asyncio.ensure_future(self._read_output())
            return await asyncio.wait_for(asyncio.shield(found), timeout)
        except asyncio.TimeoutError:
            await self.close()
            raise RemoteStartupError(f"{self.label} on {self.where} did not start within {timeout:g} s; "
                                     f"command: {self.command}{self._output_tail()}") from None
        except BaseException:
            await self.close()
            raise

    @property
    def command(self):
        return " ".join(shlex.quote(a) for a in self.argv)

    async def _read_output(self):
        try:
            while True:
                line = await self._process.stdout.readline()
                if not line:
                    break
                self._take_line(line.rstrip("\r\n"))
            self.exit_status = (await self._process.wait(check=False)).exit_status
            ended = f"exited with status {self.exit_status}"
        except Exception as e:  # the SSH connection broke
            ended = f"lost its SSH connection ({type(e).__name__}: {e})"
        for _, future in self._wanted:
            if not future.done():
                future.set_exception(RemoteStartupError(
                    f"{self.label} on {self.where} {ended} before it started; "
                    f"command: {self.command}{self._output_tail()}"))

    def _take_line(self, line):
        pid = _PID.match(line)
        if pid and self.pid is None:
            self.pid = int(pid.group(1))
            return
        self.lines.append(line)
        for pattern, future in self._wanted:
            match = pattern.search(line)
            if match and not future.done():
                future.set_result(match)

    def _output_tail(self, n=20):
        if not self.lines:
            return "; no output"
        return "; remote output:\n" + "\n".join(self.lines[-n:])

    @property
    def logs(self):
        return "\n".join(self.lines)

    async def close(self):
        """Stop the remote program (SIGTERM through the wrapper, then SIGKILL) and the connection."""
        if self._connection is None:
            return
        try:
            if self._process is not None and self._reader is not None and not self._reader.done():
                with contextlib.suppress(Exception):  # a dropped connection has stopped the program already
                    self._process.stdin.write_eof()
                try:
                    await asyncio.wait_for(asyncio.shield(self._reader), seconds("close-timeout"))
                except asyncio.TimeoutError:
                    await self._kill()
        except Exception as e:  # closing goes on: the connection is closed below, which also stops it
            logger.warning("Could not stop %s on %s (remote pid %s): %s", self.label, self.where, self.pid, e)
        finally:
            if self._reader is not None and not self._reader.done():
                self._reader.cancel()
            self._connection.close()
            self._connection = None

    async def _kill(self):
        if self.pid is None:
            return
        await self._connection.run(f"pkill -KILL -P {self.pid}; kill -KILL {self.pid}", check=False)
        await asyncio.wait_for(asyncio.shield(self._reader), seconds("close-timeout"))


def _stdout():
    import asyncssh

    return asyncssh.STDOUT
