"""shoal: parallel computing for the PyData stack.

This file is owned by the shoal-core distribution. Other distributions (shoal-array, shoal-dataframe,
shoal-bag, shoal-distributed, backends) install sub-packages into the same ``shoal`` namespace, so the
package path is extended over every ``shoal`` directory on ``sys.path`` (normal and editable installs).
Public names are loaded on first use to keep ``import shoal`` fast.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
__version__ = "0.1.0"

_lazy = {
    "compute": "shoal.base",
    "persist": "shoal.base",
    "optimize": "shoal.base",
    "visualize": "shoal.base",
    "tokenize": "shoal.base",
    "is_shoal_collection": "shoal.base",
    "delayed": "shoal.delayed",
}


def __getattr__(name):
    if name in _lazy:
        import importlib

        value = getattr(importlib.import_module(_lazy[name]), name)
        globals()[name] = value
        return value
    if name == "config":
        # the submodule shadows nothing: importing it binds shoal.config
        import importlib

        return importlib.import_module("shoal.config")
    raise AttributeError(f"module 'shoal' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_lazy) + ["config"])
