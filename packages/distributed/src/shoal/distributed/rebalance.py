"""Plan for ``Client.rebalance``: which results to move so workers hold about the same bytes.

Pure function of the scheduler state: the largest holders give their biggest results to the
smallest holders while that narrows the gap.  Actors never move (they live where they were made).
"""


def plan_rebalance(state, keys=None, workers=None):
    """``[(key, sender, recipient)]`` moves among ``workers`` (all by default), only of ``keys`` if given."""
    pool = [state.workers[w] for w in (workers or state.workers) if w in state.workers]
    if len(pool) < 2:
        return []
    wanted = None if keys is None else set(keys)
    held = {ws: ws.nbytes for ws in pool}  # bytes each worker will hold once the moves are done
    mean = sum(held.values()) / len(pool)
    moves = []
    for sender in sorted(pool, key=held.get, reverse=True):
        for ts in _movable(sender, wanted):
            if held[sender] <= mean:
                break
            recipient = min((ws for ws in pool if ws not in ts.who_has), key=held.get, default=None)
            if recipient is None or held[recipient] >= mean or held[recipient] + ts.nbytes >= held[sender]:
                continue  # moving it would not narrow the gap
            moves.append((ts.key, sender.address, recipient.address))
            held[sender] -= ts.nbytes
            held[recipient] += ts.nbytes
    return moves


def _movable(ws, wanted):
    """Results on ``ws`` that may move, biggest first."""
    tasks = [ts for ts in ws.has_what
             if ts.state == "memory" and ts.type != "Actor" and ts.nbytes > 0 and (wanted is None or ts.key in wanted)]
    return sorted(tasks, key=lambda ts: ts.nbytes, reverse=True)
