"""RemoteProcess on the private sshd: output as logs, SIGTERM on close, SIGKILL when that is ignored,
and no leftover process when the SSH connection just drops (the client died)."""

import asyncio
import sys
import time

from conftest import alive

import shoal.config
from shoal.ssh.remote_process import RemoteProcess

STUBBORN = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); print('to stderr', file=sys.stderr, flush=True); time.sleep(60)")
POLITE = "import time; print('ready', flush=True); time.sleep(60)"


def _run(options, code, finish):
    async def main():
        process = RemoteProcess("127.0.0.1", options, [sys.executable, "-c", code], "Test program")
        match = await process.start(r"^(ready)$")
        assert match.group(1) == "ready" and alive(process.pid)
        start = time.time()
        await finish(process)
        return process, time.time() - start

    return asyncio.run(main())


def _wait_gone(pid, seconds=5):
    deadline = time.time() + seconds
    while alive(pid):
        assert time.time() < deadline, f"remote pid {pid} still alive"
        time.sleep(0.05)


def test_close_stops_the_program_and_keeps_its_output(connect_options):
    process, took = _run(connect_options, POLITE, lambda p: p.close())
    assert not alive(process.pid) and took < 3
    assert process.logs.splitlines()[0] == "ready"  # then the shell's note that it was terminated


def test_a_program_ignoring_sigterm_is_killed_after_the_close_timeout(connect_options):
    with shoal.config.set({"ssh.close-timeout": "1s"}):
        process, took = _run(connect_options, STUBBORN, lambda p: p.close())
    _wait_gone(process.pid)
    assert 1 <= took < 4
    assert process.logs.splitlines()[:2] == ["ready", "to stderr"]


def test_a_dropped_connection_stops_the_program(connect_options):

    async def drop(process):
        process._connection.close()  # as if the client process died: no orderly close
        await asyncio.sleep(0)

    process, _ = _run(connect_options, POLITE, drop)
    _wait_gone(process.pid)
