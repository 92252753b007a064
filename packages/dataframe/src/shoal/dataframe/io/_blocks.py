"""Turning shoal.bytes blocks (Delayed objects) into a partitioned expression of raw bytes."""
from __future__ import annotations

from .._expr import FromGraph


class ByteBlocks(FromGraph):
    """Raw byte blocks, one per partition (an input to the text readers)."""

    _parameters = ("layer", "name", "meta", "divisions_", "nbytes")

    @property
    def is_scalar(self):
        return False

    def _estimated_nbytes(self):
        return self.nbytes

    @property
    def columns(self):
        return []

    def _label(self):
        return f"ByteBlocks({self.npartitions} blocks)"


def _identity(x):
    return x


def blocks_expr(delayeds, name, nbytes=None) -> ByteBlocks:
    layer = {}
    for i, d in enumerate(delayeds):
        graph = dict(d.__shoal_graph__())
        if len(graph) == 1 and d.key in graph:
            layer[(name, i)] = graph[d.key]
        else:
            layer.update(graph)
            layer[(name, i)] = (_identity, d.key)
    return ByteBlocks(layer, name, None, (None,) * (len(delayeds) + 1), nbytes)




def literal_blocks_expr(items, name, nbytes=None) -> ByteBlocks:
    """Blocks given as plain values (descriptions a reader opens itself), one per partition."""
    layer = {(name, i): item for i, item in enumerate(items)}
    return ByteBlocks(layer, name, None, (None,) * (len(items) + 1), nbytes)
