"""Configuration: defaults shipped as YAML by each package, user YAML files, ``SHOAL_*`` environment
variables, and ``shoal.config.set`` (globally or as a context manager).

Precedence, lowest first: package defaults, YAML files (``/etc/shoal``, ``{sys.prefix}/etc/shoal``,
``~/.config/shoal``, then the file or directory named by ``SHOAL_CONFIG``), environment variables, ``set``.
Keys are nested with dots (``'distributed.worker.memory.spill'``); underscores and hyphens are the same
(``array.chunk_size`` is ``array.chunk-size``). An environment variable
``SHOAL_DISTRIBUTED__WORKER__MEMORY__SPILL=0.7`` sets ``distributed.worker.memory.spill`` to ``0.7``.
"""

from __future__ import annotations

import ast
import os
import pathlib
import sys
import threading
from collections.abc import Mapping

import yaml

_no_default = object()

config: dict = {}
defaults: list[dict] = []
_lock = threading.RLock()


def canonical_name(k):
    return k.replace("_", "-") if isinstance(k, str) else k


def _canonical(d: Mapping) -> dict:
    return {
        canonical_name(k): _canonical(v) if isinstance(v, Mapping) else v for k, v in d.items()
    }


def update(old: dict, new: Mapping, priority: str = "new") -> dict:
    """Merge ``new`` into ``old`` in place, recursing into dicts. ``priority='old'`` keeps old values."""
    for k, v in new.items():
        k = canonical_name(k)
        if isinstance(v, Mapping):
            if not isinstance(old.get(k), dict):
                if k in old and priority == "old":
                    continue
                old[k] = {}
            update(old[k], v, priority)
        elif priority == "new" or k not in old:
            old[k] = v
    return old


def merge(*dicts: Mapping) -> dict:
    """Merge dicts left to right; later ones win."""
    out: dict = {}
    for d in dicts:
        update(out, d)
    return out


def paths() -> list[pathlib.Path]:
    found = [
        pathlib.Path("/etc/shoal"),
        pathlib.Path(sys.prefix) / "etc" / "shoal",
        pathlib.Path.home() / ".config" / "shoal",
    ]
    if "SHOAL_CONFIG" in os.environ:
        found.append(pathlib.Path(os.environ["SHOAL_CONFIG"]))
    return found


def collect_yaml(search: list[pathlib.Path] | None = None) -> list[dict]:
    """Read every ``*.yaml``/``*.yml`` file in the given files and directories, in order."""
    files: list[pathlib.Path] = []
    for p in search if search is not None else paths():
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml")))
        elif p.exists():
            files.append(p)
    out = []
    for f in files:
        try:
            data = yaml.safe_load(f.read_text())
        except (OSError, yaml.YAMLError) as e:
            raise ValueError(f"shoal config file {f} could not be read: {e}") from e
        if data is None:
            continue
        if not isinstance(data, Mapping):
            raise ValueError(f"shoal config file {f} must hold a mapping at the top, not {type(data).__name__}")
        out.append(data)
    return out


def _parse_value(text: str):
    try:
        return ast.literal_eval(text)
    except (SyntaxError, ValueError):
        lowered = text.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if lowered in ("none", "null"):
            return None
        return text


def collect_env(env: Mapping | None = None) -> dict:
    """Settings from ``SHOAL_A__B=value`` environment variables (values read as Python literals)."""
    env = os.environ if env is None else env
    out: dict = {}
    for name, value in env.items():
        if not name.startswith("SHOAL_") or name == "SHOAL_CONFIG":
            continue
        parts = [canonical_name(p.lower()) for p in name[len("SHOAL_"):].split("__")]
        node = out
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = _parse_value(value)
    return out


def refresh(config: dict = config, defaults: list[dict] = defaults, env: Mapping | None = None) -> None:
    """Rebuild ``config`` from the defaults, the YAML files and the environment."""
    with _lock:
        config.clear()
        for d in defaults:
            update(config, d)
        for d in collect_yaml():
            update(config, d)
        update(config, collect_env(env))


def update_defaults(new: Mapping, config: dict = config, defaults: list[dict] = defaults) -> None:
    """Add a package's defaults. Values the user already set (files, env, ``set``) keep priority."""
    with _lock:
        new = _canonical(new)
        defaults.append(new)
        update(config, new, priority="old")


def _split(key: str) -> list:
    return [canonical_name(p) for p in key.split(".")]


def get(key: str, default=_no_default, config: dict = config):
    """``get('distributed.worker.memory.spill')``: the value, or ``default``, or a KeyError naming it."""
    node = config
    for part in _split(key):
        try:
            node = node[part]
        except (KeyError, TypeError):
            if default is _no_default:
                raise KeyError(f"no shoal config value for {key!r} (missing part {part!r})") from None
            return default
    return node


class set:  # noqa: A001 - mirrors the name users know
    """Set config values, globally or for a ``with`` block (restored on exit).

    ``shoal.config.set({'array.chunk-size': '64MiB'})`` or ``shoal.config.set(scheduler='sync')``;
    in keyword form a double underscore nests: ``set(distributed__worker__nthreads=2)``.
    """

    def __init__(self, arg: Mapping | None = None, config: dict = config, **kwargs):
        self.config = config
        self._record: list[tuple[str, list, object]] = []
        items = dict(arg or {})
        items.update({k.replace("__", "."): v for k, v in kwargs.items()})
        with _lock:
            for key, value in items.items():
                self._assign(_split(key), value)

    _missing = object()

    def _assign(self, path: list, value) -> None:
        node = self.config
        for i, part in enumerate(path[:-1]):
            if not isinstance(node.get(part), dict):
                self._record.append(("replace", path[: i + 1], node.get(part, self._missing)))
                node[part] = {}
            node = node[part]
        self._record.append(("replace", path, node.get(path[-1], self._missing)))
        node[path[-1]] = value

    def __enter__(self):
        return self.config

    def __exit__(self, *exc):
        with _lock:
            for _, path, old in reversed(self._record):
                node = self.config
                for part in path[:-1]:
                    node = node.setdefault(part, {})
                if old is self._missing:
                    node.pop(path[-1], None)
                else:
                    node[path[-1]] = old
            if self.config is config:
                # a package imported inside the block added defaults under keys this set created and
                # has just removed: put them back (values present now keep priority)
                for d in defaults:
                    update(self.config, d, priority="old")


def expand_environment_variables(value):
    """Expand ``$VAR``/``~`` in strings, recursively through lists and dicts."""
    if isinstance(value, str):
        return os.path.expanduser(os.path.expandvars(value))
    if isinstance(value, Mapping):
        return {k: expand_environment_variables(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(expand_environment_variables(v) for v in value)
    return value


def _load_core_defaults() -> None:
    here = pathlib.Path(__file__).with_name("shoal.yaml")
    defaults.append(_canonical(yaml.safe_load(here.read_text()) or {}))


_load_core_defaults()
refresh()
