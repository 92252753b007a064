"""shoal.distributed: a scheduler, workers, nannies and a client to run shoal graphs on a cluster.

``from shoal.distributed import Client, LocalCluster``.  Names are loaded on first use so that
importing the package stays cheap.
"""

from . import config as _config  # noqa: F401  (loads distributed.yaml defaults)

_lazy = {
    "Client": "client",
    "Future": "future",
    "wait": "future",
    "as_completed": "as_completed",
    "fire_and_forget": "client",
    "get_client": "client",
    "default_client": "client",
    "futures_of": "client",
    "progress": "progress",
    "Scheduler": "scheduler",
    "Worker": "worker",
    "Nanny": "nanny",
    "LocalCluster": "deploy.local",
    "SpecCluster": "deploy.spec",
    "Cluster": "deploy.cluster",
    "Adaptive": "deploy.adaptive",
    "KilledWorker": "errors",
    "CancelledError": "errors",
    "FutureLostError": "errors",
    "TimeoutError": "errors",
    "get_worker": "worker",
    "secede": "worker",
    "rejoin": "worker",
    "worker_client": "worker",
    "SpillBuffer": "spill",
    "Security": "security",
    "WorkerPlugin": "plugins",
    "Variable": "primitives",
    "Queue": "primitives",
    "Lock": "primitives",
    "Semaphore": "primitives",
    "Event": "primitives",
    "Actor": "actor",
    "ActorFuture": "actor",
    "Pub": "pubsub",
    "Sub": "pubsub",
    "get_task_stream": "client_events",
    "performance_report": "performance_report",
    "print": "output",
    "warn": "output",
}

__all__ = sorted(set(_lazy) - {"print", "warn"})  # never shadow the builtins on ``import *``
__version__ = "0.1.0"


def __getattr__(name):
    if name in _lazy:
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{_lazy[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
