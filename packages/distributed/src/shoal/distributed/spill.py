"""A mapping that keeps recent results in memory and spills least-recently-used ones to disk.

``SpillBuffer(directory, target)``: once the in-memory values' total size passes ``target`` bytes,
the least recently used values are pickled (protocol 5, buffers written straight from memory) to
files under ``directory`` and read back on access.  A single value larger than ``target`` goes
straight to disk.
"""

import os
import shutil
import struct
import uuid
from collections import OrderedDict
from collections.abc import MutableMapping

from .protocol import pickle_dumps, pickle_loads
from .sizeof import sizeof


class SpillBuffer(MutableMapping):
    def __init__(self, directory, target=float("inf")):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.target = target
        self.fast = OrderedDict()
        self.sizes = {}
        self.slow = {}  # key -> file path
        self.fast_bytes = 0
        self.slow_bytes = 0
        self.spilled_count = 0

    def __setitem__(self, key, value):
        self._discard(key)
        size = sizeof(value)
        self.sizes[key] = size
        if size > self.target:
            self._write(key, value)
            return
        self.fast[key] = value
        self.fast_bytes += size
        self.evict_until(self.target)

    def __getitem__(self, key):
        if key in self.fast:
            self.fast.move_to_end(key)
            return self.fast[key]
        if key in self.slow:
            value = self._read(key)
            size = self.sizes[key]
            if size <= self.target:  # bring it back as the most recently used value
                os.remove(self.slow.pop(key))
                self.slow_bytes -= size
                self.fast[key] = value
                self.fast_bytes += size
                self.evict_until(self.target, keep=key)
            return value
        raise KeyError(key)

    def __delitem__(self, key):
        if key not in self.sizes:
            raise KeyError(key)
        self._discard(key)

    def __contains__(self, key):
        return key in self.fast or key in self.slow

    def __iter__(self):
        yield from list(self.fast)
        yield from list(self.slow)

    def __len__(self):
        return len(self.fast) + len(self.slow)

    def evict_until(self, limit, keep=None):
        """Spill least-recently-used values until the in-memory total is at most ``limit``."""
        while self.fast_bytes > limit and self.fast:
            key = next(iter(self.fast))
            if key == keep:
                if len(self.fast) == 1:
                    return
                self.fast.move_to_end(key)
                continue
            value = self.fast.pop(key)
            self.fast_bytes -= self.sizes[key]
            self._write(key, value)

    def evict_one(self):
        """Spill the least recently used value; returns its size (0 if nothing was in memory)."""
        if not self.fast:
            return 0
        key, value = self.fast.popitem(last=False)
        size = self.sizes[key]
        self.fast_bytes -= size
        self._write(key, value)
        return size

    def _discard(self, key):
        if key in self.fast:
            del self.fast[key]
            self.fast_bytes -= self.sizes[key]
        elif key in self.slow:
            path = self.slow.pop(key)
            self.slow_bytes -= self.sizes[key]
            try:
                os.remove(path)
            except OSError:
                pass
        self.sizes.pop(key, None)

    def _write(self, key, value):
        _header, frames = pickle_dumps(value)
        path = os.path.join(self.directory, uuid.uuid4().hex)
        with open(path, "wb") as f:
            f.write(struct.pack(f"<Q{len(frames)}Q", len(frames), *(memoryview(fr).nbytes for fr in frames)))
            for frame in frames:
                f.write(frame)
        self.slow[key] = path
        self.slow_bytes += self.sizes[key]
        self.spilled_count += 1

    def _read(self, key):
        with open(self.slow[key], "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            lengths = struct.unpack(f"<{n}Q", f.read(8 * n))
            frames = []
            for length in lengths:
                buf = bytearray(length)
                f.readinto(buf)
                frames.append(buf)
        return pickle_loads({}, frames)

    def clear(self):
        for key in list(self.sizes):
            self._discard(key)

    def close(self):
        self.clear()
        shutil.rmtree(self.directory, ignore_errors=True)
