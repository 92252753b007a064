"""Shared fixtures: bags run on the synchronous scheduler unless a test asks for processes, and
helpers that write generated text files."""

from __future__ import annotations

import gzip
import json
import random

import pytest
import shoal.config


@pytest.fixture(autouse=True)
def sync_bags():
    """Most tests run bags synchronously (fast, and exercises the ``bag.scheduler`` setting)."""
    with shoal.config.set({"bag.scheduler": "sync"}):
        yield


def github_event(rng: random.Random, i: int) -> dict:
    """A record shaped like a GitHub event from the public events archive."""
    owners = ["jupyter", "numpy", "pandas-dev", "python", "shoal-project", "torvalds"]
    repos = ["notebook", "core", "lab", "widgets", "hub", "docs"]
    kinds = ["PushEvent", "WatchEvent", "IssuesEvent", "PullRequestEvent", "ForkEvent",
             "CreateEvent", "IssueCommentEvent"]
    owner = rng.choice(owners)
    login = f"user{rng.randrange(60)}"
    return {
        "id": str(1000000 + i),
        "type": rng.choices(kinds, weights=[30, 20, 10, 10, 5, 15, 10])[0],
        "actor": {"id": rng.randrange(10**6), "login": login, "url": f"https://api.example/{login}"},
        "repo": {"id": rng.randrange(10**6), "name": f"{owner}/{rng.choice(repos)}"},
        "payload": {"size": rng.randrange(5), "ref": "refs/heads/main"},
        "public": True,
        "created_at": f"2024-01-01T{i % 24:02d}:{i % 60:02d}:00Z",
    }


def write_events(directory, nfiles: int, per_file: int, seed: int = 0) -> list:
    """Write ``nfiles`` gzipped JSON-lines files of GitHub-like events; return all records."""
    rng = random.Random(seed)
    records = []
    for f in range(nfiles):
        chunk = [github_event(rng, f * per_file + j) for j in range(per_file)]
        with gzip.open(directory / f"events-{f:03d}.json.gz", "wt") as out:
            for r in chunk:
                out.write(json.dumps(r) + "\n")
        records.extend(chunk)
    return records
