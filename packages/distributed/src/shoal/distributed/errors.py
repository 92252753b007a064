"""Exceptions users see from the distributed scheduler."""


class KilledWorker(Exception):
    """A task was running on workers that died too many times; it is considered the cause."""

    def __init__(self, key, last_worker, allowed_failures):
        self.key = key
        self.last_worker = last_worker
        self.allowed_failures = allowed_failures
        super().__init__(
            f"Attempted to run task {key!r} on {allowed_failures + 1} different workers, but all those "
            f"workers died while running it. The last worker was {last_worker}. This can happen when the "
            "task crashes the process (segfault, out of memory): raise "
            "distributed.scheduler.allowed-failures or lower the task's memory use."
        )

    def __reduce__(self):
        return type(self), (self.key, self.last_worker, self.allowed_failures)


class CancelledError(Exception):
    """The future's key was cancelled or released before it finished."""


class FutureLostError(Exception):
    """The data of a finished future is gone and can not be recomputed."""


class RemoteError(Exception):
    """An error raised on another process that could not be shipped as itself."""


class TimeoutError(TimeoutError):  # noqa: A001 - also catchable as the builtin
    """An operation did not finish in the given time."""


class InternalError(RuntimeError):
    """shoal's own bookkeeping failed while handling a task (a bug in shoal, not in the task).

    The task is failed with this error instead of being lost, so the caller gets an error, not a hang."""
