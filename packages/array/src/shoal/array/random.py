"""Random arrays: ``RandomState`` (NumPy's legacy API), ``default_rng``/``Generator`` (the new API)
and module-level functions (random, normal, randint, uniform, ...).

Each call draws one 63-bit seed from the object's own NumPy generator. Uniform draws (``random``,
``random_sample``, ``uniform``) come from one counter-based Philox stream over the whole array in C
order — each block jumps straight to its elements — so they do not depend on the chunking. Other
distributions consume a variable number of raw draws per value, so each block gets its own stream
from ``SeedSequence(seed, spawn_key=(block number,))``: reproducible for a given seed and chunking.
"""

import itertools
import numbers

import numpy as np

from shoal.base import tokenize

from .chunks import chunk_offsets, normalize_chunks
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _size_tuple(size):
    if size is None:
        return ()
    if isinstance(size, (numbers.Integral, np.integer)):
        return (int(size),)
    return tuple(int(s) for s in size)


def _block_args(args, shape, slices, idx):
    out = []
    for a in args:
        if isinstance(a, Array):
            out.append((a.name,) + idx)  # a parameter array already broadcast and chunked like the output
        elif np.ndim(a):
            out.append(np.broadcast_to(a, shape)[slices])
        else:
            out.append(a)
    return out


_UNIFORM = {"random", "random_sample", "uniform"}


def _uniform_runs(shape, starts, bshape):
    """(flat offset, length) of the C-order runs of the whole array that a block covers."""
    j = max((d for d in range(len(shape)) if bshape[d] != shape[d]), default=-1)
    if j < 0:
        return [(0, int(np.prod(shape, dtype=np.int64)))]
    inner = int(np.prod(shape[j + 1:], dtype=np.int64))
    length = bshape[j] * inner
    runs = []
    for idx in itertools.product(*(range(s, s + n) for s, n in zip(starts[:j], bshape[:j]))):
        row = int(np.ravel_multi_index(idx, shape[:j])) if j else 0
        runs.append((row * shape[j] * inner + starts[j] * inner, length))
    return runs


