"""SLURM: ``#SBATCH`` job scripts submitted with ``sbatch``, cancelled with ``scancel``, listed by ``squeue``.

``SLURMCluster(cores=8, memory="16GB", processes=2, queue="short", walltime="01:00:00")``.
"""

import os

from .cluster import JobQueueCluster
from .job import Job, current_user, mebibytes


class SLURMJob(Job):
    system = "slurm"
    directive_prefix = "#SBATCH"
    submit_command = ["sbatch", "--parsable"]
    cancel_command = ["scancel"]
    job_id_variable = "SLURM_JOB_ID"

    def header_directives(self):
        s = self.settings
        lines = [f"-J {self.name}"]
        if s.log_directory:
            lines += [f"-e {s.log_directory}/%x-%j.err", f"-o {s.log_directory}/%x-%j.out"]
        if s.queue:
            lines.append(f"-p {s.queue}")
        if s.account:
            lines.append(f"-A {s.account}")
        lines += ["-n 1", f"--cpus-per-task={s.job_cpu or s.cores}", f"--mem={mebibytes(s.job_mem or s.memory)}M"]
        if s.walltime:
            lines.append(f"-t {s.walltime}")
        return lines

    @staticmethod
    def parse_job_id(submit_output):
        # --parsable prints "<id>" or "<id>;<cluster>"
        return submit_output.strip().splitlines()[-1].split(";")[0].strip()

    @staticmethod
    def queue_argv():
        return ["squeue", "-h", "-o", "%i %T", "-u", current_user()]

    @staticmethod
    def parse_queue(listing):
        return {fields[0]: fields[1] for fields in map(str.split, listing.splitlines()) if len(fields) == 2}

    def output_files(self):
        s = self.settings
        if s.log_directory:
            return [f"{s.log_directory}/{self.name}-{self.job_id}.out", f"{s.log_directory}/{self.name}-{self.job_id}.err"]
        return [os.path.join(self.submit_directory or os.getcwd(), f"slurm-{self.job_id}.out")]


class SLURMCluster(JobQueueCluster):
    """Workers as SLURM batch jobs; the scheduler runs in this process."""

    job_cls = SLURMJob
