"""``Pub``/``Sub``: publish messages to every subscriber of a name, across clients and tasks.

``Pub('results').put(x)`` in one task or client; ``Sub('results').get(timeout=5)`` anywhere else
receives ``x``.  Messages travel through the scheduler as opaque payloads (it never unpickles
them) and are not kept: a subscriber receives what is published after it subscribed.
"""

import queue
import weakref

from .errors import TimeoutError


def _client(client):
    if client is not None:
        return client
    from .client import get_client

    return get_client()


def _topic(name):
    return f"pubsub-{name}"


class Pub:
    def __init__(self, name, client=None):
        self.name = name
        self.client = _client(client)

    def put(self, msg):
        """Send ``msg`` (any picklable object) to every current subscriber of this name."""
        from .protocol import Serialize

        self.client._send({"op": "log-event", "topic": _topic(self.name), "msg": Serialize(msg), "keep": False})

    def __repr__(self):
        return f"<Pub: {self.name}>"


_subscribers = weakref.WeakKeyDictionary()  # client -> {name: WeakSet of Sub}


class Sub:
    def __init__(self, name, client=None):
        self.name = name
        self.client = _client(client)
        self.buffer = queue.Queue()
        by_name = _subscribers.setdefault(self.client, {})
        if name not in by_name:  # one subscription per client and name, fanned out here
            by_name[name] = weakref.WeakSet()
            self.client.subscribe_topic(_topic(name), lambda event, subs=by_name[name]: _deliver(subs, event))
        by_name[name].add(self)

    def get(self, timeout=None):
        """The next message; ``TimeoutError`` if none arrives within ``timeout`` seconds.  It blocks the
        calling thread: with an asynchronous client, call it through ``run_in_executor``."""
        from .config import parse_timedelta

        timeout = parse_timedelta(timeout)
        try:
            return self.buffer.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"No message on {self.name!r} within {timeout} s") from None

    def __iter__(self):
        return self

    def __next__(self):
        return self.get()

    def __repr__(self):
        return f"<Sub: {self.name}>"


def _deliver(subs, event):
    _time, msg = event
    for sub in list(subs):
        sub.buffer.put(msg)
