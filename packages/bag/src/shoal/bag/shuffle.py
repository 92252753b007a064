"""``groupby`` by a full shuffle: every input partition splits its elements by a stable hash of their
key into one piece per output partition; each output partition gathers its pieces and groups them.

Pieces travel in memory while they are small. When an input partition's pieces are large (more than
``bag.shuffle-spill-threshold``, estimated from a pickled sample) they are written to files in a
temporary directory and only the file names travel, so a shuffle larger than memory runs on local
processes. ``shuffle='disk'`` always spills, ``shuffle='tasks'`` never does (on a cluster of several
machines, use 'tasks' unless ``bag.temporary-directory`` is on a shared filesystem).
"""

from __future__ import annotations

import operator
import os
import pickle
import socket
import tempfile
import uuid
import zlib

import shoal.config
from shoal.bag.errors import Where, add_where
from shoal.bag.graph import new_bag
from shoal.base import tokenize
from shoal.utils import funcname, parse_bytes

_methods = ("auto", "disk", "tasks")


def groupby(bag, grouper, npartitions=None, shuffle=None, method=None, max_branch=None,
            blocksize=None):
    """``(key, [elements with that key])`` pairs in ``npartitions`` partitions (default: as many as
    the bag has). ``method``, ``max_branch`` and ``blocksize`` are accepted for compatibility."""
    key = grouper if callable(grouper) else operator.itemgetter(grouper)
    npartitions = npartitions or bag.npartitions
    mode = (shuffle or method or shoal.config.get("bag.shuffle", "auto")).lower()
    if mode not in _methods:
        raise ValueError(f"groupby: shuffle must be one of {_methods}, got {mode!r}")
    token = tokenize(bag, key, npartitions, mode)
    name = f"groupby-{funcname(key)}-{token}"
    split = f"{name}-split"
    spill = _spill_settings(mode, token)
    layer = {(split, i): (split_partition, key, npartitions, (bag.name, i), spill,
                          Where(f"partition {i} of {name}"))
             for i in range(bag.npartitions)}
    if mode == "tasks":  # one key per piece, so a cluster moves each piece on its own
        piece = f"{name}-piece"
        for i in range(bag.npartitions):
            for j in range(npartitions):
                layer[(piece, i, j)] = (operator.getitem, (split, i), j)
        for j in range(npartitions):
            layer[(name, j)] = (group_pieces, [(piece, i, j) for i in range(bag.npartitions)])
    else:
        for j in range(npartitions):
            layer[(name, j)] = (group_output, j, [(split, i) for i in range(bag.npartitions)])
    return new_bag(name, layer, [bag], npartitions)


def _spill_settings(mode: str, token: str):
    if mode == "tasks":
        return None
    threshold = 0 if mode == "disk" else parse_bytes(shoal.config.get("bag.shuffle-spill-threshold"))
    base = shoal.config.get("bag.temporary-directory", None) or shoal.config.get(
        "temporary-directory", None) or tempfile.gettempdir()
    return SpillSettings(os.path.join(base, f"shoal-bag-shuffle-{token}"), threshold)


class SpillSettings:
    __slots__ = ("directory", "threshold")

    def __init__(self, directory: str, threshold: int):
        self.directory = directory
        self.threshold = threshold

    def __reduce__(self):
        return (SpillSettings, (self.directory, self.threshold))


class SpillFile:
    """A piece written to disk: its path and the host that wrote it (to explain a missing file)."""

    __slots__ = ("path", "host")

    def __init__(self, path: str, host: str):
        self.path = path
        self.host = host

    def __reduce__(self):
        return (SpillFile, (self.path, self.host))

    def load(self) -> list:
        try:
            with open(self.path, "rb") as f:
                piece = pickle.load(f)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"groupby: shuffle file {self.path!r} written on host {self.host!r} is not visible "
                f"on {socket.gethostname()!r}; on a multi-machine cluster use groupby(shuffle='tasks') "
                "or set bag.temporary-directory to a shared filesystem"
            ) from None
        os.remove(self.path)
        try:  # the last reader removes the shuffle's directory
            os.rmdir(os.path.dirname(self.path))
        except OSError:
            pass
        return piece


# -- stable hashing: Python's str hash differs between processes, so it cannot route keys -----------
def stable_hash(x) -> int:
    """A hash of ``x`` that is the same in every process (and equal for ``1``, ``1.0`` and ``True``)."""
    t = type(x)
    if t is str:
        return zlib.crc32(x.encode("utf-8", "surrogatepass"))
    if t in (int, float, bool, complex) or x is None:
        return hash(x)
    if t is bytes:
        return zlib.crc32(x)
    if t is tuple:
        h = 0x345678
        for item in x:
            h = (h * 1000003) ^ stable_hash(item)
            h &= 0xFFFFFFFFFFFF
        return h
    if t is frozenset:
        return sum(stable_hash(item) for item in x) & 0xFFFFFFFFFFFF
    return zlib.crc32(pickle.dumps(x, protocol=4))


def split_partition(key, npartitions: int, partition, spill, where: Where):
    """One list of ``(key, element)`` pairs per output partition, or their spill files."""
    pieces = [[] for _ in range(npartitions)]
    for index, x in enumerate(partition):
        try:
            k = key(x)
            h = stable_hash(k)
        except Exception as e:
            add_where(e, key, where.describe(index))
            raise
        pieces[h % npartitions].append((k, x))
    if spill is None or not _too_large(pieces, spill.threshold):
        return pieces
    os.makedirs(spill.directory, exist_ok=True)
    host = socket.gethostname()
    out = []
    for j, piece in enumerate(pieces):
        if not piece:
            out.append(piece)
            continue
        path = os.path.join(spill.directory, f"{j}-{uuid.uuid4().hex}.pickle")
        with open(path, "wb") as f:
            pickle.dump(piece, f, protocol=pickle.HIGHEST_PROTOCOL)
        out.append(SpillFile(path, host))
    return out


def _too_large(pieces, threshold: int) -> bool:
    if threshold <= 0:
        return True
    n = sum(len(p) for p in pieces)
    sample = [pair for p in pieces for pair in p[:10]][:200]
    if not sample:
        return False
    per_element = len(pickle.dumps(sample, protocol=pickle.HIGHEST_PROTOCOL)) / len(sample)
    return per_element * n > threshold


def group_output(j: int, splits) -> list:
    """Output partition ``j``: piece ``j`` of every split, grouped by key."""
    return group_pieces([s[j] for s in splits])


def group_pieces(pieces) -> list:
    groups: dict = {}
    for piece in pieces:
        if type(piece) is SpillFile:
            piece = piece.load()
        for k, x in piece:
            groups.setdefault(k, []).append(x)
    return list(groups.items())
