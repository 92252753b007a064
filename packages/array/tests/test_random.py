import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_seeded_reproducibility():
    a = sa.random.RandomState(42).random((30, 20), chunks=(7, 6)).compute()
    b = sa.random.RandomState(42).random((30, 20), chunks=(7, 6)).compute()
    c = sa.random.RandomState(43).random((30, 20), chunks=(7, 6)).compute()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    g1 = sa.random.default_rng(7).standard_normal((100,), chunks=10)
    g2 = sa.random.default_rng(7).standard_normal((100,), chunks=10)
    assert_eq(g1, g2.compute())
    x = sa.random.random((10,), chunks=5)
    assert_eq(x, x.compute())


def test_distributions_statistics_and_dtypes():
    rs = sa.random.RandomState(0)
    n = rs.normal(3, 2, size=(2000, 50), chunks=(500, 50)).compute()
    assert abs(n.mean() - 3) < 0.05 and abs(n.std() - 2) < 0.05
    u = rs.uniform(-1, 1, size=10000, chunks=1000).compute()
    assert -1 <= u.min() and u.max() < 1
    r = rs.randint(0, 5, size=(100, 3), chunks=30)
    assert r.dtype == np.dtype(int) and set(np.unique(r.compute())) <= set(range(5))
    p = rs.poisson(4, size=1000, chunks=300).compute()
    assert abs(p.mean() - 4) < 0.3
    g = sa.random.default_rng(1)
    i = g.integers(10, 20, size=50, chunks=20).compute()
    assert i.min() >= 10 and i.max() < 20
    assert g.random((5, 5), dtype=np.float32, chunks=2).dtype == np.float32
    c = rs.choice(np.array([1.5, 2.5]), size=500, p=[0.9, 0.1], chunks=100).compute()
    assert set(np.unique(c)) <= {1.5, 2.5} and (c == 1.5).mean() > 0.8
    assert sa.random.normal(size=(7, 8), chunks=3).shape == (7, 8)
    arr_param = rs.normal(np.arange(4.0) * 100, 1, size=(3, 4), chunks=2).compute()
    assert np.all(np.abs(arr_param - np.arange(4.0) * 100) < 10)


@pytest.mark.parametrize("chunks", [(7, 100), (60, 1), (13, 9), (100, 230), -1])
def test_uniform_draws_do_not_depend_on_chunking(chunks):
    reference = sa.random.RandomState(5).random((370, 230), chunks=(50, 50)).compute()
    np.testing.assert_array_equal(sa.random.RandomState(5).random((370, 230), chunks=chunks).compute(), reference)
    g = sa.random.default_rng(11).uniform(-2, 3, size=(40, 60), chunks=chunks)
    np.testing.assert_array_equal(g.compute(), sa.random.default_rng(11).uniform(-2, 3, size=(40, 60), chunks=-1).compute())


def test_permutation_and_numpy_seed_objects():
    p = sa.random.RandomState(3).permutation(20).compute()
    assert sorted(p.tolist()) == list(range(20)) and p.tolist() != list(range(20))
    a = np.arange(30).reshape(10, 3)
    shuffled = sa.random.default_rng(4).permutation(sa.from_array(a, chunks=4)).compute()
    assert sorted(shuffled[:, 0].tolist()) == a[:, 0].tolist()
    np.testing.assert_array_equal(shuffled[:, 1] - shuffled[:, 0], 1)
    rs = sa.random.RandomState(np.random.RandomState(9))
    assert rs.random(5, chunks=2).compute().shape == (5,)
    g = sa.random.default_rng(np.random.default_rng(9))
    assert g.standard_normal(5, chunks=2).compute().shape == (5,)


def test_choice_without_replacement():
    for rs in (sa.random.RandomState(3), sa.random.default_rng(3)):
        s = rs.choice(50, 20, replace=False, chunks=6)
        assert s.chunks == ((6, 6, 6, 2),)
        got = s.compute()
        assert len(set(got.tolist())) == 20 and got.min() >= 0 and got.max() < 50
        np.testing.assert_array_equal(got, s.compute())  # the same graph gives the same sample
        pool = np.arange(100, 130)
        picked = rs.choice(pool, (3, 4), replace=False, chunks=2).compute()
        assert picked.shape == (3, 4) and len(set(picked.ravel().tolist())) == 12 and set(picked.ravel()) <= set(pool)
        weighted = rs.choice(5, 3, replace=False, p=[0, 0.4, 0.3, 0.3, 0]).compute()
        assert sorted(weighted.tolist()) == [1, 2, 3]
    with pytest.raises(ValueError, match=r"\(11,\).*10 elements"):
        sa.random.default_rng(0).choice(10, 11, replace=False)
    with pytest.raises(ValueError, match=r"p has shape \(2,\)"):
        sa.random.default_rng(0).choice(10, 3, p=[0.5, 0.5])


def test_choice_with_weights_follows_p():
    draws = sa.random.RandomState(0).choice(3, 30_000, p=[0.2, 0.5, 0.3], chunks=7_000).compute()
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 30_000, [0.2, 0.5, 0.3], atol=0.02)


def test_choice_from_a_shoal_array_stays_lazy():
    pool = sa.arange(100, 130, chunks=7)
    sample = sa.random.default_rng(1).choice(pool, 10, replace=False, chunks=4)
    assert pool.name in {k[0] if isinstance(k, tuple) else k for k in dict(sample.__shoal_graph__())}
    got = sample.compute()
    assert len(set(got.tolist())) == 10 and set(got.tolist()) <= set(range(100, 130))
    grid = sa.random.RandomState(1).choice(pool, (2, 3), chunks=2)
    assert grid.chunks == ((2,), (2, 1))
    assert set(grid.compute().ravel().tolist()) <= set(range(100, 130))
