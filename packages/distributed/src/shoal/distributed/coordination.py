"""The scheduler's side of Variable, Queue, Lock, Semaphore and Event: named shared state for clients.

Values stay opaque (pickled by the client, never unpickled here).  A value that is a Future travels
as its key instead, and the key is kept computed by a pseudo-client (``variable-NAME``/``queue-NAME``)
for as long as the variable or queue holds it.  Waiting requests (``get`` on an empty queue,
``acquire`` of a held lock, ``wait`` on an event) park on asyncio primitives and answer
``{"timed-out": True}`` when their timeout passes.  Leases of a client that disconnects are returned.
"""

import asyncio
from collections import defaultdict, deque


async def _wait_for(awaitable, timeout):
    """True once ``awaitable`` is done, False after ``timeout`` seconds (None: wait forever)."""
    try:
        await asyncio.wait_for(awaitable, timeout)
        return True
    except asyncio.TimeoutError:
        return False


class Coordination:
    def __init__(self, scheduler):
        self.scheduler = scheduler
        self.variables = {}  # name -> {"data": opaque} or {"key": key}
        self.variable_changed = defaultdict(asyncio.Condition)
        self.queues = {}  # name -> deque of records
        self.queue_maxsize = {}
        self.queue_changed = defaultdict(asyncio.Condition)
        self.leases = defaultdict(dict)  # semaphore name -> {lease id: client}
        self.max_leases = {}
        self.lease_freed = defaultdict(asyncio.Condition)
        self.events = defaultdict(asyncio.Event)

    def handlers(self):
        return {
            "variable_set": self.variable_set, "variable_get": self.variable_get,
            "variable_delete": self.variable_delete,
            "queue_create": self.queue_create, "queue_put": self.queue_put, "queue_get": self.queue_get,
            "queue_qsize": lambda comm, msg: len(self.queues.get(msg["name"], ())),
            "semaphore_create": self.semaphore_create, "semaphore_acquire": self.semaphore_acquire,
            "semaphore_release": self.semaphore_release,
            "semaphore_count": lambda comm, msg: len(self.leases.get(msg["name"], ())),
            "event_set": lambda comm, msg: self.events[msg["name"]].set(),
            "event_clear": lambda comm, msg: self.events[msg["name"]].clear(),
            "event_is_set": lambda comm, msg: self.events[msg["name"]].is_set(),
            "event_wait": self.event_wait,
        }

    # ---- futures held by a variable or queue stay computed ------------------------------------------

    async def _hold(self, owner, record):
        if "key" in record:
            await self._known(record["key"])
            self.scheduler.send_all(*self.scheduler.state.client_desires_keys(owner, [record["key"]]))

    async def _known(self, key, timeout=5):
        """The client submitted ``key`` on its stream, which may be read after this request."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while key not in self.scheduler.state.tasks:
            if loop.time() > deadline:
                raise KeyError(f"The scheduler does not know the future {key!r} (released or never submitted)")
            await asyncio.sleep(0.005)

    def _unhold(self, owner, record):
        if record is not None and "key" in record:
            self.scheduler.send_all(*self.scheduler.state.client_releases_keys(owner, [record["key"]]))

    def _hand_over(self, owner, record, client):
        """``client`` receives a record holding a future: it wants the key before ``owner`` lets go."""
        if "key" in record and client:
            self.scheduler.send_all(*self.scheduler.state.client_desires_keys(client, [record["key"]]))
        self._unhold(owner, record)

    # ---- Variable -----------------------------------------------------------------------------------

    async def variable_set(self, comm, msg):
        name = msg["name"]
        record = _record(msg)
        await self._hold(f"variable-{name}", record)
        old = self.variables.get(name)
        self.variables[name] = record
        if old is not None and old.get("key") != record.get("key"):
            self._unhold(f"variable-{name}", old)
        async with self.variable_changed[name]:
            self.variable_changed[name].notify_all()

    async def variable_get(self, comm, msg):
        name = msg["name"]
        if name not in self.variables:
            condition = self.variable_changed[name]

            async def until_set():
                async with condition:
                    await condition.wait_for(lambda: name in self.variables)

            if not await _wait_for(until_set(), msg.get("timeout")):
                return {"timed-out": True}
        record = self.variables[name]
        if "key" in record and msg.get("client"):
            self.scheduler.send_all(*self.scheduler.state.client_desires_keys(msg["client"], [record["key"]]))
        return record

    def variable_delete(self, comm, msg):
        self._unhold(f"variable-{msg['name']}", self.variables.pop(msg["name"], None))

    # ---- Queue --------------------------------------------------------------------------------------

    def queue_create(self, comm, msg):
        name = msg["name"]
        self.queues.setdefault(name, deque())
        if msg.get("maxsize"):
            self.queue_maxsize[name] = msg["maxsize"]

    async def queue_put(self, comm, msg):
        name = msg["name"]
        items = self.queues.setdefault(name, deque())
        condition = self.queue_changed[name]
        maxsize = self.queue_maxsize.get(name, 0)
        if maxsize and len(items) >= maxsize:
            async def until_room():
                async with condition:
                    await condition.wait_for(lambda: len(items) < maxsize)

            if not await _wait_for(until_room(), msg.get("timeout")):
                return {"timed-out": True}
        record = _record(msg)
        await self._hold(f"queue-{name}", record)
        items.append(record)
        async with condition:
            condition.notify_all()
        return {}

    async def queue_get(self, comm, msg):
        name = msg["name"]
        items = self.queues.setdefault(name, deque())
        condition = self.queue_changed[name]
        batch = msg.get("batch")
        if not items and batch is not True:
            want = 1 if batch in (None, False) else batch

            async def until_items():
                async with condition:
                    await condition.wait_for(lambda: len(items) >= want)

            if not await _wait_for(until_items(), msg.get("timeout")):
                return {"timed-out": True}
        n = len(items) if batch is True else (1 if batch in (None, False) else batch)
        records = [items.popleft() for _ in range(min(n, len(items)))]
        for record in records:
            self._hand_over(f"queue-{name}", record, msg.get("client"))
        async with condition:
            condition.notify_all()
        return {"records": records}

    # ---- Semaphore (and Lock, a semaphore of one lease) -------------------------------------------

    def semaphore_create(self, comm, msg):
        self.max_leases.setdefault(msg["name"], msg.get("max_leases", 1))

    async def semaphore_acquire(self, comm, msg):
        name = msg["name"]
        leases = self.leases[name]
        limit = self.max_leases.setdefault(name, msg.get("max_leases", 1))
        if len(leases) >= limit:
            condition = self.lease_freed[name]

            async def until_free():
                async with condition:
                    await condition.wait_for(lambda: len(leases) < limit)

            if not await _wait_for(until_free(), msg.get("timeout")):
                return False
        leases[msg["lease"]] = msg.get("client")
        return True

    async def semaphore_release(self, comm, msg):
        name = msg["name"]
        if self.leases[name].pop(msg["lease"], None) is None:
            raise RuntimeError(f"Lease {msg['lease']!r} of {name!r} is not held: released more often than acquired")
        async with self.lease_freed[name]:
            self.lease_freed[name].notify_all()

    async def release_client_leases(self, client):
        """A client left: whatever it held is free again (a dead task never blocks others for ever)."""
        for name, leases in self.leases.items():
            mine = [lease for lease, owner in leases.items() if owner == client]
            for lease in mine:
                del leases[lease]
            if mine:
                async with self.lease_freed[name]:
                    self.lease_freed[name].notify_all()

    # ---- Event --------------------------------------------------------------------------------------

    async def event_wait(self, comm, msg):
        return await _wait_for(self.events[msg["name"]].wait(), msg.get("timeout"))


def _record(msg):
    return {"key": msg["key"]} if msg.get("key") is not None else {"data": msg.get("data")}
