"""shoal.ssh: start a shoal scheduler and workers on other machines over SSH (asyncssh).

``from shoal.ssh import SSHCluster``.  This distribution registers itself in the ``shoal.deploy``
entry-point group, so ``shoal.distributed.deploy.cluster_classes()`` lists ``SSHCluster`` (also as
``"ssh"``) without shoal.distributed importing this package by name.
"""

from shoal.distributed.deploy import hookimpl

from . import config  # noqa: F401  (loads the ssh.* config defaults)
from .cluster import SSHCluster
from .errors import RemoteStartupError, SSHConnectError

__all__ = ["SSHCluster", "SSHConnectError", "RemoteStartupError"]


@hookimpl
def shoal_deploy_cluster_classes():
    return {"SSHCluster": SSHCluster, "ssh": SSHCluster}
