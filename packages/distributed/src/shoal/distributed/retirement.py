"""Graceful retirement: before workers close, copy the results only they hold to the workers that stay.

``hand_over(scheduler, workers)`` plans, for every result whose every replica is on a retiring
worker, a recipient among the running workers (the one holding least data), has the recipients fetch
them peer to peer (like ``Client.replicate``), records the new replicas, and repeats while tasks still
finishing on the retiring workers leave new results there.  Scattered data cannot be recomputed, so
when no worker would remain to take it this is an error rather than silent loss.  Actors stay where
they live.
"""

import asyncio

ROUNDS = 5  # tasks still running on retiring workers may leave new results between rounds


async def hand_over(scheduler, workers):
    retiring = set(workers)
    for _ in range(ROUNDS):
        orphans = _only_held_by(retiring)
        if not orphans:
            return
        plan = _plan(scheduler.state, orphans, retiring)
        replies = await asyncio.gather(*(scheduler.rpc(w, "gather", who_has=who_has) for w, who_has in plan.items()),
                                       return_exceptions=True)
        for recipient, reply in zip(plan, replies):
            if not isinstance(reply, BaseException):
                scheduler.send_all(*scheduler.state.add_keys(recipient, list(reply), stimulus_id="retire-workers"))
        failed = [r for r in replies if isinstance(r, BaseException)]
        if failed:
            raise RuntimeError(f"Retiring {_names(retiring)}: could not copy their data elsewhere: {failed[0]}")
    orphans = _only_held_by(retiring)
    if orphans:
        raise RuntimeError(f"Retiring {_names(retiring)}: {len(orphans)} results still exist only there "
                           f"after {ROUNDS} rounds of copying, e.g. {_keys(orphans)}")


def _only_held_by(retiring):
    """Results in memory whose every copy is on a retiring worker."""
    orphans = {}
    for ws in retiring:
        for ts in ws.has_what:
            if ts.state == "memory" and ts.type != "Actor" and ts.who_has <= retiring:
                orphans[ts.key] = ts
    return list(orphans.values())


def _plan(state, orphans, retiring):
    """``{recipient: {key: [holders]}}``, biggest results first to whoever holds least so far."""
    recipients = [ws for ws in state.workers.values() if ws not in retiring and ws.status == "running"]
    if not recipients:
        raise ValueError(f"Cannot retire {_names(retiring)}: they hold the only copy of {len(orphans)} result(s) "
                         f"(e.g. {_keys(orphans)}) and no other worker remains to take them.  Start another "
                         f"worker first, or release those futures.")
    held = {ws: ws.nbytes for ws in recipients}
    plan = {}
    for ts in sorted(orphans, key=lambda ts: ts.nbytes, reverse=True):
        recipient = min(recipients, key=held.get)
        held[recipient] += max(ts.nbytes, 0)
        plan.setdefault(recipient.address, {})[ts.key] = [ws.address for ws in ts.who_has]
    return plan


def _names(workers):
    return ", ".join(sorted(ws.address for ws in workers))


def _keys(tasks):
    return ", ".join(repr(ts.key) for ts in tasks[:3])
