"""Where root tasks go: runs of neighbours per worker, refills in runs, still balanced (sans-IO)."""

from collections import deque

from shoal.distributed.scheduler_state import ROOT_RUN, SchedulerState


def cluster(durations=None, workers=("a", "b")):
    s = SchedulerState(validate=True)
    for w in workers:
        s.add_worker(w, nthreads=1)
    s.durations.update(durations or {})
    return s


def computes(worker_msgs):
    return [(w, m["key"]) for w, msgs in worker_msgs.items() for m in msgs if m["op"] == "compute-task"]


def test_root_tasks_go_out_in_runs_and_stay_balanced():
    s = cluster({"leaf": 1e-5})
    n = 8 * ROOT_RUN
    _, wmsgs = s.update_graph("c", {f"leaf-{i}": {} for i in range(n)}, {}, [f"leaf-{i}" for i in range(n)],
                              priority={f"leaf-{i}": i for i in range(n)})
    by_priority = sorted(s.tasks.values(), key=lambda ts: ts.priority)
    owners = [ts.processing_on.address for ts in by_priority]
    switches = sum(1 for x, y in zip(owners, owners[1:]) if x != y)
    assert switches <= n // ROOT_RUN  # neighbours together (alternating would switch n - 1 times)
    assert abs(owners.count("a") - owners.count("b")) <= 2 * ROOT_RUN
    assert len(computes(wmsgs)) == n


def run_tree(s, leaves):
    """Compute a binary sum tree over ``leaves`` with the workers taking turns; returns how many
    inputs had to move between workers."""
    tasks, deps, level = {}, {}, []
    for i in range(leaves):
        tasks[f"leaf-{i}"] = {}
        level.append(f"leaf-{i}")
    j = 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            key = f"add-{j}"
            j += 1
            tasks[key], deps[key] = {}, level[i:i + 2]
            nxt.append(key)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    order = {key: i for i, key in enumerate(tasks)}
    _, wmsgs = s.update_graph("c", tasks, deps, level, priority=order)
    queues = {w: deque() for w in s.workers}
    moved = 0

    def take(wmsgs):
        nonlocal moved
        for w, msgs in wmsgs.items():
            for m in msgs:
                if m["op"] == "compute-task":
                    queues[w].append(m["key"])
                    moved += sum(1 for holders in m.get("who_has", {}).values() if w not in holders)

    take(wmsgs)
    while any(queues.values()):
        for w, queue in queues.items():
            if queue:
                key = queue.popleft()
                take(s.task_finished(w, key, nbytes=28, duration=1e-5, stimulus_id=f"done-{key}")[1])
    assert s.tasks[level[0]].state == "memory"
    return moved, len(tasks)


def test_siblings_of_a_tree_reduction_mostly_meet_on_one_worker():
    s = cluster({"leaf": 1e-5, "add": 1e-5})
    moved, n = run_tree(s, 1024)
    assert moved < n // 4  # alternating the leaves would move one input of every first-level add


def test_a_saturated_worker_is_refilled_in_runs_not_one_task_at_a_time():
    s = cluster({"leaf": 0.001}, workers=("a",))
    n = 200
    _, wmsgs = s.update_graph("c", {f"leaf-{i}": {} for i in range(n)}, {}, [f"leaf-{i}" for i in range(n)],
                              priority={f"leaf-{i}": i for i in range(n)})
    first = len(computes(wmsgs))
    assert 1 < first < n  # 50 ms of work per thread goes out, the rest waits on the scheduler
    refills = []
    pending = deque(k for _, k in computes(wmsgs))
    while pending:
        key = pending.popleft()
        got = computes(s.task_finished("a", key, nbytes=8, duration=0.001, stimulus_id=f"done-{key}")[1])
        if got:
            refills.append(len(got))
            pending.extend(k for _, k in got)
    assert sum(refills) == n - first
    assert min(refills[:-1]) > 1 and len(refills) < (n - first) // 5
    s.validate_state()
