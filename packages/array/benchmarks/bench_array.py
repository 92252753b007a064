"""Array benchmarks, as ratios of shoal's time to plain NumPy's time on the same machine.

- mean of x + x.T on a 20000x20000 float64 array in 2000x2000 blocks (goal: ratio under 0.2)
- rechunk of a 20000x20000 array from (2000, 20000) to (20000, 2000) blocks, against NumPy copying
  the same data once (the least a re-layout can cost)
- SVD of a tall-and-skinny 2,000,000x100 matrix (TSQR) against np.linalg.svd(full_matrices=False)
"""

import gc
import time

import numpy as np

import shoal
import shoal.array as sa


def _best(func, repeat):
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _mean_x_plus_xt(n, block, repeat):
    a = np.random.default_rng(0).random((n, n))
    x = sa.from_array(a, chunks=(block, block), name="bench-square")
    expected = (a + a.T).mean()
    got = (x + x.T).mean().compute()
    assert np.isclose(got, expected)
    t_np = _best(lambda: (a + a.T).mean(), repeat)
    t_sa = _best(lambda: (x + x.T).mean().compute(), repeat)
    return {"name": f"(x + x.T).mean() {n}x{n} in {block}x{block} blocks", "value": t_sa / t_np,
            "unit": "ratio to numpy", "goal": "< 0.2",
            "note": f"shoal {t_sa:.3f}s, numpy {t_np:.3f}s"}


def _rechunk(n, block, repeat):
    a = np.random.default_rng(1).random((n, n))
    x = sa.from_array(a, chunks=(block, n), name="bench-rows")

    def run():
        (y,) = shoal.persist(x.rechunk((n, block)))
        return y

    y = run()
    assert y.chunks == ((n,), (block,) * (n // block))
    np.testing.assert_array_equal(y.blocks[0, 1].compute(), a[:, block:2 * block])
    del y
    t_np = _best(lambda: a.copy(), repeat)
    t_sa = _best(run, repeat)
    return {"name": f"rechunk {n}x{n} ({block}, {n}) -> ({n}, {block})", "value": t_sa / t_np,
            "unit": "ratio to numpy copy", "goal": "< 2",
            "note": f"shoal {t_sa:.3f}s, numpy a.copy() {t_np:.3f}s"}


def _tall_svd(rows, cols, block, repeat):
    a = np.random.default_rng(2).random((rows, cols))
    x = sa.from_array(a, chunks=(block, cols), name="bench-tall")

    def run():
        return shoal.compute(*sa.linalg.svd(x))

    u, s, v = run()
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=1e-8)
    t_np = _best(lambda: np.linalg.svd(a, full_matrices=False), repeat)
    t_sa = _best(run, repeat)
    return {"name": f"tall-skinny svd {rows}x{cols} in {block}-row blocks", "value": t_sa / t_np,
            "unit": "ratio to numpy", "goal": "< 1",
            "note": f"shoal {t_sa:.3f}s, numpy {t_np:.3f}s"}


def run(quick: bool) -> list[dict]:
    if quick:
        return [_mean_x_plus_xt(2000, 200, 1), _rechunk(2000, 200, 1), _tall_svd(20000, 20, 2000, 1)]
    return [_mean_x_plus_xt(20000, 2000, 2), _rechunk(20000, 2000, 2), _tall_svd(2_000_000, 100, 100_000, 2)]


if __name__ == "__main__":
    import sys

    for row in run(quick="--full" not in sys.argv):
        print(f"{row['name']:<60} {row['value']:8.3f} {row['unit']:<20} goal {row['goal']:<6} {row['note']}")
