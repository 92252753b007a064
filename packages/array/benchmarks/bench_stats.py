"""shoal.array.stats and shuffle benchmarks, as ratios of shoal's time to scipy's / NumPy's on the
same machine and data.

- normaltest along axis 0 of a 10000x2000 float64 array in 1000-row blocks, against scipy.stats.normaltest
- ttest_ind (Welch) of two such arrays, against scipy.stats.ttest_ind
- shuffle of the rows of that array by random groups, against np.take with the concatenated groups (one
  in-memory copy; shoal gathers each output block and then assembles the result, two copies at least)
"""

import gc
import time

import numpy as np
import scipy.stats

import shoal.array as sa


def _best(func, repeat):
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _row(name, t_sa, t_ref, reference, goal):
    return {"name": name, "value": t_sa / t_ref, "unit": f"ratio to {reference}", "goal": goal,
            "note": f"shoal {t_sa:.3f}s, {reference} {t_ref:.3f}s"}


def _normaltest(rows, cols, block, repeat):
    a = np.random.default_rng(0).standard_normal((rows, cols))
    x = sa.from_array(a, chunks=(block, cols), name="bench-normal")
    np.testing.assert_allclose(sa.stats.normaltest(x).compute().statistic, scipy.stats.normaltest(a).statistic)
    t_ref = _best(lambda: scipy.stats.normaltest(a), repeat)
    t_sa = _best(lambda: sa.stats.normaltest(x).compute(), repeat)
    return _row(f"stats.normaltest {rows}x{cols} axis=0, {block}-row blocks", t_sa, t_ref, "scipy", "< 1")


def _ttest_ind(rows, cols, block, repeat):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((rows, cols)), rng.standard_normal((rows, cols)) + 0.01
    x = sa.from_array(a, chunks=(block, cols), name="bench-ttest-a")
    y = sa.from_array(b, chunks=(block, cols), name="bench-ttest-b")
    np.testing.assert_allclose(sa.stats.ttest_ind(x, y, equal_var=False).compute().pvalue,
                               scipy.stats.ttest_ind(a, b, equal_var=False).pvalue)
    t_ref = _best(lambda: scipy.stats.ttest_ind(a, b, equal_var=False), repeat)
    t_sa = _best(lambda: sa.stats.ttest_ind(x, y, equal_var=False).compute(), repeat)
    return _row(f"stats.ttest_ind (Welch) 2 x {rows}x{cols}, {block}-row blocks", t_sa, t_ref, "scipy", "< 1")


def _shuffle(rows, cols, block, repeat):
    rng = np.random.default_rng(2)
    a = rng.random((rows, cols))
    x = sa.from_array(a, chunks=(block, cols), name="bench-shuffle")
    order = rng.permutation(rows)
    indexer = np.array_split(order, rows // 10)
    flat = np.concatenate(indexer)
    np.testing.assert_array_equal(x.shuffle(indexer, axis=0).compute(), a[flat])
    t_ref = _best(lambda: np.take(a, flat, axis=0), repeat)
    t_sa = _best(lambda: x.shuffle(indexer, axis=0).compute(), repeat)
    return _row(f"shuffle rows of {rows}x{cols} by groups of 10, {block}-row blocks", t_sa, t_ref, "np.take", "-")


def run(quick: bool) -> list[dict]:
    if quick:
        return [_normaltest(1000, 200, 100, 1), _ttest_ind(1000, 200, 100, 1), _shuffle(1000, 200, 100, 1)]
    return [_normaltest(10_000, 2_000, 1_000, 2), _ttest_ind(10_000, 2_000, 1_000, 2),
            _shuffle(10_000, 2_000, 1_000, 2)]


if __name__ == "__main__":
    import sys

    for row in run(quick="--full" not in sys.argv):
        print(f"{row['name']:<60} {row['value']:8.3f} {row['unit']:<20} goal {row['goal']:<6} {row['note']}")
