"""Running the batch system's commands (sbatch, qsub, scancel, ...) without blocking the event loop.

A command that fails raises ``CommandError`` quoting the command line, its exit code and its stderr,
so a misspelt queue or partition is reported in the batch system's own words.
"""

import asyncio
import shlex


class CommandError(RuntimeError):
    def __init__(self, argv, returncode, stdout, stderr, what="Command"):
        self.argv, self.returncode, self.stdout, self.stderr = list(argv), returncode, stdout, stderr
        detail = (stderr.strip() or stdout.strip() or "(no output)")
        super().__init__(f"{what} failed (exit code {returncode}): {shlex.join(self.argv)}\n{detail}")


async def run(argv, what="Command", check=True, timeout=60):
    """Run ``argv``; return its stdout (text).  Raises ``CommandError`` on a non-zero exit if ``check``."""
    try:
        proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE,
                                                    stdin=asyncio.subprocess.DEVNULL)
    except FileNotFoundError as e:
        raise CommandError(argv, 127, "", f"{argv[0]}: command not found ({e}); is the batch system's "
                           "client installed and on PATH?", what) from None
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        raise CommandError(argv, -9, "", f"no answer after {timeout} s", what) from None
    except asyncio.CancelledError:
        if proc.returncode is None:
            proc.kill()
        raise
    out, err = out.decode(errors="replace"), err.decode(errors="replace")
    if check and proc.returncode != 0:
        raise CommandError(argv, proc.returncode, out, err, what)
    return out
