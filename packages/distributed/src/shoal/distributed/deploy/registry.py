"""Finding cluster classes registered by backends through the ``shoal.deploy`` entry points."""

from shoal.plugins import plugin_manager

from . import hookspecs


def _manager(cached=True):
    return plugin_manager(hookspecs.PROJECT, hookspecs, "shoal.deploy", cached=cached)


def cluster_classes(refresh=False):
    """``{name: class}`` of every cluster class offered by installed backends (plus LocalCluster)."""
    from .local import LocalCluster

    found = {"LocalCluster": LocalCluster}
    pm = _manager(cached=not refresh)
    for result in pm.hook.shoal_deploy_cluster_classes():
        found.update(result or {})
    return found


def failed_backends():
    """Backends whose entry point failed to import: ``{name: exception}``."""
    return dict(getattr(_manager(), "failed_plugins", {}))


def get_cluster_class(name):
    classes = cluster_classes()
    if name not in classes:
        failed = failed_backends()
        hint = f"; backends that failed to load: {failed}" if failed else ""
        raise ValueError(f"No cluster class {name!r}; installed: {sorted(classes)}{hint}")
    return classes[name]
