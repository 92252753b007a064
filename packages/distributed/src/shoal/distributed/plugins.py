"""Worker plugins: user code that runs on every worker, now and on workers that join later.

    class Setup(WorkerPlugin):
        def setup(self, worker):
            worker.db = connect()          # e.g. one connection per worker
        def teardown(self, worker):
            worker.db.close()

    client.register_plugin(Setup(), name="db")

The scheduler keeps the plugin pickled (it never unpickles it) and hands it to each worker when it
registers.  ``transition(key, start, finish)`` is called on the worker's task state changes.
"""


class WorkerPlugin:
    """Override any of ``setup(worker)``, ``teardown(worker)``, ``transition(key, start, finish)``."""

    name = None

    def setup(self, worker):
        pass

    def teardown(self, worker):
        pass

    def transition(self, key, start, finish, **kwargs):
        pass


def plugin_name(plugin, name=None):
    import uuid

    from shoal.utils import funcname

    return name or getattr(plugin, "name", None) or f"{funcname(type(plugin))}-{uuid.uuid4().hex[:8]}"
