"""The scheduler file: a small JSON file through which a CLI scheduler tells workers and clients its address.

HPC jobs start the scheduler and the workers on machines unknown in advance; all of them share a
file system, so ``shoal-scheduler --scheduler-file f.json`` writes the address and
``shoal-worker --scheduler-file f.json`` / ``Client(scheduler_file='f.json')`` read it.
"""

import asyncio
import json
import os
import time


def write_scheduler_file(path, scheduler):
    info = {"type": "Scheduler", "id": scheduler.id, "address": scheduler.address}
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(info, f)
    os.replace(tmp, path)  # readers never see a half-written file


def _read(path):
    with open(path) as f:
        return json.load(f)["address"]


async def read_scheduler_file(path, timeout=60):
    """The address in ``path``, waiting up to ``timeout`` s for the scheduler to write it."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return _read(path)
        except (OSError, ValueError, KeyError):
            if time.monotonic() > deadline:
                from .errors import TimeoutError

                raise TimeoutError(f"No scheduler address in {path!r} after {timeout} s") from None
            await asyncio.sleep(0.1)


def read_scheduler_file_blocking(path, timeout=60):
    return asyncio.run(read_scheduler_file(path, timeout))
