"""shoal.bag: parallel lists of Python objects for semi-structured data (logs, JSON records, text).

A bag is an unordered collection split into partitions and processed with map/filter/fold in the toolz
style, by default on local processes::

    import json
    import shoal.bag as sb
    records = sb.read_text("logs/*.json.gz").map(json.loads)
    records.pluck("type").frequencies().compute()
"""

from __future__ import annotations

import importlib.resources

import shoal.config
import yaml

shoal.config.update_defaults(
    yaml.safe_load(importlib.resources.files(__name__).joinpath("bag.yaml").read_text())
)

from shoal.bag import random  # noqa: E402 - after the defaults are loaded
from shoal.bag.bag import Bag  # noqa: E402
from shoal.bag.creation import from_delayed, from_sequence, from_url, range  # noqa: E402
from shoal.bag.elementwise import map, map_partitions  # noqa: E402
from shoal.bag.item import Item  # noqa: E402
from shoal.bag.joins import concat, zip  # noqa: E402
from shoal.bag.text import read_text  # noqa: E402
from shoal.bag.write import to_textfiles  # noqa: E402

__all__ = [
    "Bag", "Item", "concat", "from_delayed", "from_sequence", "from_url", "map", "map_partitions",
    "random", "range", "read_text", "to_textfiles", "zip",
]
