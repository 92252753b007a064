"""Fewer full garbage collections while shoal servers run in a process.

Every task's bookkeeping (scheduler task states, worker task states, messages in flight) is made of
containers the cyclic garbage collector tracks.  Python runs a full collection, which visits every
tracked object, each time the live heap grew by a quarter after ten younger collections; a scheduler
holding 20,000 tasks spent a quarter of its time there.  While any scheduler or worker runs here,
full collections wait ``distributed.admin.gc-full-collection-interval`` younger collections instead;
the process's own setting comes back when the last one closes.  Young garbage is collected as usual.
"""

import gc
import threading

from . import config

_lock = threading.Lock()
_users = 0
_saved = None


def server_started():
    global _users, _saved
    interval = config.get("distributed.admin.gc-full-collection-interval")
    with _lock:
        _users += 1
        if _users == 1 and interval is not None:
            _saved = gc.get_threshold()
            gen0, gen1, gen2 = _saved
            gc.set_threshold(gen0, gen1, max(gen2, int(interval)))


def server_closed():
    global _users, _saved
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None
