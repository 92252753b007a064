"""Which array types shoal keeps as blocks, and which it leaves to handle mixed operations themselves.

NumPy's protocols (NEP 13/18) order array types: a type that wraps others (xarray, pint, ...) is
"upcast" and should handle ``shoal_array + its_object``; a type shoal may hold in its blocks (NumPy,
and what users register with ``register_chunk_type``) is "downcast", so shoal handles the mix and keeps
that type in its blocks. Array methods and ``__array_ufunc__`` return NotImplemented for upcast types.
"""

import builtins
import numbers

import numpy as np

_CHUNK_TYPES = [np.ndarray]


def register_chunk_type(type):
    """Let shoal arrays hold blocks of the duck array ``type`` and handle operations that mix the two
    (``shoal_array + obj`` and NumPy ufuncs on both give shoal arrays, ``obj`` kept as a block)."""
    if not isinstance(type, builtins.type):
        raise TypeError(f"register_chunk_type expects a class, got {type!r}")
    if type not in _CHUNK_TYPES:
        _CHUNK_TYPES.append(type)
    return type


def is_valid_chunk_type(type):
    """Whether shoal can hold objects of ``type`` as blocks."""
    return issubclass(type, tuple(_CHUNK_TYPES))


def is_registered_duck_array(x):
    """A registered chunk type other than NumPy's: wrapped as a block without conversion."""
    return not isinstance(x, np.ndarray) and is_valid_chunk_type(builtins.type(x))


def should_defer(other):
    """Whether an operation of a shoal array with ``other`` belongs to ``other``'s type: it opts out of
    NumPy's protocol (``__array_ufunc__ = None``) or it speaks the protocol without being a chunk type."""
    from .core import Array

    if isinstance(other, (Array, numbers.Number, np.generic, str, bytes, list, tuple)) or other is None:
        return False
    if getattr(builtins.type(other), "__array_ufunc__", False) is None:
        return True
    if is_valid_chunk_type(builtins.type(other)):
        return False
    return hasattr(other, "__array_ufunc__") or hasattr(other, "__array_function__")
