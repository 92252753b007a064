"""Getting data into and out of arrays: from_array (NumPy, h5py, zarr, memmap and any sliceable
array-like), from_delayed, store into any setitem-able target, zarr and .npy stacks, HDF5."""

import itertools
import os
import pickle
import uuid

import numpy as np

from shoal.base import is_shoal_collection, tokenize
from shoal.core import flatten
from shoal.locks import SerializableLock

from .chunk_types import is_valid_chunk_type
from .chunks import chunk_offsets, normalize_chunks
from .core import Array, block_keys
from shoal.highlevelgraph import HighLevelGraph


class BlockGetters(dict):
    """A layer of ``getter(source, slices)`` tasks; fusible into consumers."""

    fusible = True

    def __init__(self, tasks, inline_always=False):
        super().__init__(tasks)
        self.inline_always = inline_always


def getter(source, index, asarray=True, lock=None):
    """Read one block: ``source[index]``, under ``lock`` if given, as a NumPy array."""
    if lock:
        with lock:
            block = source[index]
    else:
        block = source[index]
    if asarray and not isinstance(block, np.ndarray):
        block = np.asarray(block)
    return block


def block_slices(chunks):
    """For every block index, the tuple of slices that cuts it out of the whole array."""
    offsets = [chunk_offsets(c) for c in chunks]
    return {
        idx: tuple(slice(offsets[d][i], offsets[d][i + 1]) for d, i in enumerate(idx))
        for idx in itertools.product(*(range(len(c)) for c in chunks))
    }


def _source_name(x, chunks):
    if isinstance(x, np.ndarray) and not isinstance(x, np.memmap):
        return tokenize(x, chunks)
    for attrs in (("filename", "name"), ("path",), ("store", "path")):
        try:
            parts = [getattr(x, a) for a in attrs]
        except Exception:
            continue
        try:
            return tokenize(type(x).__name__, *[str(p) for p in parts], x.shape, str(x.dtype), chunks)
        except Exception:
            continue
    if isinstance(x, np.memmap) and x.filename:
        return tokenize(str(x.filename), x.offset, x.shape, str(x.dtype), chunks)
    return uuid.uuid4().hex


def from_array(x, chunks="auto", name=None, lock=False, asarray=None, fancy=True, getitem=None,
               meta=None, inline_array=False):
    """Wrap an array-like (anything with ``shape``, ``dtype`` and NumPy slicing) as a chunked Array.

    Blocks are read lazily by slicing ``x``, so h5py datasets, zarr arrays and memmaps are read one
    block at a time. ``chunks`` may be a block shape, 'auto', explicit block sizes or a dict; 'auto'
    follows the source's own chunking (h5py/zarr) when it has one.
    """
    if isinstance(x, Array):
        return x.rechunk(chunks) if chunks != "auto" else x
    if not (hasattr(x, "shape") and hasattr(x, "dtype") and hasattr(x, "__getitem__")):
        x = np.asarray(x)
    shape = tuple(int(s) for s in x.shape)
    dtype = np.dtype(x.dtype)
    previous = getattr(x, "chunks", None)
    previous = previous if isinstance(previous, tuple) and len(previous) == len(shape) else None
    chunks = normalize_chunks(chunks, shape, dtype=dtype, previous_chunks=previous)
    if name in (None, True):
        name = "array-" + _source_name(x, chunks)
    elif name is False:
        name = "array-" + uuid.uuid4().hex
    if lock is True:
        lock = SerializableLock()
    if asarray is None:
        # registered duck arrays (see register_chunk_type) stay what they are in the blocks
        asarray = not is_valid_chunk_type(type(x)) or isinstance(x, np.matrix)
    in_memory = isinstance(x, np.ndarray) and not isinstance(x, np.memmap)
    read = getitem or getter
    original = f"array-original-{name}"
    source = x if inline_array else original
    tasks = {}
    for idx, slices in block_slices(chunks).items():
        if lock:
            tasks[(name,) + idx] = (read, source, slices, asarray, lock)
        elif asarray:
            tasks[(name,) + idx] = (read, source, slices)
        else:
            tasks[(name,) + idx] = (read, source, slices, False)
    if not shape:
        tasks = {(name,): (read, source, ())}
    layer = BlockGetters(tasks, inline_always=in_memory)
    layers = {name: layer}
    deps = {name: set()}
    if not inline_array:
        layers[original] = {original: x}
        deps[original] = set()
        deps[name] = {original}
    from shoal.highlevelgraph import HighLevelGraph

    return Array(HighLevelGraph(layers, deps), name, chunks, dtype)


def asarray(a, dtype=None, order=None, like=None, **kwargs):
    """An Array from ``a``: Arrays pass through, everything else goes through from_array."""
    if isinstance(a, Array):
        return a.astype(dtype) if dtype is not None and np.dtype(dtype) != a.dtype else a
    if isinstance(a, (list, tuple)) and any(isinstance(i, Array) for i in flatten(list(a), container=(list, tuple))):
        from .concatenate import stack

        return stack([asarray(i) for i in a]).astype(dtype) if dtype else stack([asarray(i) for i in a])
    if hasattr(a, "to_shoal_array"):
        return a.to_shoal_array()
    if not (hasattr(a, "shape") and hasattr(a, "dtype") and hasattr(a, "__getitem__")):
        a = np.asarray(a, dtype=dtype)
    x = from_array(a, chunks=kwargs.get("chunks", "auto"))
    return x.astype(dtype) if dtype is not None and np.dtype(dtype) != x.dtype else x


