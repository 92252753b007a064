"""A batch job running shoal workers: its script, its submission, its cancellation.

A ``Job`` is what a job-queue cluster keeps in place of a worker: awaiting it submits the script
(``sbatch``/``qsub``) and parses the job id; ``close()`` cancels it (``scancel``/``qdel``) and waits
until the batch system no longer lists it.  The job starts ``processes`` workers named after the job
(``<job>`` for one process, ``<job>-0``, ``<job>-1``, ... for several) so the cluster can tell which
job a worker belongs to and cancel whole jobs when it scales down.

Subclasses (one per batch system) say how the header looks and how to submit, cancel and list jobs.
"""

import asyncio
import getpass
import os
import shlex
import tempfile

from . import commands

CANCEL_WAIT = 15  # seconds close() waits for the batch system to forget a cancelled job


class JobSubmissionError(RuntimeError):
    """The batch system refused the job (bad queue/partition, resources it cannot give, ...)."""


class JobDiedError(RuntimeError):
    """A job ended before its workers connected to the scheduler."""


class Job:
    system = None  # 'slurm', 'sge', 'pbs'
    directive_prefix = None  # '#SBATCH', '#$', '#PBS'
    submit_command = None  # argv before the script path
    cancel_command = None  # argv before the job ids
    job_id_variable = None  # environment variable holding the job id inside the job

    def __init__(self, scheduler=None, name=None, settings=None, **ignored):
        self.scheduler_address = scheduler
        self.name = str(name)
        self.settings = settings
        self.job_id = None
        self.status = "created"
        self.submit_directory = None

    # ---- to implement per batch system --------------------------------------------------------

    def header_directives(self):
        """The directives (without their prefix) this system's header needs for the settings."""
        raise NotImplementedError

    @staticmethod
    def parse_job_id(submit_output):
        raise NotImplementedError

    @staticmethod
    def queue_argv():
        """The command listing this user's jobs."""
        raise NotImplementedError

    @staticmethod
    def parse_queue(listing):
        """``{job_id: state}`` from the output of ``queue_argv()``."""
        raise NotImplementedError

    @classmethod
    async def queued_jobs(cls, job_ids):
        """``{job_id: state}`` of those of ``job_ids`` the batch system still lists (queued or running)."""
        if not job_ids:
            return {}
        listed = cls.parse_queue(await commands.run(cls.queue_argv(), what=f"Listing {cls.system} jobs"))
        return {job_id: listed[job_id] for job_id in job_ids if job_id in listed}

    @classmethod
    def is_error_state(cls, state):
        """True for a listed state in which the job will never run (e.g. SGE's ``Eqw``)."""
        return False

    @classmethod
    async def error_reason(cls, job_id):
        """Why the batch system holds the job in an error state ('' when it does not say)."""
        return ""

    def output_files(self):
        """Where the batch system writes this job's output (stdout, stderr)."""
        return []

    # ---- the script ---------------------------------------------------------------------------

    @property
    def worker_names(self):
        n = self.settings.processes
        return [self.name] if n == 1 else [f"{self.name}-{i}" for i in range(n)]

    def worker_command(self):
        s = self.settings
        argv = [s.python, "-m", "shoal.distributed.cli.worker", self.scheduler_address or "<scheduler-address>",
                "--nthreads", str(s.threads_per_worker), "--nworkers", str(s.processes),
                "--memory-limit", str(s.memory_per_worker), "--name", self.name,
                "--nanny" if s.nanny else "--no-nanny"]
        if s.local_directory:
            argv += ["--local-directory", s.local_directory]
        return shlex.join(argv + [str(a) for a in s.worker_extra_args])

    def header(self):
        s = self.settings
        directives = self.header_directives() + list(s.job_extra_directives)
        lines = [f"{self.directive_prefix} {d}" for d in directives]
        return [s.shebang] + [line for line in lines if not any(skip in line for skip in s.job_directives_skip)]

    def job_script(self):
        return "\n".join(self.header() + [""] + list(self.settings.job_script_prologue)
                         + [self.worker_command(), ""])

    def submit_argv(self, script_path):
        return [*self.submit_command, *self.settings.submit_command_extra, script_path]

    def cancel_argv(self):
        return [*self.cancel_command, *self.settings.cancel_command_extra, self.job_id]

    # ---- lifecycle ----------------------------------------------------------------------------

    def __await__(self):
        return self.start().__await__()

    async def start(self):
        if self.job_id is not None:
            return self
        fd, path = tempfile.mkstemp(prefix=f"{self.name}-", suffix=".sh")
        with os.fdopen(fd, "w") as f:
            f.write(self.job_script())
        self.submit_directory = os.getcwd()
        try:
            out = await commands.run(self.submit_argv(path), what=f"Submitting job {self.name!r}")
        except commands.CommandError as e:
            self.status = "failed"
            raise JobSubmissionError(f"{e}\nJob script:\n{self.job_script()}") from None
        finally:
            os.unlink(path)
        self.job_id = self.parse_job_id(out)
        self.status = "submitted"
        return self

    async def close(self):
        """Cancel the job and wait (a few seconds at most) until the batch system no longer lists it."""
        if self.job_id is None or self.status == "closed":
            self.status = "closed"
            return
        await commands.run(self.cancel_argv(), what=f"Cancelling job {self.job_id}", check=False)
        for _ in range(int(CANCEL_WAIT / 0.25)):
            if self.job_id not in await self.queued_jobs([self.job_id]):
                break
            await asyncio.sleep(0.25)
        self.status = "closed"

    async def died_error(self, state=None):
        """A ``JobDiedError`` for this job, quoting what the batch system and the job's output say."""
        parts = [f"Job {self.job_id} ({self.name!r}) ended before its workers {self.worker_names} connected "
                 f"to the scheduler at {self.scheduler_address}."]
        if state is not None and self.is_error_state(state):
            parts.append(f"The batch system holds it in state {state!r}: {await self.error_reason(self.job_id)}")
        parts += [f"--- {path} (last lines) ---\n{tail}" for path, tail in self.output_tails()]
        if len(parts) == 1:
            parts.append(f"No job output found at {self.output_files() or 'the default place'}.")
        return JobDiedError("\n".join(parts))

    def output_tails(self, n=20):
        tails = []
        for path in self.output_files():
            try:
                with open(path, errors="replace") as f:
                    tails.append((path, "".join(f.readlines()[-n:])))
            except OSError:
                continue
        return tails

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r} id={self.job_id} status={self.status}>"


def current_user():
    return getpass.getuser()


def mebibytes(nbytes):
    """Whole MiB, rounded up: what batch systems' ``M``/``mb`` memory units mean."""
    return -(-int(nbytes) // 2**20)
