"""Generalized ufuncs: ``apply_gufunc(func, "(i),(i)->()", *arrays)`` applies a function with a NumPy
gufunc signature over the loop axes of its inputs (core axes are whole inside every block);
``gufunc``/``as_gufunc`` wrap a function once so that it can be called like a NumPy gufunc.

Core axes are the last ones unless ``axes=``/``axis=`` say where they are (as in NumPy): inputs have
them moved last, outputs have them moved into place afterwards."""

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
    """Apply ``func`` following ``signature`` (NumPy gufunc notation) to shoal arrays.

    ``axes``: one tuple of core-axis positions per input and output (NumPy's meaning); ``axis``: the
    one core axis shared by all operands; ``keepdims``: keep reduced core axes as length 1."""
    from .io import asarray

    in_dims, out_dims = parse_signature(signature)
    if len(in_dims) != len(args):
        raise ValueError(f"signature {signature!r} has {len(in_dims)} inputs, {len(args)} arrays given")
    arrays = [asarray(a) for a in args]
    if axis is not None or axes is not None or keepdims:
        in_axes, out_axes = _core_axes(signature, in_dims, out_dims, arrays, axes, axis, keepdims)
        arrays = [_move_core_last(a, ax) for a, ax in zip(arrays, in_axes)]
        results = _apply_core_last(func, signature, in_dims, out_dims, arrays, output_dtypes, output_sizes,
                                   vectorize, allow_rechunk, kwargs)
        many = isinstance(results, tuple)
        results = list(results) if many else [results]
        if keepdims:
            results = [r.reshape(r.shape + (1,) * len(in_dims[0])) for r in results]
        results = [_move_core_back(r, ax) for r, ax in zip(results, out_axes)]
        return tuple(results) if many else results[0]
    return _apply_core_last(func, signature, in_dims, out_dims, arrays, output_dtypes, output_sizes, vectorize,
                            allow_rechunk, kwargs)


def _core_axes(signature, in_dims, out_dims, arrays, axes, axis, keepdims):
    """Per input and per output, the positions of its core axes (normalised, non-negative)."""
    if axis is not None:
        if axes is not None:
            raise TypeError("apply_gufunc: give axis= or axes=, not both")
        if any(len(d) > 1 for d in in_dims + out_dims):
            raise ValueError(f"apply_gufunc: axis= needs at most one core dimension per operand; signature {signature!r}")
        axes = [(axis,) if d else () for d in in_dims] + [(axis,) if d or keepdims else () for d in out_dims]
    if keepdims and (any(out_dims) or len({len(d) for d in in_dims}) != 1):
        raise ValueError(f"apply_gufunc: keepdims=True needs inputs with equal numbers of core dimensions and "
                         f"outputs without core dimensions; signature {signature!r}")
    if axes is None:
        axes = [tuple(range(-len(d), 0)) for d in in_dims]
    axes = [(a,) if isinstance(a, (int, np.integer)) else tuple(a) for a in axes]
    if len(axes) == len(in_dims):
        axes += [axes[0] if keepdims else tuple(range(-len(d), 0)) for d in out_dims]
    if len(axes) != len(in_dims) + len(out_dims):
        raise ValueError(f"apply_gufunc: axes= has {len(axes)} entries; signature {signature!r} has "
                         f"{len(in_dims)} inputs and {len(out_dims)} outputs")
    in_axes = axes[:len(in_dims)]
    for a, ax, core in zip(arrays, in_axes, in_dims):
        if len(ax) != len(core):
            raise ValueError(f"apply_gufunc: axes entry {ax} for an input of shape {a.shape} does not match "
                             f"its core dimensions {core}")
    loop_ndim = max(a.ndim - len(d) for a, d in zip(arrays, in_dims))
    out_axes = []
    for ax, core in zip(axes[len(in_dims):], out_dims):
        ncore = len(in_dims[0]) if keepdims else len(core)
        if len(ax) != ncore:
            raise ValueError(f"apply_gufunc: axes entry {ax} for an output does not match its {ncore} core "
                             f"dimension(s) in signature {signature!r}")
        out_axes.append(ax)
    in_axes = [_normalize(ax, a.ndim) for ax, a in zip(in_axes, arrays)]
    out_axes = [_normalize(ax, loop_ndim + len(ax)) for ax in out_axes]
    return in_axes, out_axes


def _normalize(ax, ndim):
    from .shape import normalize_axis

    out = tuple(normalize_axis(a, ndim) for a in ax)
    if len(set(out)) != len(out):
        raise ValueError(f"apply_gufunc: repeated axis in {ax}")
    return out


def _move_core_last(a, ax):
    from .shape import moveaxis

    return moveaxis(a, ax, tuple(range(a.ndim - len(ax), a.ndim))) if ax else a


def _move_core_back(r, ax):
    from .shape import moveaxis

    return moveaxis(r, tuple(range(r.ndim - len(ax), r.ndim)), ax) if ax else r


def _apply_core_last(func, signature, in_dims, out_dims, arrays, output_dtypes, output_sizes, vectorize,
                     allow_rechunk, kwargs):
    if vectorize:
        func = np.vectorize(func, signature=signature)
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


class gufunc:
    """A function wrapped to behave like a NumPy generalized ufunc on shoal arrays.

    ``gufunc(np.linalg.det, signature="(i,j)->()")(x)`` is ``apply_gufunc(np.linalg.det, "(i,j)->()", x)``;
    the keyword arguments given here are defaults for every call."""

    def __init__(self, pyfunc, *, signature=None, vectorize=False, axes=None, axis=None, keepdims=False,
                 output_sizes=None, output_dtypes=None, allow_rechunk=False, meta=None):
        if signature is None:
            raise ValueError(f"gufunc of {getattr(pyfunc, '__name__', pyfunc)!r} needs a signature, e.g. '(i)->()'")
        parse_signature(signature)
        self.pyfunc = pyfunc
        self.signature = signature
        self.defaults = {"vectorize": vectorize, "axes": axes, "axis": axis, "keepdims": keepdims,
                         "output_sizes": output_sizes, "output_dtypes": output_dtypes,
                         "allow_rechunk": allow_rechunk, "meta": meta}
        functools.update_wrapper(self, pyfunc, updated=())

    def __call__(self, *args, **kwargs):
        options = {**self.defaults, **kwargs}
        return apply_gufunc(self.pyfunc, self.signature, *args, **options)

    def __repr__(self):
        return f"<gufunc {getattr(self.pyfunc, '__name__', self.pyfunc)!s} signature={self.signature!r}>"


def as_gufunc(signature=None, **kwargs):
    """Decorator: ``@as_gufunc("(i)->()", output_dtypes=float)`` turns a function into a :class:`gufunc`."""

    def wrap(pyfunc):
        return gufunc(pyfunc, signature=signature, **kwargs)

    return wrap
