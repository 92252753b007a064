"""Benchmarks for shoal.bag: the GitHub-events JSON pipeline against a plain single-process loop.

Data: gzipped JSON-lines files of GitHub-like event records, generated once into a temporary
directory (~2 million records in 40 files at full size). The processes pool is started before timing
(a one-off per session, like importing a library); everything else — reading, decompressing, parsing,
counting, combining — is inside the timed region.
"""

from __future__ import annotations

import gzip
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

KINDS = ["PushEvent", "WatchEvent", "IssuesEvent", "PullRequestEvent", "ForkEvent", "CreateEvent",
         "IssueCommentEvent"]
OWNERS = ["jupyter", "numpy", "pandas-dev", "python", "shoal-project", "torvalds"]


def _event(rng: random.Random, i: int) -> dict:
    login = f"user{rng.randrange(5000)}"
    return {
        "id": str(10**9 + i),
        "type": rng.choice(KINDS),
        "actor": {"id": rng.randrange(10**6), "login": login, "url": f"https://api.example/{login}"},
        "repo": {"id": rng.randrange(10**6), "name": f"{rng.choice(OWNERS)}/repo{rng.randrange(300)}"},
        "payload": {"size": rng.randrange(5), "ref": "refs/heads/main", "head": f"{i:040x}"},
        "public": True,
        "created_at": f"2024-01-01T{i % 24:02d}:{i % 60:02d}:00Z",
    }


def _write(directory: Path, nfiles: int, per_file: int) -> str:
    rng = random.Random(42)
    for f in range(nfiles):
        with gzip.open(directory / f"events-{f:03d}.json.gz", "wt", compresslevel=4) as out:
            out.writelines(json.dumps(_event(rng, f * per_file + j)) + "\n" for j in range(per_file))
    return str(directory / "*.json.gz")


def _plain_types(paths) -> dict:
    counts = Counter()
    for path in paths:
        with gzip.open(path, "rt") as f:
            counts.update(json.loads(line)["type"] for line in f)
    return dict(counts)


def _plain_jupyter_logins(paths) -> list:
    counts = Counter()
    for path in paths:
        with gzip.open(path, "rt") as f:
            for line in f:
                d = json.loads(line)
                if d["repo"]["name"].startswith("jupyter/"):
                    counts[d["actor"]["login"]] += 1
    return counts.most_common(10)


def _cpu_seconds() -> float:
    """CPU time of this process and its worker processes (on a shared machine, wall time alone
    says little); NaN when psutil is not installed."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:  # a worker that just exited
            pass
    return total


def _timed(func):
    cpu, start = _cpu_seconds(), time.perf_counter()
    result = func()
    return result, time.perf_counter() - start, _cpu_seconds() - cpu


def _note(took, plain, cpu, plain_cpu, records):
    return (f"shoal {took:.2f} s (processes), plain loop {plain:.2f} s; CPU per record: shoal "
            f"{cpu / records * 1e6:.2f} us (all processes), plain {plain_cpu / records * 1e6:.2f} us")


def run(quick: bool) -> list[dict]:
    import shoal.bag as sb

    nfiles, per_file = (4, 500) if quick else (40, 50_000)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        pattern = _write(Path(tmp), nfiles, per_file)
        paths = sorted(Path(tmp).glob("*.json.gz"))
        sb.from_sequence(range(8), npartitions=8).sum().compute()  # start the worker processes
        records = sb.read_text(pattern).map(json.loads)

        records_read = nfiles * per_file
        expected, plain, plain_cpu = _timed(lambda: _plain_types(paths))
        got, took, cpu = _timed(lambda: dict(records.pluck("type").frequencies().compute()))
        assert got == expected, "shoal and the plain loop disagree"
        out.append({
            "name": f"bag json frequencies ({nfiles * per_file:,} records, {nfiles} gz files) / python loop",
            "value": took / plain, "unit": "ratio", "goal": "< 0.55",
            "note": _note(took, plain, cpu, plain_cpu, records_read),
        })

        expected, plain, plain_cpu = _timed(lambda: _plain_jupyter_logins(paths))
        jupyter = records.filter(lambda d: d["repo"]["name"].startswith("jupyter/"))
        top = jupyter.pluck("actor").pluck("login").frequencies().topk(10, key=lambda kv: kv[1])
        got, took, cpu = _timed(top.compute)
        assert sorted(c for _, c in got) == sorted(c for _, c in expected)
        out.append({
            "name": f"bag json filter+topk ({nfiles * per_file:,} records) / python loop",
            "value": took / plain, "unit": "ratio", "goal": "< 0.55",
            "note": _note(took, plain, cpu, plain_cpu, records_read),
        })
    return out


if __name__ == "__main__":
    import sys

    for row in run(quick="--full" not in sys.argv):
        print(row)
