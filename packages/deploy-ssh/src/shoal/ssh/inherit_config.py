"""This process's shoal settings, as ``SHOAL_*`` environment variables for the remote processes.

A user who sets ``shoal.config.set({...})`` (or a YAML file, or ``SHOAL_*`` variables) before creating
the cluster expects the scheduler and workers to follow it, as a LocalCluster's would.  Only settings
that differ from the packages' defaults travel, so each remote machine keeps its own defaults otherwise.
"""

import ast

import shoal.config


def changed_settings():
    """``{"SHOAL_A__B_C": repr(value)}`` for every setting that differs from the defaults."""
    defaults = shoal.config.merge(*shoal.config.defaults)
    return {_variable(path): repr(value) for path, value in _leaves(shoal.config.config)
            if _lookup(defaults, path) != value and _travels(value)}


def env_prefix():
    """``["env", "SHOAL_...=...", ...]`` to put before a remote command (empty when nothing changed)."""
    variables = changed_settings()
    return ["env", *(f"{k}={v}" for k, v in sorted(variables.items()))] if variables else []


def _leaves(tree, path=()):
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*path, key))
        else:
            yield (*path, key), value


def _travels(value):
    """Whether the remote side reads ``repr(value)`` back as ``value`` (plain literals do; objects do not)."""
    try:
        return ast.literal_eval(repr(value)) == value
    except (SyntaxError, ValueError):
        return False


_MISSING = object()


def _lookup(tree, path):
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return _MISSING
        tree = tree[key]
    return tree


def _variable(path):
    return "SHOAL_" + "__".join(str(key).upper().replace("-", "_") for key in path)
