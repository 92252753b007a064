"""The default scheduler of bags: local processes, because bag code is pure Python holding the GIL.

``shoal.config.set({'bag.scheduler': 'threads'})`` (or ``'sync'``) changes the default for bags only;
``compute(scheduler=...)`` and a global ``shoal.config.set(scheduler=...)`` take precedence as usual.
"""

from __future__ import annotations

import shoal.config


def get(dsk, keys, **kwargs):
    """Run ``dsk`` for ``keys`` on the scheduler named by the ``bag.scheduler`` setting."""
    from shoal.base import get_scheduler

    name = shoal.config.get("bag.scheduler", "processes")
    return get_scheduler(scheduler=name)(dsk, keys, **kwargs)
