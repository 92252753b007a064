"""Deploying clusters: the Cluster interface, SpecCluster, LocalCluster, Adaptive, and backends.

Backends (``shoal.ssh``, ``shoal.jobqueue``, third-party ones) are separate distributions found only
through the ``shoal.deploy`` entry-point group: each registers a module implementing the
``shoal_deploy_cluster_classes`` hook (see ``hookspecs``).
"""

from .hookspecs import hookimpl, hookspec
from .registry import cluster_classes, get_cluster_class

__all__ = ["hookimpl", "hookspec", "cluster_classes", "get_cluster_class", "Cluster", "SpecCluster",
           "LocalCluster", "Adaptive"]


def __getattr__(name):
    import importlib

    modules = {"Cluster": "cluster", "SpecCluster": "spec", "LocalCluster": "local", "Adaptive": "adaptive"}
    if name in modules:
        return getattr(importlib.import_module(f"{__name__}.{modules[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
