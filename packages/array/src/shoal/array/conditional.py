"""Choosing values by conditions, elementwise: ``select`` and ``piecewise`` (NumPy's semantics)."""

import functools

import numpy as np

from .elementwise import elemwise


def select(condlist, choicelist, default=0):
    """``np.select``: the first choice whose condition holds, else ``default``; all broadcast."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(condlist)} conditions but {len(choicelist)} choices; they must pair up")
    return elemwise(functools.partial(_select_block, len(condlist), default), *condlist, *choicelist)


def _select_block(n, default, *arrays):
    return np.select(list(arrays[:n]), list(arrays[n:]), default)


def piecewise(x, condlist, funclist, *args, **kwargs):
    """``np.piecewise`` block by block: ``funclist[i]`` (a function or a value) where ``condlist[i]``."""
    if not isinstance(condlist, (list, tuple)):
        condlist = [condlist]
    # the literals ride in a partial: a list of functions must not look like data or a task
    return elemwise(functools.partial(_piecewise_block, funclist, args, kwargs), x, *condlist, dtype=x.dtype)


def _piecewise_block(funclist, args, kwargs, block, *conds):
    return np.piecewise(block, list(conds), funclist, *args, **kwargs)
