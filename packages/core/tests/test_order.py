"""Static ordering keeps the number of intermediates held in memory low."""

from operator import add

from shoal.callbacks import Callback
from shoal.local import get_sync
from shoal.order import order
from shoal.threaded import get as get_threads


def inc(x):
    return x + 1


class PeakHeld(Callback):
    """Track the largest number of results held at once while a graph runs."""

    def __init__(self):
        self.peak = 0

    def _posttask(self, key, result, dsk, state, worker_id):
        self.peak = max(self.peak, len(state.cache))


def tree_reduction(width: int):
    dsk = {("leaf", i): (inc, i) for i in range(width)}
    keys, level = list(dsk), 0
    while len(keys) > 1:
        level += 1
        new = []
        for j in range(0, len(keys), 2):
            k = ("add", level, j)
            dsk[k] = (add, keys[j], keys[j + 1]) if j + 1 < len(keys) else (inc, keys[j])
            new.append(k)
        keys = new
    return dsk, keys[0]


def test_priorities_are_a_permutation():
    dsk, _ = tree_reduction(64)
    o = order(dsk)
    assert sorted(o.values()) == list(range(len(dsk)))


def test_tree_reduction_holds_about_its_depth():
    dsk, root = tree_reduction(4096)  # depth 12
    peak = PeakHeld()
    assert get_sync(dsk, root, callbacks=[peak]) == sum(range(1, 4097))
    # breadth-first would hold 2048 leaves at once; depth-first holds O(depth)
    assert peak.peak <= 2 * 12 + 2, peak.peak


def test_independent_chains_finish_one_at_a_time():
    chains, length = 200, 20
    dsk = {}
    for c in range(chains):
        dsk[("c", c, 0)] = c
        for i in range(1, length):
            dsk[("c", c, i)] = (inc, ("c", c, i - 1))
    outputs = [("c", c, length - 1) for c in range(chains)]
    peak = PeakHeld()
    result = get_sync(dsk, outputs, callbacks=[peak])
    assert result == [c + length - 1 for c in range(chains)]
    # the outputs themselves are kept; otherwise at most one chain's intermediate is alive at a time
    assert peak.peak <= chains + 2, peak.peak
    starts = order(dsk)
    # a chain's tasks get consecutive priorities: finish a branch before starting the next
    for c in range(chains):
        ps = sorted(starts[("c", c, i)] for i in range(length))
        assert ps == list(range(ps[0], ps[0] + length))


def test_threads_respect_memory_order_roughly():
    dsk, root = tree_reduction(2048)
    peak = PeakHeld()
    assert get_threads(dsk, root, num_workers=2, callbacks=[peak]) == sum(range(1, 2049))
    assert peak.peak <= 64, peak.peak
