"""Futures: a handle on a remote result, plus ``wait`` over many of them.

A Future is a key and the Client that tracks it.  Every live Future object holds a reference on its
key; when the last one is garbage collected the client tells the scheduler it no longer wants the
key.  Futures implement the collection protocol with an empty graph and their key, so collections
built from futures (``from_delayed``) refer to keys the client already knows.
"""

import operator
import pickle
import threading
from collections import namedtuple

from .errors import CancelledError


_NOT_HERE = object()
_callbacks_lock = threading.Lock()  # one lock for all states: registering callbacks is rare


class FutureState:
    """What the client knows about one key: pending, finished, error, lost or cancelled."""

    __slots__ = ("status", "exception", "traceback_text", "frames", "type", "workers", "callbacks", "value")

    def __init__(self):
        self.status = "pending"
        self.exception = None
        self.traceback_text = ""
        self.frames = None  # the remote traceback as (file, line, function) triples
        self.type = None
        self.workers = ()
        self.callbacks = None
        self.value = None  # pickled bytes of a small result sent along by the scheduler

    def done(self):
        return self.status != "pending"

    def finish(self, type_name=None, workers=(), value=None):
        self.status = "finished"
        self.type = type_name
        self.workers = tuple(workers)
        self.value = value
        self._set()

    def fail(self, exception, traceback_text="", frames=None):
        self.status = "error"
        self.exception = exception
        self.traceback_text = traceback_text
        self.frames = frames
        if frames and isinstance(exception, BaseException) and exception.__traceback__ is None:
            from .remote_traceback import rebuild

            try:
                exception.__traceback__ = rebuild(frames)
            except Exception:  # a frame we cannot rebuild: the traceback text is still attached
                pass
        self._set()

    def cancel(self, reason="cancelled"):
        self.status = "cancelled"
        self.exception = CancelledError(reason)
        self._set()

    def lose(self):
        self.status = "pending"
        self.workers = ()
        self.value = None

    def _set(self):
        with _callbacks_lock:
            callbacks, self.callbacks = self.callbacks, None
        for callback in callbacks or ():
            callback()

    def on_done(self, callback):
        """Call ``callback()`` once done (at once if already done)."""
        with _callbacks_lock:
            if not self.done():
                if self.callbacks is None:
                    self.callbacks = []
                self.callbacks.append(callback)
                return
        callback()


class Future:
    """A remote result.  ``future.result()`` blocks (or is awaitable with an asynchronous client)."""

    def __init__(self, key, client=None, state=None):
        if client is None:
            from .client import default_client

            client = default_client()
        self.key = key
        self.client = client
        self._state = state if state is not None else client._future_state(key)
        client._incref(key)
        self._released = False

    # ---- status -------------------------------------------------------------------------------

    @property
    def status(self):
        return self._state.status

    def done(self):
        return self._state.done()

    def cancelled(self):
        return self._state.status == "cancelled"

    def result(self, timeout=None):
        """The value (raises the task's exception); TimeoutError after ``timeout`` (seconds or ``'2s'``)."""
        from .config import parse_timedelta

        timeout = parse_timedelta(timeout)
        if not self.client.asynchronous and not self.client._in_loop_thread():
            value = self._wait_here(timeout)
            if value is not _NOT_HERE:
                return value
        return self.client.sync(self.client._gather_one, self, timeout=timeout)

    def _wait_here(self, timeout):
        """Wait in the calling thread; a small result that came with the report needs no loop round trip."""
        state = self._state
        if not state.done():
            event = threading.Event()
            state.on_done(event.set)
            if not event.wait(timeout):
                from .errors import TimeoutError

                raise TimeoutError(f"Future {self.key!r} not done after {timeout} s")
        value = state.value
        if state.status == "finished" and value is not None:
            return adopt_actor(pickle.loads(value), self)
        return _NOT_HERE  # an error, or data to fetch from a worker: the client's loop does it

    def exception(self, timeout=None):
        """The exception the task raised, or None."""
        return self.client.sync(self.client._exception_of, self, timeout=timeout)

    def traceback(self, timeout=None):
        """The task's traceback (a traceback object, for ``traceback.print_tb``), or None."""
        def remote_tb():
            from .remote_traceback import rebuild

            return rebuild(self._state.frames) if self._state.status == "error" else None

        from .config import parse_timedelta

        timeout = parse_timedelta(timeout)
        if self.client.asynchronous:
            async def get():
                await self.client._wait_done(self, timeout)
                return remote_tb()
            return get()
        self.client.sync(self.client._wait_done, self, timeout)
        return remote_tb()

    def cancel(self, **kwargs):
        return self.client.cancel([self], **kwargs)

    def retry(self):
        return self.client.retry([self])

    def add_done_callback(self, fn):
        """Call ``fn(future)`` once the future is done (in a client thread, not the caller's)."""
        self._state.on_done(lambda: self.client._run_callback(fn, self))

    def release(self):
        if not self._released:
            self._released = True
            self.client._decref(self.key)

    def __del__(self):
        try:
            self.release()
        except Exception:
            pass

    def __await__(self):
        return self.client._gather_one(self).__await__()

    # ---- collection protocol ------------------------------------------------------------------

    def __shoal_graph__(self):
        # collections built on a future carry it in their graph, which keeps its result alive
        return {self.key: self}

    def __shoal_keys__(self):
        return [self.key]

    def __shoal_postcompute__(self):
        return operator.itemgetter(0), ()

    def __shoal_postpersist__(self):
        return _rebuild_future, (self.key, self)

    def __shoal_tokenize__(self):
        return ("Future", self.key)

    def __reduce__(self):
        # inside tasks a future is rebuilt against the worker's client
        return _future_in_task, (self.key,)

    # ---- display ------------------------------------------------------------------------------

    def __repr__(self):
        extra = f", type: {self._state.type}" if self._state.type else ""
        if self.status == "error":
            extra = f", error: {type(self._state.exception).__name__}"
        return f"<Future: {self.status}{extra}, key: {self.key}>"

    def _repr_html_(self):
        from .reprs import future_html

        return future_html(self)

    def __hash__(self):
        return hash(("Future", self.key, id(self.client)))

    def __eq__(self, other):
        return isinstance(other, Future) and other.key == self.key and other.client is self.client