def _philox_doubles(seed, offset, length):
    bits = np.random.Philox(key=seed, counter=offset // 4)
    bits.random_raw(offset % 4)
    return np.random.Generator(bits).random(length)


def _uniform_block(seed, runs, bshape, low, high, dtype):
    size = int(np.prod(bshape, dtype=np.int64))
    first, last = runs[0][0], runs[-1][0] + runs[-1][1]
    if last - first <= size + 1000 * len(runs):
        # starting a stream costs about as much as drawing 1000 numbers: when the runs are short
        # and close together, draw the whole span once and keep the block's runs
        span = _philox_doubles(seed, first, last - first)
        out = np.concatenate([span[o - first:o - first + n] for o, n in runs]) if runs else span[:0]
    else:
        out = np.concatenate([_philox_doubles(seed, o, n) for o, n in runs])
    out = out.reshape(bshape)
    if (low, high) != (0.0, 1.0):
        out = low + (high - low) * out
    return out.astype(dtype, copy=False)


def _draw_block(kind, method, seed, block, args, kwargs, shape):
    seq = np.random.SeedSequence(seed, spawn_key=(block,))
    if kind == "legacy":
        rs = np.random.RandomState(np.random.MT19937(seq))
    else:
        rs = np.random.Generator(np.random.PCG64(seq))
    return getattr(rs, method)(*args, size=shape, **kwargs)


class _Base:
    kind = None

    def _seed(self):
        raise NotImplementedError

    def _wrap(self, method, *args, size=None, chunks="auto", dtype=None, **kwargs):
        shape = _size_tuple(size)
        if not shape and size is None:
            shapes = [tuple(a.shape) if isinstance(a, Array) else np.shape(a) for a in args]
            shape = np.broadcast_shapes(*shapes) if shapes else ()
        sample = getattr(np.random.RandomState(0) if self.kind == "legacy" else np.random.default_rng(0), method)(
            *[_sample_value(a) for a in args], size=(1,), **kwargs)
        dtype = np.dtype(dtype) if dtype is not None else sample.dtype
        chunks = normalize_chunks(chunks, shape, dtype=dtype)
        args = [_parameter_array(a, shape, chunks) if isinstance(a, Array) else a for a in args]
        seed = self._seed()
        name = f"{method}-{tokenize(seed, method, args, kwargs, shape, chunks)}"
        offsets = [chunk_offsets(c) for c in chunks]
        layer = {}
        uniform = _uniform_bounds(method, args, kwargs, dtype)
        for n, idx in enumerate(itertools.product(*(range(len(c)) for c in chunks))):
            bshape = tuple(c[i] for c, i in zip(chunks, idx))
            slices = tuple(slice(offsets[d][i], offsets[d][i + 1]) for d, i in enumerate(idx))
            if uniform and all(bshape):
                runs = _uniform_runs(shape, tuple(s.start for s in slices), bshape)
                layer[(name,) + idx] = (_uniform_block, seed, runs, bshape, *uniform, dtype)
                continue
            task = (_draw_block, self.kind, method, seed, n, _block_args(args, shape, slices, idx), kwargs, bshape)
            layer[(name,) + idx] = (_astype, task, dtype) if dtype != sample.dtype else task
        return Array(HighLevelGraph.from_collections(name, layer, [a for a in args if isinstance(a, Array)]), name, chunks, dtype)


def _sample_value(a):
    """One representative parameter value, to find the output dtype without computing anything."""
    if isinstance(a, Array):
        return np.ones((), a.dtype)[()]
    return np.asarray(a).ravel()[:1].reshape(()) if np.ndim(a) else a


def _parameter_array(a, shape, chunks):
    """A shoal-array parameter broadcast to the output shape and cut into the output's blocks."""
    from .creation import broadcast_to

    try:
        return broadcast_to(a, shape).rechunk(chunks)
    except ValueError:
        raise ValueError(f"a random parameter of shape {a.shape} does not broadcast to size {shape}") from None


def _uniform_bounds(method, args, kwargs, dtype):
    """(low, high) when this call can use the chunking-independent uniform stream, else None."""
    if method not in _UNIFORM or kwargs or dtype != np.float64:
        return None
    if method == "uniform":
        low, high = (list(args) + [0.0, 1.0][len(args):])[:2]
        if np.ndim(low) or np.ndim(high):
            return None
        return float(low), float(high)
    return (0.0, 1.0) if not args else None


def _astype(x, dtype):
    return np.asarray(x).astype(dtype, copy=False)


class RandomState(_Base):
    """Like ``numpy.random.RandomState``, producing chunked arrays: ``RandomState(42).normal(size=...,
    chunks=...)``."""

    kind = "legacy"

    def __init__(self, seed=None):
        self.seed(seed)

    def seed(self, seed=None):
        self._master = seed if isinstance(seed, np.random.RandomState) else np.random.RandomState(seed)

    def _seed(self):
        return int(self._master.randint(0, 2**62, dtype=np.int64))

    def random_sample(self, size=None, chunks="auto", **kwargs):
        return self._wrap("random_sample", size=size, chunks=chunks, **kwargs)

    random = random_sample

    def randint(self, low, high=None, size=None, chunks="auto", dtype=int, **kwargs):
        return self._wrap("randint", low, high, size=size, chunks=chunks, dtype=dtype, **kwargs)

    def random_integers(self, low, high=None, size=None, chunks="auto", **kwargs):
        return self.randint(low, (high if high is not None else low) + 1, size=size, chunks=chunks, **kwargs)

    def choice(self, a, size=None, replace=True, p=None, chunks="auto"):
        return _choice(self, a, size, replace, p, chunks)

    def permutation(self, x):
        return _permutation(self, x)


class Generator(_Base):
    """Like ``numpy.random.Generator``: ``default_rng(42).standard_normal((1000, 1000), chunks=100)``."""

    kind = "generator"

    def __init__(self, seed=None):
        if isinstance(seed, np.random.Generator):
            self._master = seed
        else:
            self._master = np.random.default_rng(seed)

    def _seed(self):
        return int(self._master.integers(0, 2**62))

    def random(self, size=None, dtype=np.float64, chunks="auto", **kwargs):
        return self._wrap("random", size=size, chunks=chunks, dtype=dtype, **kwargs)

    def integers(self, low, high=None, size=None, dtype=np.int64, endpoint=False, chunks="auto", **kwargs):
        return self._wrap("integers", low, high, size=size, chunks=chunks, dtype=dtype, endpoint=endpoint, **kwargs)

    def choice(self, a, size=None, replace=True, p=None, chunks="auto"):
        return _choice(self, a, size, replace, p, chunks)

    def permutation(self, x):
        return _permutation(self, x)


def _permutation(rs, x):
    """A random reordering of ``x`` along its first axis (an int n permutes ``arange(n)``); the
    order itself is drawn eagerly (it is one integer per row)."""
    from .creation import arange
    from .io import asarray

    x = arange(x) if isinstance(x, (numbers.Integral, np.integer)) else asarray(x)
    order = np.random.default_rng(rs._seed()).permutation(x.shape[0])
    return x[order]


def _choice(rs, a, size, replace, p, chunks):
    """Draw from ``a`` (an int n or a 1-d array): indices are drawn per block, then looked up.

    Without replacement the draws depend on each other, so all indices come from one task (there are
    at most ``len(a)`` of them) and every block is a slice of it."""
    if isinstance(a, (numbers.Integral, np.integer)):
        pool = None
        n = int(a)
    else:
        pool = a if isinstance(a, Array) else np.asarray(a)
        if pool.ndim != 1:
            raise ValueError(f"choice: a must be an int or a 1-d array, got shape {pool.shape}")
        n = pool.shape[0]
    if p is not None:
        p = np.asarray(p, dtype=float)
        if p.shape != (n,):
            raise ValueError(f"choice: p has shape {p.shape} but a has {n} elements")
    if not replace:
        idx = _without_replacement(rs, n, _size_tuple(size), p, chunks)
    elif p is not None:
        cdf = np.cumsum(np.asarray(p, dtype=float))
        cdf /= cdf[-1]
        u = rs._wrap("random_sample" if rs.kind == "legacy" else "random", size=size, chunks=chunks)
        idx = u.map_blocks(_lookup, cdf, dtype=np.intp)
    else:
        idx = rs._wrap("randint" if rs.kind == "legacy" else "integers", 0, n, size=size, chunks=chunks)
    if pool is None:
        return idx
    if isinstance(pool, Array):
        return pool[idx]  # a lazy gather: the pool stays a shoal array
    return idx.map_blocks(_take_pool, pool, dtype=pool.dtype)


def _without_replacement(rs, n, shape, p, chunks):
    count = int(np.prod(shape))
    if count > n:
        raise ValueError(f"choice: cannot take a sample of shape {shape} ({count} values) from {n} elements "
                         "without replacement")
    chunks = normalize_chunks(chunks, shape, dtype=np.intp)
    seed = rs._seed()
    name = f"choice-{tokenize(seed, n, shape, p, chunks)}"
    whole = (f"{name}-all",)
    layer = {whole: (_sample_all, rs.kind, seed, n, shape, p)}
    offsets = [chunk_offsets(c) for c in chunks]
    for idx in itertools.product(*(range(len(c)) for c in chunks)):
        slices = tuple(slice(offsets[d][i], offsets[d][i + 1]) for d, i in enumerate(idx))
        layer[(name,) + idx] = (_take_block, whole, slices)
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, np.dtype(np.intp))


