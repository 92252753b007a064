"""Actors: a stateful object living on one worker, called through a proxy from clients and tasks.

``counter = client.submit(Counter, actor=True).result()`` creates ``Counter()`` on a worker and
returns an ``Actor`` proxy.  ``counter.increment(2)`` runs the method on that worker (one call at a
time, in the worker's actor thread) and returns an ``ActorFuture``; ``counter.n`` reads an
attribute.  The proxy pickles to (class, worker address, key), so it can be passed into tasks too.
"""

import asyncio
import concurrent.futures
import inspect


class NewActor:
    """What the creating task returns: the worker keeps ``instance`` and hands out proxies."""

    __slots__ = ("instance",)

    def __init__(self, instance):
        self.instance = instance

    def proxy(self, address, key):
        return Actor(type(self.instance), address, key)


def create_actor(cls, *args, **kwargs):
    """The task function of ``submit(cls, *args, actor=True)``."""
    return NewActor(cls(*args, **kwargs))


class Actor:
    """Proxy of an object living on the worker at ``address`` under ``key``."""

    def __init__(self, cls, address, key, client=None):
        self._cls = cls
        self._address = address
        self._key = key
        self._client = client  # the client that gathered this proxy, if any
        self._future = None  # ... and its future, which keeps the object alive on the worker

    def __reduce__(self):
        return Actor, (self._cls, self._address, self._key)

    def __repr__(self):
        return f"<Actor: {self._cls.__name__}, key={self._key}, worker={self._address}>"

    def __dir__(self):
        return sorted(set(dir(self._cls)) | set(object.__dir__(self)))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        member = getattr(self._cls, name, None)
        if callable(member):
            def call(*args, **kwargs):
                return self._request("actor_execute", function=name, args=args, kwargs=kwargs)

            call.__name__ = name
            call.__doc__ = getattr(member, "__doc__", None)
            return call
        future = self._request("actor_attribute", attribute=name)
        return future if future._awaitable_here else future.result()

    def _request(self, op, args=(), kwargs=None, **fields):
        from .protocol import Serialize

        pool, loop = _caller(self._client)
        msg = dict(fields, key=self._key, args=Serialize(tuple(args)), kwargs=Serialize(dict(kwargs or {})))
        coro = pool.rpc(self._address, op, **msg)
        if _on_loop(loop):
            return ActorFuture(asyncio.ensure_future(coro), awaitable_here=True)
        return ActorFuture(asyncio.run_coroutine_threadsafe(coro, loop))


class ActorFuture:
    """The pending result of an actor method call: ``.result(timeout)``, ``.done()``, or ``await``."""

    def __init__(self, future, awaitable_here=False):
        self._future = future
        self._awaitable_here = awaitable_here

    def result(self, timeout=None):
        from .config import parse_timedelta

        timeout = parse_timedelta(timeout)
        if self._awaitable_here:
            if not self._future.done():
                raise RuntimeError("This ActorFuture belongs to an asynchronous client: await it instead")
            return self._future.result()
        try:
            return self._future.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"Actor call did not finish within {timeout} s") from None

    def done(self):
        return self._future.done()

    def __await__(self):
        future = self._future if self._awaitable_here else asyncio.wrap_future(self._future)
        return future.__await__()

    def __repr__(self):
        return f"<ActorFuture: {'finished' if self.done() else 'pending'}>"


def _caller(client):
    """The connection pool and event loop to call actors with: the worker's inside a task, else
    the client's that gathered the proxy, else the default client's."""
    from .worker import _thread_state

    worker = getattr(_thread_state, "worker", None)
    if worker is not None:
        return worker.pool, worker.loop
    if client is None or client.status != "running":
        from .client import default_client

        client = default_client()
    return client.pool, client.loop


def _on_loop(loop):
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


async def run_actor_method(worker, msg):
    """Worker side of ``actor_execute``: call the method, in the actor thread unless it is async."""
    instance = _instance(worker, msg["key"])
    method = getattr(instance, msg["function"])
    args, kwargs = msg.get("args") or (), dict(msg.get("kwargs") or {})
    if inspect.iscoroutinefunction(method):
        return await method(*args, **kwargs)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(worker.actor_executor, _in_actor_thread, worker, method, args, kwargs)


def read_actor_attribute(worker, msg):
    return getattr(_instance(worker, msg["key"]), msg["attribute"])


def _instance(worker, key):
    try:
        return worker.actors[key]
    except KeyError:
        raise ValueError(f"Worker {worker.address} holds no actor {key!r} (it was released, or lives "
                         "on another worker)") from None


def _in_actor_thread(worker, method, args, kwargs):
    from .worker import _thread_state

    _thread_state.worker = worker  # get_worker() works inside actor methods
    return method(*args, **kwargs)
