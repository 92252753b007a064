"""Cross-memory attach on TCP comms within one process: lent frames, acknowledgements, fallbacks, holds.

A process may read its own memory with process_vm_readv, so a client and a server in this process
exercise the same code paths as two workers; the multi-process cases are in test_transfer_cluster.py.
"""

import asyncio
import gc
import subprocess
import sys
import weakref

import numpy as np
import pytest

import shoal.config
from shoal.distributed.comm import CommClosedError, connect, cross_memory, listen
from shoal.distributed.protocol import Serialize
from shoal.distributed.testing import until

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.skipif(not cross_memory.available(), reason="process_vm_readv is Linux-only")]


def _dead_pid():
    """The pid of a process that has exited (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def _pair(handler):
    """A listener running ``handler(comm)`` and a connected client comm, after one round trip: each
    side has read the other's hello, so both may lend frames from now on."""
    server_comms = []

    async def handle(comm):
        server_comms.append(comm)
        await comm.read()
        await comm.write({"op": "welcome"})
        await handler(comm)

    listener = await listen("tcp://127.0.0.1:0", handle)
    comm = await connect(listener.contact_address)
    await comm.write({"op": "hello"})
    assert await comm.read() == {"op": "welcome"}
    return listener, comm, server_comms[0]


async def _serve_echo(comm):
    try:
        while True:
            msg = await comm.read()
            await comm.write({"x": Serialize(msg["x"])})
    except CommClosedError:
        pass


def test_large_frames_are_copied_not_sent_and_small_ones_are_not_lent():
    async def main():
        listener, comm, _ = await _pair(_serve_echo)
        big = np.random.default_rng(0).random(1_000_000)  # 8 MB
        small = np.arange(1000)
        before = cross_memory.counters()
        await comm.write({"x": Serialize({"big": big, "small": small, "raw": b"z" * (2 << 20)})})
        out = (await comm.read())["x"]
        after = cross_memory.counters()
        np.testing.assert_array_equal(out["big"], big)
        np.testing.assert_array_equal(out["small"], small)
        assert out["raw"] == b"z" * (2 << 20)
        # request and reply each lent the array's buffer and the pickle frame holding the bytes
        assert after["reads"] - before["reads"] == 4
        assert after["bytes"] - before["bytes"] >= 2 * (big.nbytes + (2 << 20))
        assert out["big"].flags.writeable and out["big"].ctypes.data % 16 == 0
        assert out["big"].ctypes.data != big.ctypes.data  # a copy of our own
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_large_messages_are_copied_in_parallel_parts_intact():
    """Above 16 MiB the copy is cut into parts done by threads; every frame must come out whole."""
    async def main():
        listener, comm, _ = await _pair(_serve_echo)
        rng = np.random.default_rng(2)
        arrays = [rng.random(n) for n in (750_001, 1_000_000, 400_001)]  # 17.2 MB in all, odd sizes
        before = cross_memory.counters()
        await comm.write({"x": Serialize(arrays)})
        out = (await comm.read())["x"]
        for got, sent in zip(out, arrays):
            np.testing.assert_array_equal(got, sent)
        assert cross_memory.counters()["reads"] - before["reads"] == 6
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_split_cuts_pieces_into_parts_covering_every_byte():
    pieces = [(1000, bytearray(10)), (5000, bytearray(3)), (9000, bytearray(1))]
    parts = cross_memory.split(pieces, 2)
    covered = sorted((remote, view.nbytes) for part in parts for remote, view in part)
    assert covered == [(1000, 5), (1005, 5), (5000, 2), (5002, 1), (9000, 1)]
    assert sum(view.nbytes for _, view in parts[0]) - sum(view.nbytes for _, view in parts[1]) <= 2


