"""Faster, exactly equivalent stand-ins for standard functions users map over every element.

``read_text(...).map(json.loads)`` is the most common bag pipeline, and ``json.loads`` spends about a
third of its time in Python-level checks around the C scanner that does the parsing. For a ``str``
holding one JSON document optionally followed by whitespace (a line of a JSON-lines file), calling the
scanner directly gives the same object; anything else (bytes, leading whitespace, a byte-order mark,
invalid JSON, trailing data) goes through ``json.loads`` itself, so results and errors are identical.
"""

from __future__ import annotations

import json

# a decoder configured as json.loads' default one (no hooks), whose C scanner we call directly
_scan_once = json.JSONDecoder().scan_once
_JSON_WHITESPACE = " \t\n\r"


def json_loads_line(s):
    """``json.loads(s)``, skipping its per-call overhead for the common case of a JSON line."""
    if type(s) is not str:
        return json.loads(s)
    try:
        value, end = _scan_once(s, 0)
    except StopIteration:  # nothing parseable at position 0: let json.loads explain (or skip blanks)
        return json.loads(s)
    if end == len(s) or s[end] == "\n" and end + 1 == len(s) or not s[end:].strip(_JSON_WHITESPACE):
        return value
    return json.loads(s)  # trailing data: json.loads raises its usual "Extra data" error


_EQUIVALENTS = {json.loads: json_loads_line}


def fast_equivalent(func):
    """``func`` itself, or a faster function known to behave exactly like it."""
    try:
        return _EQUIVALENTS.get(func, func)
    except TypeError:  # an unhashable callable
        return func
