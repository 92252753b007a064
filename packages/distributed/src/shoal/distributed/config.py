"""Loads this package's defaults (distributed.yaml) into shoal.config and reads typed values."""

import datetime
import os
import re

import yaml

import shoal.config
from shoal.utils import parse_bytes

_here = os.path.dirname(__file__)


def _load_defaults():
    with open(os.path.join(_here, "distributed.yaml")) as f:
        shoal.config.update_defaults(yaml.safe_load(f))


_load_defaults()


def get(key, default=None):
    return shoal.config.get(key, default)


def get_bytes(key):
    return parse_bytes(get(key))


def get_seconds(key):
    """Config value in seconds: numbers as is, strings like ``'60 s'``, ``'100ms'`` or ``'2 min'``."""
    value = get(key)
    return parse_timedelta(value)


_TIME_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "milliseconds": 1e-3, "millisecond": 1e-3,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400,
}
_TIME = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)\s*([a-zµ]*)\s*$", re.IGNORECASE)


def parse_timedelta(value, default="seconds"):
    """Seconds as a number from ``2``, ``0.5``, ``'200ms'``, ``'2 s'``, ``'1min'`` or a ``timedelta``;
    None stays None (no limit).  A bare number in a string is in ``default`` units."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    match = _TIME.match(str(value)) if isinstance(value, str) else None
    unit = (match.group(2).lower() or default) if match else None
    if unit not in _TIME_UNITS:
        raise ValueError(f"Could not read {value!r} as a time: use seconds (2, 0.5) or a string like "
                         "'200ms', '2s', '1min'")
    return float(match.group(1)) * _TIME_UNITS[unit]
