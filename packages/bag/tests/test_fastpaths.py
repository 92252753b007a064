"""The fast stand-in for ``json.loads`` must give the same values and the same errors."""

from __future__ import annotations

import json

import pytest
import shoal.bag as sb
from shoal.bag.fastpaths import fast_equivalent, json_loads_line

GOOD = ['{"a": 1}\n', '{"a": [1, 2.5, null, true]}', "[1, 2]\r\n", '"text"\n', "3", "  {}\n", "[NaN]\n",
        '{"a": "\\u2028"} \t\n', b'{"bytes": 1}\n', '{"k": 1}\n\n']
BAD = ["", "\n", "not json\n", '{"a": 1} x\n', '{"a": }\n', "\ufeff{}\n", '{"a": 1}\x0b\n', "[1,]"]


@pytest.mark.parametrize("line", GOOD)
def test_same_values(line):
    assert repr(json_loads_line(line)) == repr(json.loads(line))  # repr: NaN != NaN


@pytest.mark.parametrize("line", BAD)
def test_same_errors(line):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(line)
    with pytest.raises(json.JSONDecodeError) as got:
        json_loads_line(line)
    assert (got.value.msg, got.value.pos) == (expected.value.msg, expected.value.pos)


def test_only_json_loads_is_replaced():
    assert fast_equivalent(json.loads) is json_loads_line
    assert fast_equivalent(str.upper) is str.upper
    unhashable = type("F", (), {"__call__": lambda self, x: x, "__hash__": None})()
    assert fast_equivalent(unhashable) is unhashable


def test_map_json_loads_names_the_failing_function():
    b = sb.from_sequence(['{"a": 1}', "oops"], npartitions=1).map(json.loads)
    with pytest.raises(json.JSONDecodeError) as info:
        b.compute()
    assert any("loads failed on element 1" in n for n in info.value.__notes__)
