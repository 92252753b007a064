"""Fusing chains of Blockwise layers before their tasks are built.

In ``((x + 1) * 2).sum(axis=0)`` every block of ``x + 1`` is read by exactly one block of ``* 2``,
the one with the same index, and by nothing else. Fusing key by key finds that once per block (it
builds, culls and inlines three tasks where one remains); seen from the layers it is known at once:
a Blockwise layer whose only consumer layer is another Blockwise layer that reads it once, block
for block, is nested into that consumer's tasks as they are built. Constant layers (ones, views of an
in-memory array), which are inlined into every reader anyway, are copied into the Blockwise tasks
that read them the same way. The tasks are the same as key-by-key fusion gives; layers this does
not cover are fused key by key afterwards.
"""

import itertools

from shoal.core import istask

from .blockwise import Blockwise


def fuse_layer_chains(layers, dependencies, keys):
    """``layers`` (name -> layer) with chains of Blockwise layers fused into their last layer."""
    outputs = {k[0] if type(k) is tuple else k for k in keys}
    consumers = {name: [] for name in layers}
    for name in layers:
        for dep in dependencies.get(name, ()):
            if dep in consumers:
                consumers[dep].append(name)
    candidates = {}  # consumer name -> {argument position: name of a layer it may nest there}
    for name, layer in layers.items():
        if not _chainable(layer):
            continue
        for position, (arg, where) in enumerate(layer._plan):
            if where is True and _nestable(arg, name, layers, consumers, outputs):
                candidates.setdefault(name, {})[position] = arg
    constants = {name for name, layer in layers.items() if _constant(name, layer, layers, dependencies, outputs)}
    if not candidates and not constants:
        return layers
    built, reads, nested = {}, {}, set()

    def build(name):
        """Nest the candidates of layer ``name``; ``reads[name]``: the layers it then still reads.
        A candidate reading a layer that another argument reads too stays apart: nested, it
        would make that layer's blocks look used once, and key-by-key fusion would then compute
        them twice."""
        if name in built:
            return built[name]
        layer = layers[name]
        chosen = {}
        for position, arg in candidates.get(name, {}).items():
            inner = build(arg)
            others = [r for p, (a, where) in enumerate(layer._plan) if where is not None and p != position
                      for r in (reads[a] if p in chosen else [a])]
            if not set(reads[arg]) & set(others):
                chosen[position] = inner
                nested.add(arg)
        copied = {p: layers[a] for p, (a, where) in enumerate(layer._plan) if where is not None and a in constants}
        reads[name] = [r for p, (a, where) in enumerate(layer._plan) if where is not None and p not in copied
                       for r in (reads[a] if p in chosen else [a])]
        built[name] = FusedBlockwise(layer, chosen, copied) if chosen or copied else layer
        return built[name]

    for name, layer in layers.items():
        if _chainable(layer):
            build(name)
    # a constant layer read only by Blockwise layers has been copied into all of its readers
    nested |= {name for name in constants if all(_chainable(layers[c]) and not _named_literally(name, layers[c])
                                                 for c in consumers[name])}
    return {name: built.get(name, layer) for name, layer in layers.items() if name not in nested}


def _constant(name, layer, layers, dependencies, outputs):
    """Is ``layer`` made of cheap tasks inlined into every reader (constant blocks, views of an
    in-memory array) that read nothing fusible themselves, so they can be copied as they are?"""
    if not getattr(layer, "inline_always", False) or name in outputs:
        return False
    if any(getattr(layers.get(d), "fusible", False) for d in dependencies.get(name, ())):
        return False
    return all(istask(task) for task in layer.values())


def _named_literally(name, layer):
    return any(type(a) is str and a == name for a, where in layer._plan if where is None)


def _chainable(layer):
    return type(layer) is Blockwise and layer._plan is not None


def _nestable(arg, consumer, layers, consumers, outputs):
    layer = layers.get(arg)
    if not _chainable(layer) or arg in outputs or consumers.get(arg) != [consumer]:
        return False
    outer = layers[consumer]
    reads = [a for a, _ in outer._plan if type(a) is str and a == arg]  # a literal naming it counts too
    return len(reads) == 1 and layer.out_numblocks == outer.out_numblocks


class FusedBlockwise:
    """A Blockwise layer whose tasks have, at argument ``positions`` ({position: layer}), the tasks
    of the layers it reads block for block nested, and at ``copies`` ({position: constant layer})
    the constant layer's task for the block read there; its keys are those of the outer layer."""

    fusible = True

    def __init__(self, outer, positions, copies=None):
        self.outer = outer
        self.positions = positions
        self.copies = copies or {}

    def task(self, out_index):
        parts = list(self.outer.task(out_index))
        for position, layer in self.positions.items():
            parts[position + 1] = layer.task(out_index)
        for position, layer in self.copies.items():
            parts[position + 1] = layer[parts[position + 1]]
        return tuple(parts)

    def to_dict(self):
        name = self.outer.output
        return {(name,) + idx: self.task(idx)
                for idx in itertools.product(*(range(n) for n in self.outer.out_numblocks))}

    def __iter__(self):
        return iter(self.outer)

    def __contains__(self, key):
        return key in self.outer
