"""Son of Grid Engine / Univa / Oracle Grid Engine: ``#$`` job scripts submitted with ``qsub``,
cancelled with ``qdel``, listed by ``qstat``.

``SGECluster(cores=4, memory="8GB", parallel_environment="smp", queue="all.q", walltime="01:00:00")``.
Cores go through the parallel environment (``-pe smp 4``); memory is requested per slot with
``-l h_vmem=`` unless ``resource_spec`` says what to request.
"""

import os

from . import commands
from .cluster import JobQueueCluster
from .job import Job, current_user, mebibytes


class SGEJob(Job):
    system = "sge"
    directive_prefix = "#$"
    submit_command = ["qsub", "-terse"]
    cancel_command = ["qdel"]
    job_id_variable = "JOB_ID"

    def header_directives(self):
        s = self.settings
        lines = [f"-N {self.name}"]
        if s.queue:
            lines.append(f"-q {s.queue}")
        if s.account:
            lines.append(f"-P {s.account}")
        if s.parallel_environment:
            lines.append(f"-pe {s.parallel_environment} {s.cores}")
        if s.resource_spec:
            lines.append(f"-l {s.resource_spec}")
        elif s.memory_directive:
            lines.append(f"-l {s.memory_directive}={mebibytes(s.memory / self.slots)}M")
        if s.walltime:
            lines.append(f"-l h_rt={s.walltime}")
        lines += ["-cwd", "-j y", "-V", "-S /bin/bash"]
        if s.log_directory:
            lines += [f"-e {s.log_directory}/", f"-o {s.log_directory}/"]
        return lines

    @property
    def slots(self):
        """Memory requests are per slot: a job in a parallel environment has one slot per core."""
        return self.settings.cores if self.settings.parallel_environment else 1

    @staticmethod
    def parse_job_id(submit_output):
        # -terse prints "<id>" (or "<id>.<first>-<last>:<step>" for array jobs)
        return submit_output.strip().splitlines()[-1].split(".")[0].strip()

    @staticmethod
    def queue_argv():
        return ["qstat", "-u", current_user()]

    @staticmethod
    def parse_queue(listing):
        # job-ID prior name user state submit/start-at queue slots ...
        return {fields[0]: fields[4] for fields in map(str.split, listing.splitlines())
                if len(fields) >= 5 and fields[0].isdigit()}

    @classmethod
    def is_error_state(cls, state):
        return "E" in state

    @classmethod
    async def error_reason(cls, job_id):
        out = await commands.run(["qstat", "-j", job_id], check=False)
        return "\n".join(line.strip() for line in out.splitlines() if line.lower().startswith("error"))

    def output_files(self):
        directory = self.settings.log_directory or self.submit_directory or os.getcwd()
        return [os.path.join(directory, f"{self.name}.o{self.job_id}")]


class SGECluster(JobQueueCluster):
    """Workers as Grid Engine batch jobs; the scheduler runs in this process."""

    job_cls = SGEJob
