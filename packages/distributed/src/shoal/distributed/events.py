"""Named event topics on the scheduler: ``Client.log_event`` / ``get_events`` / ``subscribe_topic``.

Workers and clients log events under a topic; the scheduler keeps the last ones per topic and passes
each to the clients subscribed to it.  Event payloads stay opaque here (the scheduler never unpickles
them).  Forwarded task prints (topic ``print``) and ``Pub``/``Sub`` messages travel this way.
"""

import time
from collections import defaultdict, deque


class Events:
    def __init__(self, maxlen=10_000):
        self.maxlen = maxlen
        self.topics = defaultdict(lambda: deque(maxlen=self.maxlen))
        self.subscribers = defaultdict(set)  # topic -> client ids

    def log(self, topic, msg, keep=True):
        """Record ``msg`` under ``topic``; returns ``{client: [event message]}`` for the subscribers."""
        when = time.time()
        if keep:
            self.topics[topic].append((when, msg))
        event = {"op": "event", "topic": topic, "time": when, "msg": msg}
        return {client: [event] for client in self.subscribers.get(topic, ())}

    def subscribe(self, client, topic):
        self.subscribers[topic].add(client)

    def unsubscribe(self, client, topic):
        self.subscribers[topic].discard(client)
        if not self.subscribers[topic]:
            del self.subscribers[topic]

    def remove_client(self, client):
        for topic in list(self.subscribers):
            self.unsubscribe(client, topic)

    def get(self, topic=None):
        """Events of ``topic`` as ``[(time, msg)]``, or of every topic as ``{topic: [(time, msg)]}``."""
        if topic is None:
            return {t: list(events) for t, events in self.topics.items()}
        return list(self.topics.get(topic, ()))