def _sample_all(kind, seed, n, shape, p):
    rng = np.random.RandomState(seed % 2**32) if kind == "legacy" else np.random.default_rng(seed)
    return np.asarray(rng.choice(n, size=shape, replace=False, p=p), dtype=np.intp)


def _take_block(whole, slices):
    return whole[slices]


def _lookup(u, cdf):
    return np.searchsorted(cdf, u, side="right")


def _take_pool(idx, pool):
    return pool[idx]


def _distribution(name, params):
    def method(self, *args, size=None, chunks="auto", **kwargs):
        if len(args) > len(params):
            args, size = args[:len(params)], args[len(params)]
        return self._wrap(name, *args, size=size, chunks=chunks, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}({', '.join(params)}, size=None, chunks='auto')`` as a chunked array."
    return method


_DISTRIBUTIONS = {
    "beta": ["a", "b"], "binomial": ["n", "p"], "chisquare": ["df"], "exponential": ["scale"],
    "f": ["dfnum", "dfden"], "gamma": ["shape", "scale"], "geometric": ["p"], "gumbel": ["loc", "scale"],
    "hypergeometric": ["ngood", "nbad", "nsample"], "laplace": ["loc", "scale"],
    "logistic": ["loc", "scale"], "lognormal": ["mean", "sigma"], "logseries": ["p"],
    "negative_binomial": ["n", "p"], "noncentral_chisquare": ["df", "nonc"],
    "noncentral_f": ["dfnum", "dfden", "nonc"], "normal": ["loc", "scale"], "pareto": ["a"],
    "poisson": ["lam"], "power": ["a"], "rayleigh": ["scale"], "standard_cauchy": [],
    "standard_exponential": [], "standard_gamma": ["shape"], "standard_normal": [], "standard_t": ["df"],
    "triangular": ["left", "mode", "right"], "uniform": ["low", "high"], "vonmises": ["mu", "kappa"],
    "wald": ["mean", "scale"], "weibull": ["a"], "zipf": ["a"],
}
for _name, _params in _DISTRIBUTIONS.items():
    setattr(RandomState, _name, _distribution(_name, _params))
    setattr(Generator, _name, _distribution(_name, _params))


def default_rng(seed=None):
    """A chunked-array ``Generator`` seeded like ``numpy.random.default_rng(seed)``."""
    if isinstance(seed, Generator):
        return seed
    return Generator(seed)


_global = RandomState()


def seed(s=None):
    _global.seed(s)


def random(size=None, chunks="auto", **kwargs):
    return _global.random_sample(size=size, chunks=chunks, **kwargs)


random_sample = random


def randint(low, high=None, size=None, chunks="auto", dtype=int, **kwargs):
    return _global.randint(low, high, size=size, chunks=chunks, dtype=dtype, **kwargs)


def choice(a, size=None, replace=True, p=None, chunks="auto"):
    return _global.choice(a, size=size, replace=replace, p=p, chunks=chunks)


def permutation(x):
    return _global.permutation(x)


def _module_function(name):
    def f(*args, size=None, chunks="auto", **kwargs):
        return getattr(_global, name)(*args, size=size, chunks=chunks, **kwargs)

    f.__name__ = name
    f.__doc__ = getattr(RandomState, name).__doc__
    return f


for _name in _DISTRIBUTIONS:
    globals()[_name] = _module_function(_name)
