"""shoal: parallel computing for the PyData stack.

This file is owned by the shoal-core distribution. Other distributions (shoal-array, shoal-dataframe,
shoal-bag, shoal-distributed, backends) install sub-packages into the same ``shoal`` namespace, so the
package path is extended over every ``shoal`` directory on ``sys.path`` (normal and editable installs).
Only the light core is imported here: NumPy, pandas and the schedulers load on first use.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
__version__ = "0.1.0"

from shoal import config  # noqa: E402
from shoal.base import (  # noqa: E402
    compute,
    is_shoal_collection,
    optimize,
    persist,
    tokenize,
    visualize,
)
from shoal.delayed import delayed  # noqa: E402  (binds the name over the submodule)
from shoal.local import get_sync as get  # noqa: E402  (the synchronous scheduler, for plain graphs)

__all__ = ["compute", "config", "delayed", "get", "is_shoal_collection", "optimize", "persist", "tokenize",
           "visualize"]
