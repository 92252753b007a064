"""Task counts by prefix and state, kept up to date from the scheduler's transitions.

Counting 100,000 tasks on every refresh would cost the scheduler's loop 100 ms or more, so the
dashboard attaches this small scheduler plugin on its first visit (one full scan to start from) and
then only follows transitions: every page reads its counts in time proportional to the number of
prefixes, not of tasks.
"""

from ..scheduler_state import key_prefix

STATES = ("released", "waiting", "queued", "no-worker", "processing", "memory", "erred")


class TaskCounts:
    """A scheduler plugin: ``by_prefix[prefix][state]`` counts and a ``graph_version`` that changes
    whenever tasks are added or forgotten (so the graph page knows when to lay out again)."""

    def __init__(self, tasks):
        self.tasks = tasks
        self.state_of = {}  # key -> (prefix, state) as last seen
        self.by_prefix = {}
        self.graph_version = 0
        for key, ts in list(tasks.items()):
            counts = self._counts(ts.prefix)
            counts[ts.state] = counts.get(ts.state, 0) + 1
            self.state_of[key] = (ts.prefix, ts.state)

    def _counts(self, prefix):
        counts = self.by_prefix.get(prefix)
        if counts is None:
            counts = self.by_prefix[prefix] = dict.fromkeys(STATES, 0)
        return counts

    def transition(self, key, start, finish, *args, **kwargs):
        # on the scheduler's hot path: a few dict operations, no key parsing for known tasks
        seen = self.state_of.get(key)
        if seen is None:  # tasks enter "released" without a transition: first sight of this one
            ts = self.tasks.get(key)
            prefix = ts.prefix if ts is not None else key_prefix(key)
            counts = self._counts(prefix)
            self.graph_version += 1
        else:
            prefix, state = seen
            counts = self.by_prefix[prefix]
            counts[state] -= 1
        if finish == "forgotten":
            self.state_of.pop(key, None)
            self.graph_version += 1
            if not any(counts.values()):  # many short-lived prefixes must not pile up
                del self.by_prefix[prefix]
        else:
            self.state_of[key] = (prefix, finish)
            counts[finish] = counts.get(finish, 0) + 1

    def by_state(self):
        """Counts over all prefixes: ``{state: n}`` with every state present."""
        total = dict.fromkeys(STATES, 0)
        for counts in self.by_prefix.values():
            for state, n in counts.items():
                total[state] = total.get(state, 0) + n
        # tasks that never left "released" since they were added have no transition to count
        total["released"] = len(self.tasks) - sum(n for state, n in total.items() if state != "released")
        return total

    def prefixes(self, limit=None):
        """``[(prefix, {state: n})]`` of the prefixes with tasks, the largest first, at most ``limit``."""
        rows = [(p, {s: n for s, n in c.items() if n}) for p, c in self.by_prefix.items() if any(c.values())]
        rows.sort(key=lambda row: -sum(row[1].values()))
        return rows[:limit] if limit else rows
