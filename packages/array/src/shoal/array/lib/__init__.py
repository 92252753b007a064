"""``shoal.array.lib``: the parts of ``numpy.lib`` that have shoal versions (``stride_tricks``)."""

from . import stride_tricks

__all__ = ["stride_tricks"]
