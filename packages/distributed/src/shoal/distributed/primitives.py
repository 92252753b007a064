"""Variable, Queue, Lock, Semaphore and Event: coordination between clients and tasks, kept by the scheduler.

Usable from the client and from inside tasks (they find the worker's client with ``get_client``)::

    stop = Variable("stop"); stop.set(False)        # tasks poll stop.get()
    q = Queue("work"); q.put(1); q.get(timeout=1)
    with Lock("db"): ...                              # one holder at a time across the cluster
    with Semaphore(max_leases=2, name="api"): ...
    ev = Event("ready"); ev.wait(timeout=5); ev.set()

A value may be anything picklable; a Future is passed by key, so the receiver gets a Future of its
own and the result stays computed while the variable or queue holds it.  Blocking calls with a
``timeout`` raise ``TimeoutError`` naming the object (``Lock.acquire`` returns False instead).
"""

import uuid

from .config import parse_timedelta
from .errors import TimeoutError
from .future import Future
from .protocol import Serialize


def _client(client):
    from .client import get_client

    return client if client is not None else get_client()


class _Named:
    kind = "object"

    def __init__(self, name=None, client=None):
        self.client = _client(client)
        self.name = name or f"{self.kind}-{uuid.uuid4().hex}"

    def _call(self, coro_fn, *args, **kwargs):
        # the blocking Client runs coroutines on its loop; an asynchronous one returns them to await
        if kwargs.get("timeout") is not None:
            kwargs["timeout"] = parse_timedelta(kwargs["timeout"])  # '500ms' or seconds
        if self.client.asynchronous:
            return coro_fn(*args, **kwargs)
        return self.client.sync(coro_fn, *args, **kwargs)

    async def _rpc(self, op, _deserialize=None, **kwargs):
        return await self.client._rpc_scheduler(op, name=self.name, _deserialize=_deserialize, **kwargs)

    def _timed_out(self, what, timeout):
        return TimeoutError(f"{type(self).__name__} {self.name!r}: {what} not done within {timeout} s")

    def __repr__(self):
        return f"<{type(self).__name__}: {self.name}>"

    def __reduce__(self):  # inside a task the object reconnects through the worker's client
        return type(self), (self.name,)


def _pack(value):
    if isinstance(value, Future):
        return {"key": value.key}
    return {"data": Serialize(value)}


def _unpack(record, client):
    """A record from the scheduler (not yet unpickled) -> the value, futures bound to ``client``."""
    from .client import _current_loader
    from .protocol import deserialize

    if record.get("key") is not None:
        state = client.futures.get(record["key"])
        if state is None or state.status == "cancelled":
            from .future import FutureState

            client.futures[record["key"]] = FutureState()
        return Future(record["key"], client)
    _current_loader.append(client)
    try:
        return deserialize(record["data"])
    finally:
        _current_loader.pop()


class Variable(_Named):
    """A named value any client or task can set and read (``get`` waits until it is set)."""

    kind = "variable"

    def set(self, value, timeout=None):
        return self._call(self._set, value)

    async def _set(self, value):
        await self._rpc("variable_set", **_pack(value))

    def get(self, timeout=None):
        return self._call(self._get, timeout=timeout)

    async def _get(self, timeout=None):
        record = await self._rpc("variable_get", timeout=timeout, client=self.client.id, _deserialize=False)
        if record.get("timed-out"):
            raise self._timed_out("get (the variable was never set)", timeout)
        return _unpack(record, self.client)

    def delete(self):
        return self._call(self._rpc, "variable_delete")


class Queue(_Named):
    """A named first-in first-out queue shared by clients and tasks (``maxsize=0``: unbounded)."""

    kind = "queue"

    def __init__(self, name=None, client=None, maxsize=0):
        super().__init__(name, client)
        self.maxsize = maxsize
        self._created = False
        if not self.client.asynchronous:
            self.client.sync(self._ensure)

    async def _ensure(self):
        if not self._created:
            await self._rpc("queue_create", maxsize=self.maxsize)
            self._created = True

    def put(self, value, timeout=None):
        return self._call(self._put, value, timeout=timeout)

    async def _put(self, value, timeout=None):
        await self._ensure()
        reply = await self._rpc("queue_put", timeout=timeout, **_pack(value))
        if reply.get("timed-out"):
            raise self._timed_out(f"put (the queue stayed full at {self.maxsize} items)", timeout)

    def get(self, timeout=None, batch=False):
        """One item; ``batch=True`` every item now queued (maybe none); ``batch=n`` exactly n items."""
        return self._call(self._get, batch, timeout=timeout)

    async def _get(self, batch=False, timeout=None):
        await self._ensure()
        reply = await self._rpc("queue_get", timeout=timeout, batch=batch, client=self.client.id,
                                _deserialize=False)
        if reply.get("timed-out"):
            raise self._timed_out("get (the queue stayed empty)", timeout)
        values = [_unpack(r, self.client) for r in reply["records"]]
        return values if batch is not False else values[0]

    def qsize(self):
        return self._call(self._rpc, "queue_qsize")

    def __reduce__(self):
        return Queue, (self.name, None, self.maxsize)


class Semaphore(_Named):
    """At most ``max_leases`` holders at once across the cluster."""

    kind = "semaphore"

    def __init__(self, max_leases=1, name=None, client=None):
        super().__init__(name, client)
        self.max_leases = max_leases
        self._held = []  # lease ids this object acquired, most recent last

    def acquire(self, timeout=None, blocking=True):
        """True once acquired; False if ``timeout`` passed first (or at once with ``blocking=False``)."""
        return self._call(self._acquire, timeout=0 if not blocking else timeout)

    async def _acquire(self, timeout=None):
        lease = uuid.uuid4().hex
        ok = await self._rpc("semaphore_acquire", lease=lease, timeout=timeout, client=self.client.id,
                             max_leases=self.max_leases)
        if ok:
            self._held.append(lease)
        return ok

    def release(self):
        if not self._held:
            raise RuntimeError(f"{type(self).__name__} {self.name!r} released but not acquired here")
        return self._call(self._rpc, "semaphore_release", lease=self._held.pop())

    def get_value(self):
        """How many leases are held now."""
        return self._call(self._rpc, "semaphore_count")

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    async def __aenter__(self):
        await self._acquire()
        return self

    async def __aexit__(self, *exc):
        await self._rpc("semaphore_release", lease=self._held.pop())

    def __reduce__(self):
        return type(self), (self.max_leases, self.name)


class Lock(Semaphore):
    """One holder at a time: ``with Lock('name'): ...``."""

    kind = "lock"

    def __init__(self, name=None, client=None):
        super().__init__(1, name, client)

    def acquire(self, blocking=True, timeout=None):
        return super().acquire(timeout=timeout, blocking=blocking)

    def locked(self):
        return bool(self.get_value())

    def __reduce__(self):
        return Lock, (self.name,)


class Event(_Named):
    """A flag tasks and clients can wait on: ``set``, ``clear``, ``is_set``, ``wait(timeout)``."""

    kind = "event"

    def set(self):
        return self._call(self._rpc, "event_set")

    def clear(self):
        return self._call(self._rpc, "event_clear")

    def is_set(self):
        return self._call(self._rpc, "event_is_set")

    def wait(self, timeout=None):
        """True once set; False if ``timeout`` passed first."""
        return self._call(self._rpc, "event_wait", timeout=timeout)
