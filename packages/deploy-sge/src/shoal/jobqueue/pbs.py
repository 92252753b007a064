"""PBS Pro / Torque / OpenPBS: ``#PBS`` job scripts submitted with ``qsub``, cancelled with ``qdel``,
listed by ``qstat``.

``PBSCluster(cores=24, memory="100GB", queue="regular", account="P48500028", walltime="02:00:00")``.
Resources default to ``-l select=1:ncpus=<cores>:mem=<memory>`` (PBS Pro); Torque sites pass
``resource_spec="nodes=1:ppn=24,mem=100gb"``.
"""

import os

from .cluster import JobQueueCluster
from .job import Job, current_user, mebibytes


class PBSJob(Job):
    system = "pbs"
    directive_prefix = "#PBS"
    submit_command = ["qsub"]
    cancel_command = ["qdel"]
    job_id_variable = "PBS_JOBID"

    def header_directives(self):
        s = self.settings
        lines = [f"-N {self.name}"]
        if s.queue:
            lines.append(f"-q {s.queue}")
        if s.account:
            lines.append(f"-A {s.account}")
        lines.append(f"-l {s.resource_spec or f'select=1:ncpus={s.cores}:mem={mebibytes(s.memory)}mb'}")
        if s.walltime:
            lines.append(f"-l walltime={s.walltime}")
        if s.log_directory:
            lines += [f"-e {s.log_directory}/", f"-o {s.log_directory}/"]
        return lines

    @staticmethod
    def parse_job_id(submit_output):
        # qsub prints "<number>.<server>"; qdel and qstat take it whole
        return submit_output.strip().splitlines()[-1].strip()

    @staticmethod
    def queue_argv():
        return ["qstat", "-u", current_user()]

    @staticmethod
    def parse_queue(listing):
        # Job ID  Username Queue Jobname SessID NDS TSK Memory Time S Time; ids may be cut short
        # ("1234.serv*"), so jobs are matched on the number alone
        return {fields[0].split(".")[0]: fields[-2] for fields in map(str.split, listing.splitlines())
                if len(fields) > 2 and fields[0][:1].isdigit()}

    @classmethod
    async def queued_jobs(cls, job_ids):
        listed = await super().queued_jobs([job_id.split(".")[0] for job_id in job_ids])
        return {job_id: listed[job_id.split(".")[0]] for job_id in job_ids if job_id.split(".")[0] in listed}

    def output_files(self):
        directory = self.settings.log_directory or self.submit_directory or os.getcwd()
        number = (self.job_id or "").split(".")[0]
        return [os.path.join(directory, f"{self.name}.o{number}"), os.path.join(directory, f"{self.name}.e{number}")]


class PBSCluster(JobQueueCluster):
    """Workers as PBS batch jobs; the scheduler runs in this process."""

    job_cls = PBSJob
