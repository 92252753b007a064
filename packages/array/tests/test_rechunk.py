import numpy as np
import pytest
from conftest import arange_array, shapes_and_chunks
from hypothesis import given
from hypothesis import strategies as st

import shoal.array as sa
from shoal.array.chunks import normalize_chunks
from shoal.array.rechunk import plan_rechunk
from shoal.array.testing import assert_eq


@given(shapes_and_chunks(min_side=1), st.data())
def test_rechunk_roundtrips_values(sc, data):
    shape, chunks = sc
    a = arange_array(shape)
    x = sa.from_array(a, chunks=chunks)
    sizes = tuple(data.draw(st.integers(1, max(n, 1))) for n in shape)
    y = x.rechunk(sizes)
    assert y.chunks == normalize_chunks(sizes, shape)
    assert_eq(y, a)


def test_normalize_chunks_forms():
    assert normalize_chunks(3, (7,)) == ((3, 3, 1),)
    assert normalize_chunks((2, -1), (4, 5)) == ((2, 2), (5,))
    assert normalize_chunks(((1, 3), (5,)), (4, 5)) == ((1, 3), (5,))
    assert normalize_chunks({0: 2}, (4, 5)) == ((2, 2), (5,))
    assert normalize_chunks((None, 2), (3, 4)) == ((3,), (2, 2))
    with pytest.raises(ValueError, match=r"do not add up.*\(4, 5\)"):
        normalize_chunks(((1, 2), (5,)), (4, 5))


def test_auto_chunks_follow_config_limit():
    import shoal.config

    with shoal.config.set({"array.chunk-size": "1MiB"}):
        c = normalize_chunks("auto", (10000, 10000), dtype=np.float64)
    assert max(c[0]) * max(c[1]) * 8 <= 2**20 * 1.1
    assert max(c[0]) * max(c[1]) * 8 > 2**20 * 0.5
    c = normalize_chunks("auto", (100000, 10000), dtype=np.float64)
    assert max(c[0]) * max(c[1]) * 8 <= 128 * 2**20 * 1.1
    c = normalize_chunks((-1, "auto"), (100, 10**7), dtype=np.float64, limit="8MiB")
    assert c[0] == (100,)
    assert 100 * max(c[1]) * 8 <= 8 * 2**20 * 1.1
    x = sa.ones((10000, 10000), chunks="4MiB")
    assert max(x.chunks[0]) * max(x.chunks[1]) * 8 <= 4 * 2**20 * 1.1


def test_rechunk_plan_splits_then_merges():
    old = ((2000,) * 10, (20000,))
    new = ((20000,), (2000,) * 10)
    plan = plan_rechunk(old, new)
    assert plan[-1] == new
    assert len(plan) == 2 and plan[0] == ((2000,) * 10, (2000,) * 10)
    a = np.arange(200 * 200.).reshape(200, 200)
    x = sa.from_array(a, chunks=(20, 200))
    y = x.rechunk((200, 20))
    assert_eq(y, a)
    assert y.chunks == ((200,), (20,) * 10)


def test_rechunk_dict_auto_and_balance():
    a = np.arange(100.).reshape(10, 10)
    x = sa.from_array(a, chunks=3)
    assert x.rechunk({0: -1}).chunks == ((10,), (3, 3, 3, 1))
    assert_eq(x.rechunk("auto"), a)
    b = x.rechunk((4, 4), balance=True)
    assert len(b.chunks[0]) == 3 and max(b.chunks[0]) - min(b.chunks[0]) <= 1
    assert_eq(b, a)
