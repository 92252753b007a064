"""shoal.jobqueue: shoal workers as batch jobs on HPC job queues (SGE, SLURM, PBS).

This distribution registers itself in the ``shoal.deploy`` entry-point group, through which
shoal.distributed finds deployment backends without importing them by name. The job-queue cluster
classes are not built yet: this module registers no cluster hooks until they are.
"""