asanyarray = asarray


def array(a, dtype=None, copy=None, ndmin=0, **kwargs):
    x = asarray(a, dtype=dtype)
    while x.ndim < ndmin:
        x = x[None]
    return x


def from_delayed(value, shape, dtype=None, meta=None, name=None):
    """An Array of a single block computed by ``value``: a Delayed or any single-key collection
    (e.g. a distributed Future). The block must have ``shape``; stack several with block/concatenate."""
    if not is_shoal_collection(value):
        raise TypeError(f"from_delayed needs a Delayed or other shoal collection, got {type(value).__name__}")
    keys = list(flatten(value.__shoal_keys__()))
    if len(keys) != 1:
        raise ValueError(f"from_delayed needs a collection with exactly one key, got {len(keys)} keys")
    if dtype is None:
        dtype = getattr(meta, "dtype", float)
    shape = tuple(shape)
    name = name or "from-value-" + tokenize(keys[0], shape, dtype)
    chunks = tuple((s,) for s in shape)
    layer = {(name,) + (0,) * len(shape): (_check_block, keys[0], shape, np.dtype(dtype).str, repr(keys[0]))}  # repr: never a key
    return Array(HighLevelGraph.from_collections(name, layer, [value]), name, chunks, dtype)


def _check_block(block, shape, dtype, what):
    block = np.asarray(block)
    if not all(a == b or b != b for a, b in zip(block.shape, shape)) or block.ndim != len(shape):
        raise ValueError(f"from_delayed: {what} produced a block of shape {block.shape}, expected {shape}")
    return block


def store(sources, targets, lock=True, regions=None, compute=True, return_stored=False, **kwargs):
    """Write each source array into its target with ``target[region] = block``, block by block.

    Targets are anything supporting NumPy-style setitem (NumPy arrays, h5py datasets, zarr arrays,
    memmaps). With compute=False a Delayed is returned; return_stored=True gives arrays that read
    back what was written.
    """
    if isinstance(sources, Array):
        sources, targets = [sources], [targets]
    sources, targets = list(sources), list(targets)
    if len(sources) != len(targets):
        raise ValueError(f"store got {len(sources)} sources but {len(targets)} targets")
    if regions is None or isinstance(regions, tuple):
        regions = [regions] * len(sources)
    if lock is True:
        lock = SerializableLock()
    from .optimization import optimize

    graph = dict(optimize(HighLevelGraph.merge(*(s.__shoal_graph__() for s in sources)), [s.__shoal_keys__() for s in sources]))
    token = tokenize(*[s.name for s in sources], *[id(t) for t in targets], regions)
    store_keys, outputs = [], []
    for n, (src, tgt, region) in enumerate(zip(sources, targets, regions)):
        tshape = tuple(getattr(tgt, "shape", ()))
        if region is None and tshape != tuple(src.shape):
            raise ValueError(f"cannot store an array of shape {src.shape} into a target of shape {tshape}")
        target_key = f"store-target-{n}-{token}"
        graph[target_key] = tgt
        name = f"store-{n}-{token}"
        region_start = [0 if region is None else (region[d].start or 0) for d in range(src.ndim)]
        for idx, slices in block_slices(src.chunks).items():
            place = tuple(slice(s.start + o, s.stop + o) for s, o in zip(slices, region_start))
            key = (name,) + idx
            graph[key] = (store_block, (src.name,) + idx, target_key, place, lock, return_stored)
            store_keys.append(key)
        if not src.shape:
            graph[(name,)] = (store_block, (src.name,), target_key, (), lock, return_stored)
            store_keys = [k for k in store_keys if k[0] != name] + [(name,)]
        outputs.append((name, src))
    if return_stored:
        arrays = []
        for name, src in outputs:
            layer = {k: graph[k] for k in graph if isinstance(k, tuple) and k[0] == name}
            layers = HighLevelGraph({name: layer, "store-graph": graph}, {name: {"store-graph"}})
            arrays.append(Array(layers, name, src.chunks, src.dtype))
        if compute:
            from shoal.base import persist

            return persist(*arrays)
        return arrays
    done_key = f"store-done-{token}"
    graph[done_key] = (_done, store_keys)
    from shoal.delayed import Delayed

    result = Delayed(done_key, graph)
    if compute:
        result.compute(**kwargs)
        return None
    return result


def store_block(block, target, region, lock, return_stored):
    if lock:
        with lock:
            target[region] = block
    else:
        target[region] = block
    return block if return_stored else None


def _done(_):
    return None


