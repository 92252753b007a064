"""Task output reaches the clients: ``print`` inside a task shows on the client's stdout.

In a worker's own process (started by a nanny or ``shoal-worker --no-nanny``) ``sys.stdout`` and
``sys.stderr`` are replaced by a router: text written by a thread that is running a task is sent,
line by line, as a ``"print"`` event to the clients (which write it to their own stdout/stderr);
everything else goes to the process's terminal as before.  In-process workers share the client's
stdout already, so nothing is rerouted there.  ``shoal.distributed.print`` / ``warn`` forward
explicitly, from anywhere inside a task.
"""

import builtins
import contextlib
import io
import sys
import threading
import warnings as _warnings

from . import config

_local = threading.local()
_installed = False


class _Router:
    """Stands in for ``sys.stdout``/``sys.stderr``: task threads' text goes to their sink."""

    def __init__(self, stream, name):
        self._stream = stream
        self._name = name

    def write(self, text):
        sink = getattr(_local, "sink", None)
        if sink is None:
            return self._stream.write(text)
        sink.write(self._name, text)
        return len(text)

    def flush(self):
        sink = getattr(_local, "sink", None)
        if sink is not None:
            sink.flush()
        self._stream.flush()

    def __getattr__(self, name):  # fileno, encoding, isatty, buffer ... of the real stream
        return getattr(self._stream, name)


class _TaskSink:
    """Collects one task's output and sends every complete line as a ``print`` event."""

    def __init__(self, worker, key):
        self.worker = worker
        self.key = key
        self.pending = {"stdout": "", "stderr": ""}

    def write(self, name, text):
        buffered = self.pending[name] + text
        head, newline, tail = buffered.rpartition("\n")
        self.pending[name] = tail
        if newline:
            self.send(name, head + newline)

    def flush(self):
        for name, text in self.pending.items():
            if text:
                self.pending[name] = ""
                self.send(name, text)

    def send(self, name, text):
        self.worker.log_event("print", {"text": text, "file": name, "worker": self.worker.address,
                                        "key": str(self.key)})


def install_output_router():
    """In a worker's own process: route task threads' stdout/stderr to the clients."""
    global _installed
    if _installed or not config.get("distributed.worker.forward-output", True) or sys.stdout is None:
        return
    sys.stdout = _Router(sys.stdout, "stdout")
    sys.stderr = _Router(sys.stderr, "stderr")
    _installed = True


@contextlib.contextmanager
def forward_output(worker, key):
    """Around a task run in a pool thread: its output goes to the clients (if the router is on)."""
    if not _installed:
        yield
        return
    sink = _TaskSink(worker, key)
    _local.sink = sink
    try:
        yield
    finally:
        _local.sink = None
        sink.flush()


def _current_task():
    from .worker import _thread_state

    return getattr(_thread_state, "worker", None), getattr(_thread_state, "key", None)


def print(*args, sep=" ", end="\n", file=None, flush=False):
    """``print`` that also shows on the clients' stdout when called inside a task on a worker."""
    if getattr(_local, "sink", None) is not None:  # already routed to the clients
        return builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
    builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
    worker, key = _current_task()
    if worker is not None:
        text = io.StringIO()
        builtins.print(*args, sep=sep, end=end, file=text)
        name = "stderr" if file is sys.stderr else "stdout"
        worker.log_event("print", {"text": text.getvalue(), "file": name, "worker": worker.address,
                                   "key": str(key)})
    return None


def warn(message, category=UserWarning, stacklevel=1):
    """``warnings.warn`` that is also raised as a warning on the clients when called inside a task."""
    _warnings.warn(message, category, stacklevel=stacklevel + 1)
    worker, key = _current_task()
    if worker is not None:
        worker.log_event("warn", {"message": str(message), "category": category.__name__,
                                  "worker": worker.address, "key": str(key)})
