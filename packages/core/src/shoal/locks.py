"""``SerializableLock``: a lock that survives pickling, for writes shared by many tasks.

Tasks that write to one file (``store``, ``to_hdf``) share a lock; when their graph is pickled (the
processes scheduler, a cluster), a plain ``threading.Lock`` cannot travel.  This lock pickles as its
token, and every copy with the same token in one process is the same underlying lock.
"""

from __future__ import annotations

import threading
import uuid
import weakref


class SerializableLock:
    _locks: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

    def __init__(self, token: str | None = None):
        self.token = token or uuid.uuid4().hex
        lock = self._locks.get(self.token)
        if lock is None:
            lock = threading.Lock()
            self._locks[self.token] = lock
        self.lock = lock  # held here: the registry only keeps it while some copy is alive

    def acquire(self, *args, **kwargs) -> bool:
        return self.lock.acquire(*args, **kwargs)

    def release(self) -> None:
        self.lock.release()

    def locked(self) -> bool:
        return self.lock.locked()

    def __enter__(self):
        self.lock.__enter__()
        return self

    def __exit__(self, *exc):
        self.lock.__exit__(*exc)

    def __getstate__(self):
        return self.token

    def __setstate__(self, token):
        self.__init__(token)

    def __repr__(self) -> str:
        return f"<SerializableLock: {self.token}>"
