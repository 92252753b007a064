"""The processes scheduler: tasks run in a pool of worker processes (for GIL-bound Python code).

Each task travels with the values of its inputs, serialised with cloudpickle, so lambdas and closures
work. The calling thread keeps the bookkeeping (:class:`shoal.local.Run`) and keeps up to two tasks per
process in flight. An exception raised in a worker comes back with its traceback text attached as the
``__cause__`` (:class:`shoal.local.RemoteTraceback`). Ctrl-C cancels what is queued and stops the pool.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

import cloudpickle

from shoal.local import RemoteTraceback, Run, execute_task, raise_task_error

_pools: dict = {}
_pools_lock = threading.Lock()


def _pool(n: int, context: str) -> ProcessPoolExecutor:
    with _pools_lock:
        pool = _pools.get((n, context))
        if pool is None or getattr(pool, "_broken", False):
            pool = _pools[(n, context)] = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(context))
        return pool


def _drop_pool(pool: ProcessPoolExecutor) -> None:
    with _pools_lock:
        for k, p in list(_pools.items()):
            if p is pool:
                del _pools[k]
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        p.terminate()


def _run_batch(payload: bytes) -> list:
    """Worker side: run a batch of ready tasks on their shipped inputs.

    Returns one entry per task: ``('ok', result bytes)`` or ``('error', exception bytes, traceback)``;
    the batch stops at the first error."""
    out = []
    for task, inputs in cloudpickle.loads(payload):
        try:
            out.append(("ok", cloudpickle.dumps(execute_task(task, inputs))))
        except BaseException as e:  # noqa: BLE001 - sent back to the caller
            text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
            try:
                exc = cloudpickle.dumps(e)
            except Exception:
                exc = cloudpickle.dumps(RuntimeError(f"{type(e).__name__}: {e} (the exception could not be pickled)"))
            out.append(("error", exc, text))
            break
    return out


def _outcomes(fut) -> list:
    try:
        return fut.result()
    except BrokenProcessPool as e:
        raise BrokenProcessPool(
            "a worker process of the processes scheduler died. If this script has no "
            "`if __name__ == '__main__':` guard, add one: worker processes are started with "
            "'spawn' and import the main module again (or set multiprocessing.context to 'fork')."
        ) from e


def get(dsk, keys, num_workers=None, callbacks=None, context=None, **kwargs):
    """Run the graph on a pool of ``num_workers`` processes (start method from config or ``context``).

    Many small ready tasks travel in batches, so per-task overhead stays low on wide graphs."""
    from shoal import config

    num_workers = num_workers or config.get("num-workers", None) or os.cpu_count() or 1
    context = context or config.get("multiprocessing.context", "spawn")
    run = Run(dsk, keys, callbacks)
    pool = _pool(num_workers, context)
    inflight: dict = {}
    try:
        while not run.done:
            while run.ready and len(inflight) < 2 * num_workers:
                size = max(1, min(len(run.ready) // (2 * num_workers), 64))
                batch = [run.take() for _ in range(size)]
                try:
                    payload = cloudpickle.dumps(
                        [(dsk[k], {d: run.cache[d] for d in run.dependencies[k]}) for k in batch]
                    )
                except Exception as e:
                    raise TypeError(f"a task of {batch[:3]!r} cannot be sent to a worker process: {e}") from e
                inflight[pool.submit(_run_batch, payload)] = batch
            if not inflight:
                raise run.cycle_error()
            finished, _ = wait(inflight, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in finished:
                batch = inflight.pop(fut)
                for key, (status, *rest) in zip(batch, _outcomes(fut)):
                    if status == "ok":
                        run.finish(key, cloudpickle.loads(rest[0]))
                        continue
                    exc = cloudpickle.loads(rest[0])
                    exc.__cause__ = RemoteTraceback(rest[1])
                    for f in run.callbacks["_finish"]:
                        f(dsk, run, True)
                    raise_task_error(key, exc)
    except KeyboardInterrupt:
        _drop_pool(pool)
        raise
    return run.result()
