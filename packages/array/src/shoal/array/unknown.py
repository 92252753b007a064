"""Arrays whose block sizes are unknown (NaN) — after boolean indexing, or built from dataframes —
and computing those sizes."""

import numpy as np

from shoal.base import compute

from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _block_shape(block):
    shape = np.shape(block)
    return np.array(shape, dtype=np.int64).reshape((1,) * (len(shape) - 1) + (len(shape),))


def compute_chunk_sizes(x):
    """Compute every block's shape and return the resulting (known) chunks."""
    import itertools

    if x.ndim == 0:
        return x.chunks
    name = f"chunk-shapes-{x.name}"
    layer = {
        (name,) + idx: (_block_shape, (x.name,) + idx)
        for idx in itertools.product(*(range(n) for n in x.numblocks))
    }
    shapes = Array(HighLevelGraph.from_collections(name, layer, [x]), name,
                   tuple((1,) * len(c) for c in x.chunks[:-1]) + ((x.ndim,) * len(x.chunks[-1]),), dtype=np.int64)
    (flat,) = compute(shapes)
    flat = np.asarray(flat)
    chunks = []
    for d in range(x.ndim):
        index = [0] * x.ndim
        sizes = []
        for i in range(x.numblocks[d]):
            index[d] = i
            pos = tuple(index[:-1]) + (index[-1] * x.ndim + d,)
            sizes.append(int(flat[pos]))
        chunks.append(tuple(sizes))
    return tuple(chunks)
