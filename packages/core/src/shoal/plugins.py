"""Plugins: a pluggy plugin manager that loads hook implementations from entry points.

Packages declare hooks in a hookspec module (``hookspec = pluggy.HookspecMarker(project)``) and find
implementations that other distributions register under an entry-point group, e.g. ``shoal.deploy``.
"""

from __future__ import annotations

import types

import pluggy

_managers: dict = {}


def plugin_manager(project_name: str, hookspecs: types.ModuleType | type, entry_point_group: str,
                   cached: bool = True) -> pluggy.PluginManager:
    """A plugin manager for ``project_name`` with ``hookspecs`` added and every plugin registered in
    ``entry_point_group`` loaded. A plugin that fails to import is reported, not fatal: the error is
    kept in ``manager.failed_plugins`` so one broken backend does not hide the others."""
    key = (project_name, entry_point_group)
    if cached and key in _managers:
        return _managers[key]
    pm = pluggy.PluginManager(project_name)
    pm.add_hookspecs(hookspecs)
    pm.failed_plugins = {}
    from importlib.metadata import entry_points

    for ep in entry_points(group=entry_point_group):
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as e:  # noqa: BLE001 - a broken plugin must not break the others
            pm.failed_plugins[ep.name] = e
            continue
        pm.register(plugin, name=ep.name)
    if cached:
        _managers[key] = pm
    return pm
