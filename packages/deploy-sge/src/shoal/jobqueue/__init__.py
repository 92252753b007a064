"""shoal.jobqueue: shoal workers as batch jobs on HPC job queues (SLURM, SGE, PBS).

``SLURMCluster``, ``SGECluster`` and ``PBSCluster`` run the scheduler in this process and submit
workers as batch jobs; ``cluster.scale(jobs=2)``, ``cluster.adapt(maximum_jobs=10)``,
``Client(cluster)``.  Defaults come from ``jobqueue.yaml`` (``jobqueue.<system>.<key>`` in
shoal.config).  This distribution registers itself in the ``shoal.deploy`` entry-point group, so
``shoal.distributed.deploy.cluster_classes()`` lists these classes without importing them by name.
"""

import os

import yaml

import shoal.config
from shoal.distributed.deploy import hookimpl


def _load_defaults():
    with open(os.path.join(os.path.dirname(__file__), "jobqueue.yaml")) as f:
        shoal.config.update_defaults(yaml.safe_load(f))


_load_defaults()

from .cluster import JobQueueCluster  # noqa: E402  (the defaults must be loaded first)
from .job import Job, JobDiedError, JobSubmissionError  # noqa: E402
from .pbs import PBSCluster, PBSJob  # noqa: E402
from .sge import SGECluster, SGEJob  # noqa: E402
from .slurm import SLURMCluster, SLURMJob  # noqa: E402

__all__ = ["JobQueueCluster", "Job", "JobDiedError", "JobSubmissionError", "SLURMCluster", "SLURMJob",
           "SGECluster", "SGEJob", "PBSCluster", "PBSJob"]


@hookimpl
def shoal_deploy_cluster_classes():
    classes = {"SLURMCluster": SLURMCluster, "SGECluster": SGECluster, "PBSCluster": PBSCluster}
    return {**classes, "slurm": SLURMCluster, "sge": SGECluster, "pbs": PBSCluster}
