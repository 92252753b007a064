"""A graph made of named layers, so collections merge graphs cheaply and optimise layer by layer.

Each collection operation adds one layer (a Mapping of keys to tasks, possibly lazy) and records which
earlier layers it depends on. The HighLevelGraph is itself a read-only Mapping over all keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from shoal.core import flatten, keys_in_tasks, toposort


class HighLevelGraph(Mapping):
    """``layers: {name: Mapping}``, ``dependencies: {name: set of layer names}``."""

    def __init__(self, layers: Mapping, dependencies: Mapping):
        deps = {k: set(v) for k, v in dependencies.items()}
        for name in layers:
            deps.setdefault(name, set())
        self._set(dict(layers), deps)

    def _set(self, layers: dict, dependencies: dict) -> HighLevelGraph:
        # the graph-building methods below hand over fresh dicts whose sets are never mutated, shared
        # with the graphs they came from: copying them again made n delayed calls cost O(n log n) copies
        self.layers = layers
        self.dependencies = dependencies
        self._all: dict | None = None
        return self

    @classmethod
    def _of(cls, layers: dict, dependencies: dict) -> HighLevelGraph:
        return cls.__new__(cls)._set(layers, dependencies)

    @classmethod
    def from_collections(cls, name: str, layer: Mapping, dependencies=()) -> HighLevelGraph:
        """A graph with the new ``layer`` called ``name`` on top of the graphs of ``dependencies``."""
        layers = {name: layer}
        deps = {name: set()}
        for collection in dependencies:
            graph = collection.__shoal_graph__()
            own = _layer_name(collection)
            if isinstance(graph, HighLevelGraph):
                layers.update(graph.layers)
                deps.update(graph.dependencies)
                # the collection's own layer when it has one: other top layers may be unrelated
                deps[name] |= {own} if own in graph.layers else set(graph.top_layers())
            else:
                if own in layers:
                    own = f"{own}-{id(graph)}"
                layers[own] = graph
                deps[own] = set()
                deps[name].add(own)
        return cls._of(layers, deps)

    @classmethod
    def merge(cls, *graphs: Mapping) -> HighLevelGraph:
        layers: dict = {}
        deps: dict = {}
        for g in graphs:
            if isinstance(g, HighLevelGraph):
                layers.update(g.layers)
                deps.update(g.dependencies)
            else:
                name = f"graph-{id(g)}"
                layers[name] = g
                deps[name] = set()
        return cls._of(layers, deps)

    def top_layers(self) -> list:
        """Layers no other layer depends on."""
        used = set().union(*self.dependencies.values()) if self.dependencies else set()
        return [name for name in self.layers if name not in used]

    def to_dict(self) -> dict:
        if self._all is None:
            out: dict = {}
            for layer in self.layers.values():
                out.update(layer)
            self._all = out
        return self._all

    def __getitem__(self, key):
        if self._all is not None:
            return self._all[key]
        for layer in self.layers.values():
            try:
                return layer[key]
            except KeyError:
                pass
        raise KeyError(key)

    def __contains__(self, key) -> bool:
        if self._all is not None:
            return key in self._all
        return any(key in layer for layer in self.layers.values())

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self) -> int:
        return sum(len(layer) for layer in self.layers.values()) if self._all is None else len(self._all)

    def cull(self, keys) -> HighLevelGraph:
        """Keep only the layers and keys needed for ``keys``, walking layers from the top down."""
        needed = set(flatten(keys)) if isinstance(keys, list) else set(keys)
        order = toposort(self.dependencies)
        layers, deps = {}, {}
        for name in reversed(order):
            layer = self.layers[name]
            mine = {k for k in needed if k in layer}
            if not mine:
                continue
            cull = getattr(layer, "cull", None)
            kept = cull(mine) if cull is not None else {k: layer[k] for k in _closure(layer, mine)}
            layers[name] = kept
            deps[name] = self.dependencies[name]
            needed |= keys_in_tasks(self, kept.values())
        return HighLevelGraph(layers, {k: v & set(layers) for k, v in deps.items()})

    def __repr__(self) -> str:
        return f"HighLevelGraph with {len(self.layers)} layers"


def _closure(layer: Mapping, keys: set) -> set:
    """Keys of ``layer`` needed for ``keys``, following dependencies inside the layer."""
    out, stack = set(), list(keys)
    while stack:
        k = stack.pop()
        if k in out:
            continue
        out.add(k)
        stack.extend(d for d in keys_in_tasks(layer, [layer[k]]) if d not in out)
    return out


def _layer_name(collection) -> str:
    """A layer name for a collection whose graph is a plain dict: the name part of its first key
    (through the protocol only: attribute access on a Delayed would build a new Delayed)."""
    keys = list(flatten(collection.__shoal_keys__()))
    key = keys[0] if keys else None
    if isinstance(key, tuple):
        key = key[0]
    return str(key) if key is not None else f"graph-{id(collection)}"
