"""An asyncio event loop running in a daemon thread, for the blocking Client and cluster APIs."""

import asyncio
import threading


class LoopRunner:
    def __init__(self, loop=None):
        self.loop = loop
        self.thread = None
        self._own = loop is None
        self._stop_lock = threading.Lock()

    def start(self):
        if not self._own:
            return
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.call_soon(ready.set)
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True, name="shoal-loop")
        self.thread.start()
        ready.wait()

    def stop(self):
        """Cancel the loop's tasks, stop the thread and close the loop; again or concurrently: no-op."""
        with self._stop_lock:
            if not self._own or self.loop is None or self.loop.is_closed():
                return
            self._stop()

    def _stop(self):
        async def shutdown():
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(5)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not threading.current_thread():
            self.thread.join(5)
        if not self.loop.is_running():
            self.loop.close()
