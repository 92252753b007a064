"""The shoal showcase: one LocalCluster, every collection, each result checked against plain
NumPy/pandas/Python, and a line saying what was done and how long it took.

Run with `nox -s demo` (or `python demo/demo.py` where the packages are installed).
"""

from __future__ import annotations

import gzip
import json
import operator
import random
import tempfile
import time
from pathlib import Path


def step(title: str):
    """Print a step's title, then its outcome and duration when the block ends."""

    class Step:
        def __enter__(self):
            self.start = time.perf_counter()
            print(f"\n== {title}")
            return self

        def __exit__(self, *exc):
            if exc[0] is None:
                print(f"   done in {time.perf_counter() - self.start:.2f} s")

    return Step()


def check(label: str, got, expected) -> None:
    ok = got == expected if not hasattr(got, "shape") else bool((abs(got - expected) < 1e-6).all())
    print(f"   {label}: {got!r:.60}  {'matches' if ok else 'DIFFERS FROM'} the plain result")
    if not ok:
        raise SystemExit(f"demo failed: {label} gave {got!r}, expected {expected!r}")


def delayed_on_local_threads():
    import shoal
    from shoal.diagnostics import ProgressBar

    with step("delayed: a tree reduction of 1,000 tasks on local threads"):
        parts = [shoal.delayed(operator.mul)(i, i) for i in range(1_000)]
        while len(parts) > 1:
            parts = [shoal.delayed(sum)(parts[i:i + 10]) for i in range(0, len(parts), 10)]
        with ProgressBar(dt=0.05):
            total = parts[0].compute()
        check("sum of squares", total, sum(i * i for i in range(1_000)))


def futures(client):
    with step("futures: submit, map and gather on the cluster"):
        squares = client.map(lambda x: x * x, range(200))
        total = client.submit(sum, squares)
        check("sum of 200 squares", total.result(), sum(i * i for i in range(200)))
        check("gather", client.gather(squares)[:5], [0, 1, 4, 9, 16])


def arrays():
    import numpy as np

    import shoal.array as sa

    with step("array: (x + x.T).mean() and normalising columns of a 4,000 x 4,000 array"):
        x = sa.random.default_rng(0).random((4_000, 4_000), chunks=(1_000, 1_000))  # made on the workers
        print(f"   {x!r}")
        data = x.compute()
        check("(x + x.T).mean()", round(float((x + x.T).mean().compute()), 9), round(float((data + data.T).mean()), 9))
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        check("column means after normalising ~ 0", bool(abs(z.mean(axis=0).compute()).max() < 1e-9), True)
    with step("array: SVD of a tall-and-skinny 20,000 x 50 array (TSQR)"):
        tall = sa.random.default_rng(1).random((20_000, 50), chunks=(2_000, 50))
        u, s, v = sa.linalg.svd(tall)
        check("singular values", bool(np.allclose(s.compute(), np.linalg.svd(tall.compute(), compute_uv=False))), True)


def make_frame(i: int):
    """One pandas frame, built on a worker."""
    import pandas as pd

    return pd.DataFrame({"A": [i / 100, -i / 100], "B": [i, 2 * i]})


def dataframes(client):
    import pandas as pd

    import shoal.dataframe as sd

    with step("dataframe: a month of time series, groupby-aggregate, filter, new column"):
        df = sd.datasets.timeseries(start="2000-01-01", end="2000-01-31", freq="10s", seed=1)
        print(f"   {df.npartitions} partitions, columns {list(df.columns)}")
        pdf = df.compute()
        agg = df.groupby("name").agg({"x": "max", "y": "mean"}).compute()
        expected = pdf.groupby("name").agg({"x": "max", "y": "mean"})
        check("groupby('name').agg(...) rows", len(agg), len(expected))
        check("same maxima", bool((agg.sort_index().x == expected.sort_index().x).all()), True)
        positive = df[df.x > 0]
        check("len(df[df.x > 0])", len(positive), int((pdf.x > 0).sum()))
        df["x2"] = df.x * df.x
        check("x2 sum", round(float(df.x2.sum().compute()), 6), round(float((pdf.x * pdf.x).sum()), 6))
    with step("dataframe: 100 pandas frames made on the cluster, then df2.groupby(df2.A // 0.1).B.sum()"):
        futures = client.map(make_frame, range(100, 200))
        df2 = sd.from_delayed(futures, meta=make_frame(0).iloc[:0])
        check("df2.A.sum()", round(float(df2.A.sum().compute()), 9), 0.0)
        whole = pd.concat([make_frame(i) for i in range(100, 200)], ignore_index=True)
        got = df2.groupby(df2.A // 0.1).B.sum().compute().sort_index()
        check("grouped sums", got.tolist(), whole.groupby(whole.A // 0.1).B.sum().sort_index().tolist())


def bags(tmp: Path):
    import shoal.bag as sb

    with step("bag: gzipped JSON events -> counts, frequencies, top 3 users"):
        rng = random.Random(0)
        kinds = ["PushEvent", "IssuesEvent", "WatchEvent", "ForkEvent"]
        records = []
        for i in range(8):
            lines = []
            for _ in range(2_000):
                rec = {"type": rng.choice(kinds), "actor": {"login": f"user{rng.randint(0, 50)}"},
                       "repo": {"name": rng.choice(["jupyter/notebook", "numpy/numpy", "jupyter/lab"])}}
                records.append(rec)
                lines.append(json.dumps(rec))
            (tmp / f"events-{i}.json.gz").write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
        events = sb.read_text(str(tmp / "events-*.json.gz")).map(json.loads)
        check("count", events.count().compute(), len(records))
        freq = dict(events.pluck("type").frequencies().compute())
        check("type frequencies", freq, {k: sum(r["type"] == k for r in records) for k in kinds})
        jupyter = events.filter(lambda d: d["repo"]["name"].startswith("jupyter/"))
        check("distinct jupyter repos", sorted(jupyter.pluck("repo").pluck("name").distinct().compute()),
              ["jupyter/lab", "jupyter/notebook"])
        top = events.pluck("actor").pluck("login").frequencies().topk(3, lambda kv: kv[1]).compute()
        print(f"   top users: {list(top)}")


def main() -> None:
    start = time.perf_counter()
    delayed_on_local_threads()
    from shoal.distributed import Client, LocalCluster

    with step("distributed: a LocalCluster of 2 worker processes"):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True)
        client = Client(cluster)
        print(f"   {client!r}")
        print(f"   dashboard: {client.dashboard_link}")
    try:
        futures(client)
        arrays()
        dataframes(client)
        with tempfile.TemporaryDirectory() as tmp:
            bags(Path(tmp))
    finally:
        client.close()
        cluster.close()
    print(f"\nshoal demo finished in {time.perf_counter() - start:.1f} s: every result matched plain Python.")


if __name__ == "__main__":
    main()
