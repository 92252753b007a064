"""Every public Client/Future method that talks to the cluster: awaitable with ``asynchronous=True``,
a plain value with a blocking client."""

import asyncio
import inspect

import pytest

from shoal.distributed import Client, Future, LocalCluster, WorkerPlugin
from shoal.distributed.testing import inproc_cluster

pytestmark = pytest.mark.timeout(90)


def inc(x):
    return x + 1


def fail(x):
    raise ValueError(x)


def where_am_i(dask_scheduler=None, dask_worker=None):
    return "here"


class Plugin(WorkerPlugin):
    name = "audit"


# Methods that answer at once in both modes, as in Dask (they return futures, collections, executors)
NOT_TALKING = {"submit", "map", "persist", "get_executor", "sync", "subscribe_topic", "unsubscribe_topic"}
NOT_TALKING_FUTURE = {"add_done_callback", "cancelled", "done", "release"}


def client_calls(c, tmp_path):
    """``(name, thunk)`` in an order that leaves every call something to act on; closing calls last."""
    module = tmp_path / "audit_module.py"
    module.write_text("VALUE = 1\n")
    x = c.submit(inc, 1)
    bad = c.submit(fail, 1)
    return [
        ("gather", lambda: c.gather([x])),
        ("scatter", lambda: c.scatter([1, 2])),
        ("compute", lambda: c.compute(x, sync=True)),
        ("get", lambda: c.get({"y": (inc, 1)}, "y")),
        ("who_has", lambda: c.who_has([x])),
        ("has_what", lambda: c.has_what()),
        ("ncores", lambda: c.ncores()),
        ("nthreads", lambda: c.nthreads()),
        ("processing", lambda: c.processing()),
        ("scheduler_info", lambda: c.scheduler_info()),
        ("story", lambda: c.story(x)),
        ("get_versions", lambda: c.get_versions()),
        ("run", lambda: c.run(where_am_i)),
        ("run_on_scheduler", lambda: c.run_on_scheduler(where_am_i)),
        ("wait_for_workers", lambda: c.wait_for_workers(1, timeout="5s")),
        ("publish_dataset", lambda: c.publish_dataset(audit=[x])),
        ("list_datasets", lambda: c.list_datasets()),
        ("get_dataset", lambda: c.get_dataset("audit")),
        ("unpublish_dataset", lambda: c.unpublish_dataset("audit")),
        ("upload_file", lambda: c.upload_file(str(module))),
        ("register_plugin", lambda: c.register_plugin(Plugin())),
        ("register_worker_plugin", lambda: c.register_worker_plugin(Plugin(), name="audit2")),
        ("unregister_worker_plugin", lambda: c.unregister_worker_plugin("audit")),
        ("replicate", lambda: c.replicate([x])),
        ("rebalance", lambda: c.rebalance([x])),
        ("log_event", lambda: c.log_event("audit", {"n": 1})),
        ("get_events", lambda: c.get_events("audit")),
        ("get_worker_logs", lambda: c.get_worker_logs()),
        ("get_task_stream", lambda: c.get_task_stream()),
        ("retry", lambda: c.retry([bad])),
        ("cancel", lambda: c.cancel([bad])),
        ("retire_workers", lambda: c.retire_workers([])),
        ("restart", lambda: c.restart()),
        ("close", lambda: c.close()),
        ("shutdown", lambda: c.shutdown()),
    ]


def future_calls(c):
    x = c.submit(inc, 10)
    bad = c.submit(fail, 2)
    return [
        ("result", lambda: x.result()),
        ("exception", lambda: bad.exception()),
        ("traceback", lambda: bad.traceback()),
        ("retry", lambda: bad.retry()),
        ("cancel", lambda: x.cancel()),
    ]


def test_every_method_is_covered():
    public = {n for n, v in vars(Client).items() if not n.startswith("_") and callable(v)}
    public |= {n for base in Client.__mro__[1:-1] for n, v in vars(base).items()
               if not n.startswith("_") and callable(v)}
    covered = {name for name, _ in client_calls(_Recorder(), _TmpPath())}
    assert public - NOT_TALKING == covered
    future_public = {n for n, v in vars(Future).items() if not n.startswith("_") and callable(v)}
    assert future_public - NOT_TALKING_FUTURE == {name for name, _ in future_calls(_Recorder())}


@pytest.mark.parametrize("asynchronous", [True, False], ids=["async", "blocking"])
def test_methods_return_awaitables_exactly_when_asynchronous(asynchronous, tmp_path):
    wrong = []

    def check(name, result):
        if inspect.isawaitable(result) != asynchronous:
            wrong.append(f"{name} -> {type(result).__name__}")
        return result

    if asynchronous:
        async def main():
            async with inproc_cluster((1, 1)) as (s, _):
                async with Client(s.address, asynchronous=True, set_as_default=False) as c:
                    for name, call in future_calls(c) + client_calls(c, tmp_path):
                        result = check(name, call())
                        if inspect.isawaitable(result):
                            await result

        asyncio.run(main())
    else:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
            with Client(cluster, set_as_default=False) as c:
                for name, call in future_calls(c) + client_calls(c, tmp_path):
                    check(name, call())
    assert not wrong, f"with asynchronous={asynchronous}: {wrong}"


class _Recorder:
    """Stands in for a client or future when only the names of the calls are wanted."""

    def submit(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return lambda *a, **k: None


class _TmpPath:
    def __truediv__(self, name):
        return self

    def write_text(self, text):
        pass
