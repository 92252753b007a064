"""random_split: every partition deals its rows into pieces with the given fractions."""
from __future__ import annotations

import numpy as np

from ._expr import MapPartitions


def _piece(part, fractions, seed, j, partition_info):
    rng = np.random.default_rng([seed, partition_info["number"]])
    which = rng.choice(len(fractions), size=len(part), p=fractions)
    return part[which == j]


def random_split(frame, frac, random_state=None, shuffle=False):
    """Split rows into ``len(frac)`` collections of about those fractions (each row in one)."""
    from ._collection import new_collection

    fractions = np.asarray(frac, dtype="float64")
    if fractions.ndim != 1 or (fractions < 0).any() or not np.isclose(fractions.sum(), 1):
        raise ValueError(f"random_split: frac must be non-negative and sum to 1, got {list(frac)}")
    fractions = fractions / fractions.sum()
    seed = random_state if isinstance(random_state, int) else int(
        np.random.default_rng(random_state).integers(2**31))
    pieces = []
    for j in range(len(fractions)):
        kwargs = {"fractions": fractions, "seed": seed, "j": j}
        piece = new_collection(MapPartitions(_piece, frame._meta, "keep", kwargs, False,
                                             [frame.expr], True))
        pieces.append(piece.sample(frac=1, random_state=seed + j) if shuffle else piece)
    return pieces
