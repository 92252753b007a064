"""The seed workload: gzipped JSON-lines GitHub events read, parsed, counted and filtered, on the
default processes scheduler, checked against a plain Python loop over the same records."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import shoal
import shoal.bag as sb
from conftest import write_events


@pytest.fixture(scope="module")
def events(tmp_path_factory):
    directory = tmp_path_factory.mktemp("events")
    records = write_events(directory, nfiles=6, per_file=400)
    return str(directory / "*.json.gz"), records


@pytest.fixture
def processes():
    with shoal.config.set({"bag.scheduler": "processes"}):
        yield


def test_github_events_pipeline(events, processes):
    pattern, records = events
    b = sb.read_text(pattern).map(json.loads)
    assert b.npartitions == 6

    types, count = shoal.compute(b.pluck("type").frequencies(), b.count())
    assert dict(types) == Counter(r["type"] for r in records)
    assert count == len(records)

    jupyter = b.filter(lambda d: d["repo"]["name"].startswith("jupyter/")).repartition(10)
    assert jupyter.npartitions == 10
    expected = [r for r in records if r["repo"]["name"].startswith("jupyter/")]
    assert jupyter.compute() == expected

    repos = b.pluck("repo").pluck("name").distinct().compute()
    assert sorted(repos) == sorted({r["repo"]["name"] for r in records})
    assert len(repos) == len(set(repos))

    top = b.pluck("actor").pluck("login").frequencies().topk(10, lambda kv: kv[1]).compute()
    logins = Counter(r["actor"]["login"] for r in records)
    assert [c for _, c in top] == sorted(logins.values(), reverse=True)[:10]
    assert all(logins[login] == c for login, c in top)


def test_github_events_in_blocks_and_sorted_frequencies(events, processes):
    pattern, records = events
    b = sb.read_text(pattern).map(json.loads)
    by_type = b.pluck("type").frequencies(sort=True).compute()
    assert by_type == sorted(Counter(r["type"] for r in records).items(), key=lambda kv: -kv[1])
    pushes = b.filter(lambda d: d["type"] == "PushEvent").foldby(
        lambda d: d["repo"]["name"], lambda acc, d: acc + d["payload"]["size"], 0,
        lambda a, c: a + c, 0)
    expected = Counter()
    for r in records:
        if r["type"] == "PushEvent":
            expected[r["repo"]["name"]] += r["payload"]["size"]
    assert dict(pushes.compute()) == dict(expected)
