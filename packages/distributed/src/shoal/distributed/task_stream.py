"""The task stream: when, where and on which thread every task ran (``Client.get_task_stream``).

Workers put ``startstops`` (compute, and transfers of the inputs they fetched) and the thread on
their task-finished/task-erred messages; the scheduler keeps the last ones here as tuples (the hot
path only appends) and builds the records when asked.
"""

import time
from collections import deque


class TaskStream:
    def __init__(self, maxlen=100_000):
        self.entries = deque(maxlen=maxlen)  # (worker, key, status, thread, nbytes, type, startstops)

    def record(self, worker, msg, status):
        startstops = msg.get("startstops")
        if startstops:  # only these fields: a message may also carry a result or an exception
            self.entries.append((worker, msg["key"], status, msg.get("thread"), msg.get("nbytes", 0),
                                 msg.get("type"), startstops))

    @property
    def records(self):
        return [_record(*entry) for entry in self.entries]

    def select(self, start=None, stop=None, count=None):
        """Records of tasks that started at or after ``start`` and finished by ``stop`` (epoch
        seconds, or a duration like ``'10s'`` meaning that long ago); the last ``count`` of them."""
        start, stop = _as_time(start), _as_time(stop)
        out = [r for r in self.records
               if (start is None or r["start"] >= start) and (stop is None or r["stop"] <= stop)]
        return out[-count:] if count else out

    def recent(self, n):
        return [_record(*entry) for entry in list(self.entries)[-n:]]


def _record(worker, key, status, thread, nbytes, type_name, startstops):
    startstops = [dict(s) for s in startstops]
    compute = [s for s in startstops if s.get("action") == "compute"] or startstops
    return {
        "key": key, "worker": worker, "status": status, "thread": thread, "nbytes": nbytes,
        "type": type_name, "startstops": startstops, "start": compute[0]["start"], "stop": compute[-1]["stop"],
    }


def _as_time(value):
    if value is None or isinstance(value, (int, float)):
        return value
    from .config import parse_timedelta

    return time.time() - parse_timedelta(value)
