"""Creating bags: from_sequence, range, from_delayed, from_url."""

from __future__ import annotations

import http.server
import threading

import pytest
import shoal
import shoal.bag as sb
from shoal.bag.testing import assert_eq


@pytest.mark.parametrize("n, npartitions", [(10, 3), (10, 10), (10, 20), (0, 4), (101, 7)])
def test_from_sequence_npartitions(n, npartitions):
    b = sb.from_sequence(range(n), npartitions=npartitions)
    assert b.npartitions == max(1, min(n, npartitions))
    assert_eq(b, list(range(n)))
    sizes = [len(p) for p in shoal.compute(*b.to_delayed(), scheduler="sync")]
    size = max(1, -(-n // npartitions))  # Dask's rule: ceil(n / npartitions), the last one shorter
    assert all(s == size for s in sizes[:-1]) and 0 <= sizes[-1] <= size


def test_from_sequence_partition_size():
    b = sb.from_sequence("abcdefghij", partition_size=4)
    assert b.npartitions == 3
    assert_eq(b, list("abcdefghij"))


def test_from_sequence_default_partitioning():
    assert sb.from_sequence(range(50)).npartitions == 50
    assert sb.from_sequence(range(1000)).npartitions == 100


def test_from_sequence_keeps_tuples_and_lists_as_data():
    # tuples shaped like graph keys, and nested lists, must come back as they went in
    data = [("x", 1), ["a", ["b"]], (len, "abc"), {"k": ("y", 2)}]
    assert_eq(sb.from_sequence(data, npartitions=2), data)


def test_from_sequence_rejects_both_sizes():
    with pytest.raises(ValueError, match="partition_size or npartitions"):
        sb.from_sequence([1, 2], partition_size=1, npartitions=1)


def test_range():
    b = sb.range(17, npartitions=4)
    assert b.npartitions == 4
    assert_eq(b, list(range(17)))
    assert b.sum().compute() == sum(range(17))


def test_from_delayed_values_and_items():
    parts = [shoal.delayed(list)(range(i * 3, i * 3 + 3)) for i in range(3)]
    b = sb.from_delayed(parts)
    assert b.npartitions == 3
    assert_eq(b, list(range(9)))
    # an Item (any single-key collection) can be a partition too
    count = sb.from_sequence(range(4)).map(lambda x: [x, x]).flatten().count()
    both = sb.from_delayed([shoal.delayed(list)([1, 2]), count.apply(lambda n: [n] * 2)])
    assert_eq(both, [1, 2, 8, 8])


def test_from_delayed_single_value_and_bad_input():
    assert_eq(sb.from_delayed(shoal.delayed([1, 2, 3])), [1, 2, 3])
    with pytest.raises(TypeError, match="from_delayed.*list"):
        sb.from_delayed([[1, 2]])


@pytest.fixture
def http_lines(tmp_path):
    (tmp_path / "a.txt").write_text("one\ntwo\n")
    (tmp_path / "b.txt").write_text("three\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_from_url(http_lines):
    b = sb.from_url([f"{http_lines}/a.txt", f"{http_lines}/b.txt"])
    assert b.npartitions == 2
    assert_eq(b, [b"one\n", b"two\n", b"three\n"])
    assert_eq(sb.from_url(f"{http_lines}/b.txt"), [b"three\n"])
