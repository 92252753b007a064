"""Bags on a shoal.distributed cluster (in-process): futures as partitions, shuffles, persist."""

from __future__ import annotations

import json
import operator

import pytest

import shoal.bag as sb
from shoal.distributed import Client


@pytest.fixture(scope="module")
def client():
    with Client(processes=False) as c:
        yield c


def test_from_futures_and_pipelines(client):
    futures = [client.submit(list, range(i * 3, i * 3 + 3)) for i in range(3)]
    b = sb.from_delayed(futures)
    assert b.npartitions == 3
    assert b.map(lambda x: x + 1).sum().compute(scheduler=client) == sum(range(1, 10))
    assert dict(b.groupby(lambda x: x % 2, shuffle="tasks").compute(scheduler=client)) == {
        0: [0, 2, 4, 6, 8], 1: [1, 3, 5, 7]}
    assert b.foldby(lambda x: x % 3, operator.add).compute(scheduler=client) == [
        (0, 9), (1, 12), (2, 15)]


def test_persist_on_the_cluster(client):
    b = sb.from_sequence(range(10), npartitions=3).map(lambda x: x * 2)
    persisted = client.persist(b)
    assert persisted.sum().compute(scheduler=client) == 90
    assert persisted.filter(lambda x: x > 10).count().compute(scheduler=client) == 4


def test_bad_json_line_is_named_from_the_cluster(client, tmp_path):
    (tmp_path / "good.json").write_text('{"a": 1}\n')
    (tmp_path / "bad.json").write_text('{"a": 1}\n{"a": 2}\n{"a": nope}\n')
    b = sb.read_text(str(tmp_path / "*.json")).map(json.loads)
    with pytest.raises(json.JSONDecodeError) as info:
        b.pluck("a").sum().compute(scheduler=client)
    note = "\n".join(info.value.__notes__)
    assert "line 3 of file" in note and "bad.json" in note
