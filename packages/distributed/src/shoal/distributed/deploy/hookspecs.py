"""Hook specifications of the ``shoal.deploy`` plugin project.

A backend module registered under the ``shoal.deploy`` entry-point group implements::

    from shoal.distributed.deploy import hookimpl

    @hookimpl
    def shoal_deploy_cluster_classes():
        return {"SSHCluster": SSHCluster}
"""

import pluggy

PROJECT = "shoal.deploy"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def shoal_deploy_cluster_classes():
    """Return ``{name: cluster class}`` for the clusters this backend provides (Cluster subclasses)."""
