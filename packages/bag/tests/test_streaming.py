"""Bounded memory: a pipeline over text five times larger than a memory bound streams through it.

Runs on the synchronous scheduler under tracemalloc, which sees every Python allocation: lines are
pulled one at a time from the (decompressing) file through map/flatten into a small running count,
so peak memory stays far below the size of the data, and below the size of any one file.
"""

from __future__ import annotations

import gzip
import random
import tracemalloc
from collections import Counter

import pytest
import shoal.bag as sb

MEMORY_BOUND = 500_000  # bytes of Python allocations the pipeline may use at its peak
FILES = 5
FILE_SIZE = 2 * MEMORY_BOUND  # text per file: any one file held in memory breaks the bound
WORDS = ["stream", "bag", "lazy", "iterator", "partition", "shoal", "memory", "bounded"]


@pytest.fixture(scope="module")
def big_text(tmp_path_factory):
    directory = tmp_path_factory.mktemp("words")
    rng = random.Random(0)
    expected = Counter()
    total = 0
    for f in range(FILES):
        lines, size = [], 0
        while size < FILE_SIZE:
            line = " ".join(rng.choices(WORDS, k=12))
            lines.append(line)
            size += len(line) + 1
        expected.update(w for line in lines for w in line.split())
        opener = gzip.open if f % 2 else open  # compressed and plain files alike
        name = f"words-{f}.txt" + (".gz" if f % 2 else "")
        with opener(directory / name, "wt") as out:
            out.write("\n".join(lines) + "\n")
        total += size
    assert total >= 5 * MEMORY_BOUND  # the data is well over 5x the bound
    return directory, expected


def peak_memory(func):
    func()  # once untraced, so first-use imports and caches are not counted
    tracemalloc.start()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


@pytest.mark.parametrize("blocksize", [None, "64 kiB"])
def test_word_count_streams_in_bounded_memory(big_text, blocksize):
    directory, expected = big_text
    pattern = str(directory / "words-*")
    # with a blocksize, plain files are cut into blocks and gzipped ones streamed whole
    b = sb.read_text(pattern, blocksize=blocksize)
    words = b.map(str.split).flatten()
    counts, peak = peak_memory(lambda: dict(words.frequencies().compute(scheduler="sync")))
    assert counts == expected
    assert peak < MEMORY_BOUND, f"peak {peak} bytes for {FILES * FILE_SIZE} bytes of text"


def test_materialising_a_file_would_break_the_bound(big_text):
    """The bound is meaningful: holding one file's lines in memory exceeds it."""
    directory, _ = big_text
    b = sb.read_text(str(directory / "words-0.txt"))
    _, peak = peak_memory(lambda: b.map_partitions(lambda lines: [len(lines)]).compute(scheduler="sync"))
    assert peak > MEMORY_BOUND
