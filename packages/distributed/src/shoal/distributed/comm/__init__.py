"""Transports: ``tcp://host:port`` over Tornado IOStreams and ``inproc://`` inside one process."""

from .core import Comm, CommClosedError, connect, listen, parse_address, unparse_address

__all__ = ["Comm", "CommClosedError", "connect", "listen", "parse_address", "unparse_address"]
