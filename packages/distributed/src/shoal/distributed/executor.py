"""``Client.get_executor()``: the standard ``concurrent.futures.Executor`` interface over a Client.

Code written for ``ThreadPoolExecutor`` runs on the cluster unchanged; it gets
``concurrent.futures.Future`` objects, so ``concurrent.futures.wait``/``as_completed`` work on them.
"""

import concurrent.futures


class ClientExecutor(concurrent.futures.Executor):
    def __init__(self, client, **submit_kwargs):
        self.client = client
        self.submit_kwargs = submit_kwargs
        self._futures = set()
        self._shutdown = False

    def submit(self, fn, /, *args, **kwargs):
        if self._shutdown:
            raise RuntimeError("cannot schedule new futures after shutdown")
        remote = self.client.submit(fn, *args, pure=False, **self.submit_kwargs, **kwargs)
        return self._wrap(remote)

    def _wrap(self, remote):
        local = concurrent.futures.Future()
        local.set_running_or_notify_cancel()
        self._futures.add(remote)

        def done(f):
            self._futures.discard(f)
            try:
                local.set_result(f.result())
            except BaseException as e:  # noqa: BLE001 - the task's error belongs to the caller
                local.set_exception(e)

        remote.add_done_callback(done)
        return local

    def map(self, fn, *iterables, timeout=None, chunksize=1):
        remotes = self.client.map(fn, *iterables, pure=False, **self.submit_kwargs)
        locals_ = [self._wrap(f) for f in remotes]
        return (f.result(timeout=timeout) for f in locals_)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._shutdown = True
        if cancel_futures and self._futures:
            self.client.cancel(list(self._futures))
        if wait and self._futures:
            from .future import wait as wait_futures

            wait_futures(list(self._futures))
