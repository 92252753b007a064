"""What the dashboard keeps beside the scheduler: incremental task counts, system samples, log records.

One ``LiveData`` per dashboard server, shared by all its pages and handlers. The counts and the system
samples start on first use, so a scheduler whose dashboard nobody opens pays nothing for them.
"""

from ..logs import LogBuffer


class LiveData:
    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.logs = LogBuffer().attach()  # the scheduler process's log records, for /info/main/logs.html
        self._counts = None
        self._system = None

    @property
    def counts(self):
        if self._counts is None:
            from .task_counts import TaskCounts

            self._counts = TaskCounts(self.scheduler.state.tasks)
            self.scheduler.state.plugins.append(self._counts)
        return self._counts

    @property
    def system(self):
        if self._system is None:
            from .system_monitor import SystemMonitor

            self._system = SystemMonitor()
        return self._system

    def close(self):
        self.logs.detach()
        if self._counts is not None and self._counts in self.scheduler.state.plugins:
            self.scheduler.state.plugins.remove(self._counts)