def test_frames_are_held_until_acknowledged_then_released():
    async def main():
        lent = {}

        async def serve(comm):
            x = np.ones(500_000)
            lent["ref"] = weakref.ref(x)
            await comm.write({"x": Serialize(x)})
            del x
            lent["held_after_write"] = len(comm.cross_memory.held)
            try:
                await comm.read()  # consumes the acknowledgement, then waits
            except CommClosedError:
                pass

        listener, comm, server = await _pair(serve)
        out = (await comm.read())["x"]
        assert out.sum() == 500_000
        assert lent["held_after_write"] == 1
        await until(lambda: len(server.cross_memory.held) == 0, what="the acknowledgement")
        gc.collect()
        assert lent["ref"]() is None  # nothing keeps the sent array alive any more
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_failed_copy_falls_back_to_the_socket_in_order():
    """The peer's pid is gone: the receiver asks for the frames over the socket; messages that arrive
    meanwhile keep their order, and the sender stops lending on that comm."""
    async def main():
        arrays = [np.full(300_000, float(i)) for i in range(3)]

        async def serve(comm):
            await comm.read()  # the go-ahead
            for i, x in enumerate(arrays):
                await comm.write({"i": i, "x": Serialize(x)})
            await comm.write({"i": "small"})
            try:
                while True:
                    msg = await comm.read()
                    await comm.write({"i": "after", "x": Serialize(msg["x"])})
            except CommClosedError:
                pass

        listener, comm, server = await _pair(serve)
        comm.cross_memory.peer_pid = _dead_pid()
        await comm.write({"op": "go"})
        await until(lambda: len(server.cross_memory.held) == 3, what="three lent arrays")
        before = cross_memory.counters()
        received = [await comm.read() for _ in range(4)]
        assert [m["i"] for m in received] == [0, 1, 2, "small"]
        for i, msg in enumerate(received[:3]):
            np.testing.assert_array_equal(msg["x"], arrays[i])
            assert msg["x"].flags.writeable
        after = cross_memory.counters()
        assert after["fallbacks"] - before["fallbacks"] == 3
        assert after["reads"] == before["reads"]
        assert len(server.cross_memory.held) == 0
        # both sides stopped lending: this round trip goes over the socket both ways
        await comm.write({"x": Serialize(arrays[0])})
        back = await comm.read()
        np.testing.assert_array_equal(back["x"], arrays[0])
        assert cross_memory.counters()["frames_lent"] == after["frames_lent"]
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_switched_off_sends_everything_over_the_socket():
    async def main():
        with shoal.config.set({"distributed.comm.cross-memory-attach": False}):
            listener, comm, server = await _pair(_serve_echo)
            x = np.random.default_rng(1).random(400_000)
            before = cross_memory.counters()
            await comm.write({"x": Serialize(x)})
            await comm.write({"x": Serialize(x)})
            for _ in range(2):
                np.testing.assert_array_equal((await comm.read())["x"], x)
            assert cross_memory.counters() == before
            assert comm.cross_memory.peer_pid is None and server.cross_memory.peer_pid is None
            await comm.close()
            listener.stop()

    asyncio.run(main())


def test_threshold_decides_which_frames_are_lent():
    async def main():
        with shoal.config.set({"distributed.comm.shared-memory-threshold": "100 kB"}):
            listener, comm, _ = await _pair(_serve_echo)
            before = cross_memory.counters()
            await comm.write({"x": Serialize([np.ones(20_000), np.ones(10_000)])})  # 160 kB and 80 kB
            out = (await comm.read())["x"]
            assert [a.sum() for a in out] == [20_000, 10_000]
            assert cross_memory.counters()["reads"] - before["reads"] == 2  # the 160 kB one, each way
            await comm.close()
            listener.stop()

    asyncio.run(main())


def test_unacknowledged_frames_drop_the_comm_and_are_freed_after_a_grace():
    async def main():
        with shoal.config.set({"distributed.comm.cross-memory-timeout": "200ms"}):
            async def serve(comm):
                comm.cross_memory.held.grace = 0.2
                await comm.write({"x": Serialize(np.ones(300_000))})  # the client never reads it

            listener, comm, server = await _pair(serve)
            await until(lambda: server.closed(), what="the server comm to drop")
            assert len(server.cross_memory.held) == 1  # not freed at once: a copy may be under way
            await until(lambda: len(server.cross_memory.held) == 0, what="the held frames to be freed")
            with pytest.raises(CommClosedError):
                while True:
                    await comm.read()
            listener.stop()

    asyncio.run(main())


def test_closing_a_comm_frees_held_frames_after_the_grace():
    async def main():
        async def serve(comm):
            comm.cross_memory.held.grace = 0.1
            await comm.write({"x": Serialize(np.ones(300_000))})
            comm.abort()

        listener, comm, server = await _pair(serve)
        await until(lambda: server.closed())
        await until(lambda: len(server.cross_memory.held) == 0, what="the held frames to be freed")
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_probe_checks_the_peer_is_this_very_process():
    me = cross_memory.identity()
    assert cross_memory.probe(me)
    assert not cross_memory.probe({**me, "token": b"x" * len(me["token"])})  # another process at that pid
    assert not cross_memory.probe({**me, "pid": _dead_pid()})
    assert not cross_memory.probe({**me, "boot_id": "another-machine"})
    assert not cross_memory.probe({**me, "uid": me["uid"] + 1})


def test_read_into_names_the_pid_when_it_fails():
    pid = _dead_pid()
    with pytest.raises(cross_memory.CrossMemoryError, match=f"pid {pid}"):
        cross_memory.read_into(pid, [(cross_memory.address_of(b"abc"), bytearray(3))])
