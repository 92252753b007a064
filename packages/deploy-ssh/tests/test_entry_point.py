"""The backend is found through the shoal.deploy entry-point group, as shoal.distributed finds it."""

from importlib.metadata import entry_points


def test_registered_in_the_shoal_deploy_group():
    (ep,) = [ep for ep in entry_points(group="shoal.deploy") if ep.value == "shoal.ssh"]
    module = ep.load()
    assert module.__name__ == "shoal.ssh"


def test_listed_by_the_distributed_registry():
    from shoal.distributed.deploy import registry
    from shoal.ssh import SSHCluster

    assert registry.cluster_classes(refresh=True)["SSHCluster"] is SSHCluster
    assert registry.get_cluster_class("ssh") is SSHCluster
