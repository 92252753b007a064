"""A small collection written only against the protocol, to test shoal.compute and friends on
something that is not Delayed."""

from __future__ import annotations

import itertools

import pytest

from shoal.base import ShoalMethodsMixin, tokenize
from shoal.highlevelgraph import HighLevelGraph


def _concat(parts):
    return list(itertools.chain.from_iterable(parts))


def _rebuild(dsk, name, n):
    return Chunks(name, n, dsk)


class Chunks(ShoalMethodsMixin):
    """A list split into ``n`` parts: ``(name, i)`` holds part ``i``."""

    optimized_with: list = []

    def __init__(self, name, n, graph):
        self.name, self.n, self.graph = name, n, graph

    @classmethod
    def from_list(cls, values, n):
        name = "chunks-" + tokenize(values, n)
        size = -(-len(values) // n)
        layer = {(name, i): values[i * size:(i + 1) * size] for i in range(n)}
        return cls(name, n, HighLevelGraph({name: layer}, {name: set()}))

    def map(self, func):
        name = "map-" + tokenize(self.name, func)
        layer = {(name, i): (list, (map, func, (self.name, i))) for i in range(self.n)}
        return Chunks(name, self.n, HighLevelGraph.from_collections(name, layer, [self]))

    def __shoal_graph__(self):
        return self.graph

    def __shoal_keys__(self):
        return [(self.name, i) for i in range(self.n)]

    def __shoal_postcompute__(self):
        return _concat, ()

    def __shoal_postpersist__(self):
        return _rebuild, (self.name, self.n)

    @staticmethod
    def __shoal_optimize__(dsk, keys, **kwargs):
        from shoal.optimization import cull

        Chunks.optimized_with.append(kwargs)
        return cull(dict(dsk), keys)[0]


@pytest.fixture
def chunks():
    return Chunks