def to_hdf5(filename, *args, chunks=True, **kwargs):
    """Write arrays to datasets of an HDF5 file in one computation (needs h5py):
    ``to_hdf5(fn, "/x", x)`` or ``to_hdf5(fn, {"/x": x, "/y": y})``. ``chunks=True`` gives each
    dataset the array's block shape as its HDF5 chunks; other keywords go to ``require_dataset``."""
    try:
        import h5py
    except ImportError as e:
        raise ImportError("to_hdf5 needs h5py: pip install h5py") from e
    if len(args) == 1 and isinstance(args[0], dict):
        arrays = args[0]
    elif len(args) == 2 and isinstance(args[0], str):
        arrays = {args[0]: args[1]}
    else:
        raise ValueError("to_hdf5(filename, '/path', array) or to_hdf5(filename, {'/path': array, ...})")
    with h5py.File(filename, mode="a") as f:
        targets = []
        for path, x in arrays.items():
            block = tuple(int(c) for c in x.chunksize) if x.ndim and all(x.chunksize) else None
            dset = f.require_dataset(path, shape=x.shape, dtype=x.dtype, chunks=block if chunks is True else chunks,
                                     **kwargs)
            targets.append(dset)
        store(list(arrays.values()), targets)


def _zarr():
    try:
        import zarr
    except ImportError as e:
        raise ImportError("zarr support needs the zarr package: pip install zarr") from e
    return zarr


def _regular(chunks):
    return all(len(set(c[:-1])) <= 1 and (len(c) < 2 or c[-1] <= c[0]) for c in chunks)


def to_zarr(arr, url, component=None, storage_options=None, overwrite=False, region=None, compute=True,
            return_stored=False, **kwargs):
    """Store ``arr`` as a zarr array at ``url`` (a path, fsspec URL, store, or an existing zarr array)."""
    zarr = _zarr()
    if not _regular(arr.chunks):
        raise ValueError(
            f"zarr needs regular chunks (all equal but the last), got {arr.chunks}; call "
            "x.rechunk(x.chunksize) or pass a regular chunk shape first"
        )
    if isinstance(url, zarr.Array):
        target = url
    else:
        chunks = tuple(int(c) for c in arr.chunksize) if arr.ndim else ()
        try:
            target = zarr.open_array(
                store=url, mode="w" if overwrite else "w-", shape=arr.shape, chunks=chunks or None,
                dtype=arr.dtype, path=component, storage_options=storage_options, **kwargs)
        except FileExistsError:
            raise FileExistsError(
                f"a zarr array already exists at {url!r}; pass overwrite=True to replace it"
            ) from None
    return store(arr, target, lock=False, regions=region, compute=compute, return_stored=return_stored)


def from_zarr(url, component=None, storage_options=None, chunks=None, name=None, inline_array=False, **kwargs):
    """A lazy Array reading a zarr array (path, URL, store or zarr.Array), chunked like the zarr array."""
    zarr = _zarr()
    if isinstance(url, zarr.Array):
        z = url
    else:
        z = zarr.open_array(store=url, mode="r", path=component, storage_options=storage_options, **kwargs)
    chunks = chunks if chunks is not None else z.chunks
    name = name or "from-zarr-" + tokenize(str(url), component, chunks)
    return from_array(z, chunks, name=name, inline_array=inline_array)


def to_npy_stack(dirname, x, axis=0):
    """Write ``x`` as one .npy file per block along ``axis`` plus an ``info`` file, in ``dirname``."""
    axis = axis % x.ndim
    if any(len(c) > 1 for i, c in enumerate(x.chunks) if i != axis):
        x = x.rechunk({i: -1 for i in range(x.ndim) if i != axis})
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, "info"), "wb") as f:
        pickle.dump({"chunks": x.chunks, "dtype": x.dtype, "axis": axis}, f)
    name = "to-npy-stack-" + tokenize(x.name, dirname)
    layer = {}
    for i, key in enumerate(flatten(x.__shoal_keys__())):
        layer[(name, i)] = (_save_block, os.path.join(dirname, f"{i}.npy"), key)
    out = Array(HighLevelGraph.from_collections(name, layer, [x]), name, ((1,) * len(layer),), dtype=bool)
    out.compute()


def _save_block(path, block):
    np.save(path, block)
    return np.ones(1, bool)


def from_npy_stack(dirname, mmap_mode="r"):
    """Read a directory written by to_npy_stack lazily (memory-mapped by default)."""
    with open(os.path.join(dirname, "info"), "rb") as f:
        info = pickle.load(f)
    chunks, dtype, axis = info["chunks"], info["dtype"], info["axis"]
    name = "from-npy-stack-" + tokenize(dirname, chunks)
    layer = {}
    for i in range(len(chunks[axis])):
        idx = tuple(i if d == axis else 0 for d in range(len(chunks)))
        layer[(name,) + idx] = (np.load, os.path.join(dirname, f"{i}.npy"), mmap_mode)
    return Array(HighLevelGraph.from_collections(name, layer), name, chunks, dtype)


__all__ = ["from_array", "asarray", "from_delayed", "store", "to_zarr", "from_zarr", "to_npy_stack",
           "from_npy_stack", "to_hdf5", "block_keys"]
