"""``shoal.array.lib.stride_tricks``: ``sliding_window_view`` where NumPy and Dask keep it."""

from ..overlap import sliding_window_view

__all__ = ["sliding_window_view"]
