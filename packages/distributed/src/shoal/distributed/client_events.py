"""Client methods for what happened on the cluster: task stream, worker logs, events and topics.

Mixed into ``Client``.  Forwarded task output arrives as ``print``/``warn`` events, which every
client subscribes to and writes to its own stdout/stderr (or raises as warnings).
"""

import builtins
import sys
import time
import warnings


class EventsMixin:
    def _init_events(self):
        self._topic_handlers = {}

    def _subscribe_output(self):
        self.subscribe_topic("print", _show_print)
        self.subscribe_topic("warn", _show_warning)

    def _handle_event(self, msg):
        handler = self._topic_handlers.get(msg.get("topic"))
        if handler is not None:
            try:
                handler((msg.get("time"), msg.get("msg")))
            except Exception:
                import logging

                logging.getLogger("shoal.distributed.client").exception(
                    "Handler of topic %r raised", msg.get("topic"))

    # ---- events ---------------------------------------------------------------------------------

    def log_event(self, topic, msg):
        """Record ``msg`` (any picklable object) under ``topic`` (a str or a list of str) on the scheduler."""
        from .protocol import Serialize

        for t in [topic] if isinstance(topic, str) else list(topic):
            self._send({"op": "log-event", "topic": t, "msg": Serialize(msg)})
        return self._answer(None)  # sent already; an asynchronous caller may await it as in Dask

    def get_events(self, topic=None):
        """``[(time, msg)]`` logged under ``topic``, or ``{topic: [(time, msg)]}`` for every topic."""
        return self.sync(self._get_events, topic)

    async def _get_events(self, topic):
        events = await self._rpc_scheduler("get_events", topic=topic)
        if topic is not None:
            return [tuple(e) for e in events]
        return {t: [tuple(e) for e in es] for t, es in events.items()}

    def subscribe_topic(self, topic, handler):
        """Call ``handler((time, msg))`` on this client's event loop for every new event of ``topic``."""
        self._topic_handlers[topic] = handler
        self._send({"op": "subscribe-topic", "topic": topic})

    def unsubscribe_topic(self, topic):
        self._topic_handlers.pop(topic, None)
        self._send({"op": "unsubscribe-topic", "topic": topic})

    # ---- logs and the task stream ---------------------------------------------------------------

    def get_worker_logs(self, n=None, workers=None):
        """``{worker address: [(level, message)]}``: the last ``n`` log records of each worker."""
        return self.sync(self._get_worker_logs, n, workers)

    async def _get_worker_logs(self, n, workers):
        logs = await self._rpc_scheduler("get_worker_logs", n=n, workers=workers)
        return {w: [tuple(r) for r in records] for w, records in logs.items()}

    def get_task_stream(self, start=None, stop=None, count=None, plot=False, filename="task-stream.html"):
        """Records of the tasks run: ``[{'key', 'worker', 'thread', 'status', 'start', 'stop',
        'startstops': [{'action', 'start', 'stop'}], 'nbytes', 'type'}]``.

        ``start``/``stop`` are epoch seconds or durations ago (``'10s'``); ``count`` keeps the last
        ones.  ``plot=True`` also returns a Bokeh figure (``plot='save'`` writes it to ``filename``).
        For a block of code use ``with get_task_stream() as ts: ...; ts.data``.
        """
        return self.sync(self._get_task_stream, start, stop, count, plot, filename)

    async def _get_task_stream(self, start=None, stop=None, count=None, plot=False, filename="task-stream.html"):
        records = await self._rpc_scheduler("get_task_stream", start=start, stop=stop, count=count)
        records = [_plain_record(r) for r in records]
        if not plot:
            return records
        from .dashboard.task_stream_plot import save_figure, task_stream_figure

        figure = task_stream_figure(records)
        if plot == "save":
            save_figure(figure, filename, title="shoal task stream")
        return records, figure


def _plain_record(record):
    record = dict(record)
    record["startstops"] = [dict(s) for s in record["startstops"]]
    return record


def _show_print(event):
    _time, msg = event
    stream = sys.stderr if msg.get("file") == "stderr" else sys.stdout
    stream.write(msg.get("text", ""))
    stream.flush()


def _show_warning(event):
    _time, msg = event
    category = getattr(builtins, msg.get("category", ""), None)
    if not (isinstance(category, type) and issubclass(category, Warning)):
        category = UserWarning
    warnings.warn(f"{msg.get('message')} (from task {msg.get('key')} on {msg.get('worker')})", category,
                  stacklevel=2)


class get_task_stream:
    """``with get_task_stream() as ts: ...``; then ``ts.data`` holds the records of the tasks that
    ran inside the block (``plot=True`` also makes ``ts.figure``)."""

    def __init__(self, client=None, plot=False, filename="task-stream.html"):
        self.client = client
        self.plot = plot
        self.filename = filename
        self.data = []
        self.figure = None

    def __enter__(self):
        from .client import default_client

        self.client = self.client or default_client()
        self.start = time.time()
        return self

    def __exit__(self, *exc):
        self._keep(self.client.get_task_stream(start=self.start, stop=time.time() + 1, plot=self.plot,
                                               filename=self.filename))

    async def __aenter__(self):
        return self.__enter__()

    async def __aexit__(self, *exc):
        self._keep(await self.client.get_task_stream(start=self.start, stop=time.time() + 1, plot=self.plot,
                                                     filename=self.filename))

    def _keep(self, result):
        if self.plot:
            self.data[:], self.figure = result
        else:
            self.data[:] = result
