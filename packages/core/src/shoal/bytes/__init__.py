"""Bytes I/O through fsspec, shared by the bag and dataframe readers."""

from shoal.bytes.core import open_files, read_bytes

__all__ = ["open_files", "read_bytes"]
