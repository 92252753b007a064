"""Making bags from Python data: ``from_sequence``, ``range``, ``from_delayed`` (delayed values, futures
or any single-key collection) and ``from_url``."""

from __future__ import annotations

import builtins

from shoal.bag.graph import is_collection, new_bag, single_key
from shoal.bag.partition import reify
from shoal.base import tokenize
from shoal.core import quote


def from_sequence(seq, partition_size=None, npartitions=None):
    """A bag of the elements of ``seq``, in partitions of ``partition_size`` elements or in
    ``npartitions`` partitions (default: about 100 partitions at most)."""
    seq = list(seq)
    if partition_size is not None and npartitions is not None:
        raise ValueError("from_sequence: give partition_size or npartitions, not both")
    bounds = _bounds(len(seq), partition_size, npartitions)
    name = f"from-sequence-{tokenize(seq, partition_size, npartitions)}"
    layer = {(name, i): quote(seq[start:stop]) for i, (start, stop) in enumerate(bounds)}
    return new_bag(name, layer, [], len(layer))


def _bounds(n: int, partition_size, npartitions) -> list:
    if npartitions is not None:
        if npartitions < 1:
            raise ValueError(f"npartitions must be at least 1, got {npartitions}")
        parts = builtins.max(1, builtins.min(npartitions, n))
        cuts = [n * j // parts for j in builtins.range(parts + 1)]
        return list(zip(cuts, cuts[1:]))
    if partition_size is None:
        partition_size = 1 if n <= 100 else -(-n // 100)
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    return [(s, builtins.min(s + partition_size, n)) for s in builtins.range(0, n, partition_size)] or [(0, 0)]


def range(n: int, npartitions: int):  # noqa: A001 - the name users know
    """A bag of ``0, 1, ..., n - 1`` in ``npartitions`` partitions."""
    name = f"range-{tokenize(n, npartitions)}"
    bounds = _bounds(n, None, npartitions)
    layer = {(name, i): (_range_list, start, stop) for i, (start, stop) in enumerate(bounds)}
    return new_bag(name, layer, [], len(layer))


def _range_list(start: int, stop: int):
    return iter(builtins.range(start, stop))


def from_delayed(values):
    """A bag with one partition per value: Delayed values, distributed Futures or any collection with a
    single key, each computing to an iterable."""
    values = [values] if is_collection(values) else list(values)
    for v in values:
        if not is_collection(v):
            raise TypeError(
                f"from_delayed: expected Delayed values or futures, got a {type(v).__name__}; "
                "wrap plain data with shoal.delayed(...) or use from_sequence"
            )
    keys = [single_key(v, "from_delayed") for v in values]
    name = f"from-delayed-{tokenize(*keys)}"
    layer = {(name, i): (reify, key) for i, key in enumerate(keys)}
    return new_bag(name, layer, values, len(layer))


def from_url(urls):
    """A bag of the lines (as bytes) of each URL, one partition per URL."""
    if isinstance(urls, str):
        urls = [urls]
    name = f"from-url-{tokenize(list(urls))}"
    layer = {(name, i): (url_lines, url) for i, url in enumerate(urls)}
    return new_bag(name, layer, [], len(layer), [(url, 0) for url in urls])


def url_lines(url: str):
    """The lines of ``url``, read lazily."""
    import urllib.request

    with urllib.request.urlopen(url) as response:
        yield from response
