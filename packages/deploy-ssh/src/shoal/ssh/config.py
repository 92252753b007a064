"""Loads shoal.ssh's defaults (ssh.yaml) into shoal.config and reads its timeouts in seconds."""

import os

import yaml

import shoal.config
from shoal.distributed.config import parse_timedelta

with open(os.path.join(os.path.dirname(__file__), "ssh.yaml")) as f:
    shoal.config.update_defaults(yaml.safe_load(f))


def seconds(name):
    """``ssh.<name>`` (a time such as ``'10s'``) in seconds."""
    return parse_timedelta(shoal.config.get(f"ssh.{name}"))
