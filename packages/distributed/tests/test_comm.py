"""Transports: tcp and inproc round trips, frame guards, pooled RPCs, batched streams."""

import asyncio
import socket
import struct

import numpy as np
import pytest

import shoal.config
from shoal.distributed.batched import BatchedSend
from shoal.distributed.comm import CommClosedError, connect, listen
from shoal.distributed.protocol import Serialize
from shoal.distributed.rpc import ConnectionPool
from shoal.distributed.server import Server
from shoal.distributed.testing import until

pytestmark = pytest.mark.timeout(30)


async def echo_server(address):
    async def handle(comm):
        try:
            while True:
                msg = await comm.read()
                await comm.write({"x": Serialize(msg["x"])})
        except CommClosedError:
            pass

    return await listen(address, handle)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:0", "inproc://"])
def test_roundtrip_with_large_array(address):
    async def main():
        listener = await echo_server(address)
        comm = await connect(listener.contact_address)
        x = np.random.default_rng(0).random(500_000)
        await comm.write({"op": "echo", "x": Serialize(x)})
        out = await comm.read()
        np.testing.assert_array_equal(out["x"], x)
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_received_arrays_are_aligned_writable_and_not_copied():
    """Each payload frame gets a buffer of its own: arrays unpickled on it are aligned and writable."""
    async def main():
        received = []

        async def keep(comm):
            received.append(await comm.read())

        listener = await listen("tcp://127.0.0.1:0", keep)
        comm = await connect(listener.contact_address)
        sent = {"small": np.arange(3, 1003, dtype="f8"), "big": np.arange(300_000, dtype="c16"),
                "odd": np.arange(7, dtype="i1"), "ints": np.arange(20_000, dtype="i8")[::2].copy()}
        # a short bytes value first, so the arrays' frames do not start at a round offset of the stream
        await comm.write({"pad": b"xyz", **{k: Serialize(v) for k, v in sent.items()}})
        await until(lambda: received)
        (msg,) = received
        for name, value in sent.items():
            out = msg[name]
            np.testing.assert_array_equal(out, value)
            assert out.flags.aligned and out.flags.writeable, name
            assert out.ctypes.data % 16 == 0, name
        out = msg["big"]
        assert out.base is not None  # a view on the receive buffer, not a copy made by unpickling
        out[0] = 5  # writable in place
        await comm.close()
        listener.stop()

    asyncio.run(main())


def test_connect_timeout_names_address():
    async def main():
        with pytest.raises(OSError, match="127.0.0.1:1"):
            await connect("tcp://127.0.0.1:1", timeout=0.2)

    asyncio.run(main())


class Echo(Server):
    def __init__(self, address):
        super().__init__({"echo": lambda comm, msg: msg["x"], "fail": self.fail}, listen_address=address)

    def fail(self, comm, msg):
        raise ValueError("handler failed on purpose")


def _raw_send(port, payload):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(payload)
        sock.settimeout(2)
        try:
            return sock.recv(100)
        except (TimeoutError, ConnectionResetError):
            return b""


def test_garbage_bytes_and_oversized_frames_do_not_take_server_down():
    async def main():
        with shoal.config.set({"distributed.comm.max-frame-size": "1 MiB"}):
            async with Echo("tcp://127.0.0.1:0") as server:
                loop = asyncio.get_running_loop()
                # random garbage
                assert await loop.run_in_executor(None, _raw_send, server.port, b"\xff" * 64) == b""
                # a well-formed header announcing a 10 GB frame: dropped before allocating
                head = struct.pack("<QQQ", 2, 10, 10 * 2**30)
                assert await loop.run_in_executor(None, _raw_send, server.port, head) == b""
                # a client that disconnects mid-message
                head = struct.pack("<QQQ", 2, 10, 100)
                with socket.create_connection(("127.0.0.1", server.port)) as sock:
                    sock.sendall(head + b"x" * 20)
                # the server still answers
                pool = ConnectionPool()
                assert await pool.rpc(server.address, "echo", x=[1, 2]) == (1, 2)
                with pytest.raises(ValueError, match="on purpose"):
                    await pool.rpc(server.address, "fail")
                with pytest.raises(ValueError, match="no operation"):
                    await pool.rpc(server.address, "nope")
                assert await pool.rpc(server.address, "echo", x="still ok") == "still ok"
                await pool.close()

    asyncio.run(main())


def test_connection_pool_reuses_comms():
    async def main():
        async with Echo("inproc://") as server:
            pool = ConnectionPool()
            for i in range(20):
                assert await pool.rpc(server.address, "echo", x=i) == i
            assert len(pool.idle[server.address]) == 1
            results = await asyncio.gather(*(pool.rpc(server.address, "echo", x=i) for i in range(10)))
            assert list(results) == list(range(10))
            await pool.close()

    asyncio.run(main())


def test_batched_send_coalesces_messages():
    async def main():
        received = []

        async def handle(comm):
            try:
                while True:
                    received.append(await comm.read())
            except CommClosedError:
                pass

        listener = await listen("tcp://127.0.0.1:0", handle)
        comm = await connect(listener.contact_address)
        b = BatchedSend()
        b.start(comm)
        for i in range(1000):
            b.send({"i": i})
        await until(lambda: sum(map(len, received)) >= 1000)
        flat = [m["i"] for batch in received for m in batch]
        assert flat == list(range(1000))
        assert len(received) < 10
        await b.close()
        listener.stop()

    asyncio.run(main())
