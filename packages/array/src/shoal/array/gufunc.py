"""apply_gufunc: apply a function with a NumPy generalized-ufunc signature, e.g. ``"(i),(i)->()"``,
over the loop (leading) axes of its inputs; core axes are whole inside every block."""

import functools
import re

import numpy as np

from .blockwise import blockwise

_DIMS = re.compile(r"\(([^()]*)\)")


def parse_signature(signature):
    """``"(i,j),(j)->(i)"`` -> ([("i", "j"), ("j",)], [("i",)]); several outputs allowed."""
    signature = signature.replace(" ", "")
    if "->" not in signature:
        raise ValueError(f"not a gufunc signature: {signature!r} (expected e.g. '(i),(i)->()')")
    ins, outs = signature.split("->")

    def dims(part):
        return [tuple(d for d in group.split(",") if d) for group in _DIMS.findall(part)]

    return dims(ins), dims(outs)


def apply_gufunc(func, signature, *args, axes=None, axis=None, keepdims=False, output_dtypes=None,
                 output_sizes=None, vectorize=None, allow_rechunk=False, meta=None, **kwargs):
    """Apply ``func`` following ``signature`` (NumPy gufunc notation) to shoal arrays."""
    from .io import asarray

    if axes is not None or axis is not None or keepdims:
        raise NotImplementedError("apply_gufunc: axes=/axis=/keepdims= are not supported; move the core axes last")
    in_dims, out_dims = parse_signature(signature)
    if len(in_dims) != len(args):
        raise ValueError(f"signature {signature!r} has {len(in_dims)} inputs, {len(args)} arrays given")
    if vectorize:
        func = np.vectorize(func, signature=signature)
    arrays = [asarray(a) for a in args]
    loop_ndim = max(a.ndim - len(d) for a, d in zip(arrays, in_dims))
    loop_letters = [f"L{i}" for i in range(loop_ndim)]
    sizes = dict(output_sizes or {})
    pairs = []
    for a, core in zip(arrays, in_dims):
        if a.ndim < len(core):
            raise ValueError(f"apply_gufunc: an input of shape {a.shape} has fewer axes than its core dims {core}")
        for d, name in zip(range(a.ndim - len(core), a.ndim), core):
            if name in sizes and sizes[name] != a.shape[d]:
                raise ValueError(f"core dimension {name!r} has sizes {sizes[name]} and {a.shape[d]}")
            sizes[name] = a.shape[d]
        whole = {d: -1 for d in range(a.ndim - len(core), a.ndim) if len(a.chunks[d]) > 1}
        if whole:
            if not allow_rechunk:
                raise ValueError(
                    f"apply_gufunc: core dimensions {core} of an input of shape {a.shape} span several "
                    f"blocks {a.chunks}; rechunk them to one block or pass allow_rechunk=True"
                )
            a = a.rechunk(whole)
        nloop = a.ndim - len(core)
        pairs += [a, tuple(loop_letters[loop_ndim - nloop:]) + tuple(f"C_{c}" for c in core)]
    if output_dtypes is None:
        output_dtypes = [np.result_type(*[a.dtype for a in arrays])] * len(out_dims)
    elif not isinstance(output_dtypes, (list, tuple)):
        output_dtypes = [output_dtypes]
    outputs = []
    single = len(out_dims) == 1
    for n, core in enumerate(out_dims):
        missing = [c for c in core if c not in sizes]
        if missing:
            raise ValueError(f"apply_gufunc: give output_sizes for new core dimensions {missing}")
        in_letters = {c for p in pairs[1::2] for c in p}
        new_axes = {f"C_{c}": sizes[c] for c in core if f"C_{c}" not in in_letters}
        f = func if single else functools.partial(_nth, func, n)
        out_ind = tuple(loop_letters) + tuple(f"C_{c}" for c in core)
        outputs.append(blockwise(f, out_ind, *pairs, dtype=output_dtypes[n], new_axes=new_axes,
                                 concatenate=True, **kwargs))
    return outputs[0] if single else tuple(outputs)


def _nth(func, n, *args, **kwargs):
    return func(*args, **kwargs)[n]