def _rebuild_future(dsk, key, future):
    value = dsk.get(key, future) if hasattr(dsk, "get") else future
    return value if isinstance(value, Future) else future


def _future_in_task(key):
    """Unpickling a Future: attach it to the client loading a dataset, else to this process's client."""
    from .client import _current_loader, get_client

    return Future(key, _current_loader[-1] if _current_loader else get_client())


DoneAndNotDoneFutures = namedtuple("DoneAndNotDoneFutures", ["done", "not_done"])


def futures_of(obj):
    """The futures in ``obj``, each once, in order: a Future, any list/tuple/set/dict nesting of
    futures, or collections (a persisted array, dataframe, bag or delayed holds futures in its graph)."""
    found = {}
    _collect_futures(obj, found)
    return list(found)


def _collect_futures(x, found):
    if isinstance(x, Future):
        found[x] = None
    elif type(x) in (list, tuple, set, frozenset):
        for item in x:
            _collect_futures(item, found)
    elif type(x) is dict:
        for item in x.values():
            _collect_futures(item, found)
    elif not isinstance(x, type) and callable(getattr(x, "__shoal_graph__", None)):
        for value in x.__shoal_graph__().values():
            if isinstance(value, Future):
                found[value] = None


def wait(fs, timeout=None, return_when="ALL_COMPLETED"):
    """Block until the futures in ``fs`` are done (``return_when='FIRST_COMPLETED'`` for the first).

    ``fs``: futures, containers of them or persisted collections; ``timeout``: seconds or ``'2s'``.
    """
    from .config import parse_timedelta

    fs = futures_of(fs)
    timeout = parse_timedelta(timeout)
    if not fs:
        return _answer(_default_client_or_none(), DoneAndNotDoneFutures(set(), set()))
    client = fs[0].client
    if client.asynchronous:
        return client._wait(fs, timeout, return_when)
    return client.sync(client._wait, fs, timeout, return_when)


def _default_client_or_none():
    from .client import default_client

    try:
        return default_client()
    except ValueError:
        return None


def _answer(client, value):
    """``value``, or an awaitable of it for an asynchronous client (its caller awaits the answer)."""
    if client is None or not client.asynchronous:
        return value
    import asyncio

    done = asyncio.get_running_loop().create_future()
    done.set_result(value)
    return done


def adopt_actor(value, future):
    """An Actor proxy fetched through ``future`` calls through its client and keeps it alive."""
    from .actor import Actor

    if isinstance(value, Actor):
        value._client, value._future = future.client, future
    return value
