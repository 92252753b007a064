"""Loads this package's defaults (distributed.yaml) into shoal.config and reads typed values."""

import os

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


def parse_timedelta(value):
    if value is None or isinstance(value, (int, float)):
        return value
    text = str(value).strip().replace(" ", "")
    units = {"ms": 1e-3, "us": 1e-6, "s": 1, "min": 60, "m": 60, "h": 3600}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    return float(text)
