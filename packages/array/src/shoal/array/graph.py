"""Building the HighLevelGraph of a new array from one new layer and the graphs of its inputs."""

from shoal.highlevelgraph import HighLevelGraph


def layer_name_of(collection):
    """The layer holding ``collection``'s own keys (arrays name their layer after themselves)."""
    from .core import Array

    if isinstance(collection, Array) or isinstance(getattr(type(collection), "name", None), str):
        return collection.name
    return f"collection-{id(collection)}"


def graph_from_layer(name, layer, dependencies=()):
    """A HighLevelGraph with ``layer`` named ``name`` on top of the graphs of ``dependencies``.

    ``dependencies`` may hold arrays or any collection (Delayed, futures-backed collections): their
    graphs are merged in as layers, so building deep expressions never copies task dicts.
    """
    layers = {name: layer}
    deps = {name: set()}
    for dep in dependencies:
        graph = dep.__shoal_graph__()
        if isinstance(graph, HighLevelGraph):
            layers.update(graph.layers)
            for k, v in graph.dependencies.items():
                deps[k] = set(v)
            own = layer_name_of(dep)
            deps[name] |= {own} if own in graph.layers else set(graph.layers)
        else:
            own = layer_name_of(dep)
            if own in layers and own != name:
                own = f"{own}-{id(graph)}"
            layers[own] = graph
            deps[own] = set()
            deps[name].add(own)
    return HighLevelGraph(layers, deps)


def merge_graphs(*collections):
    """One HighLevelGraph holding the graphs of all ``collections``."""
    layers, deps = {}, {}
    for c in collections:
        graph = c.__shoal_graph__()
        if isinstance(graph, HighLevelGraph):
            layers.update(graph.layers)
            deps.update({k: set(v) for k, v in graph.dependencies.items()})
        else:
            own = f"{layer_name_of(c)}-{id(graph)}"
            layers[own] = graph
            deps[own] = set()
    return HighLevelGraph(layers, deps)
