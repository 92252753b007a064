"""The optimizer: rewrite an expression tree, then lower it to a task graph.

Rewrites, in order:
1. predicate pushdown: ``Filter(read_parquet, x > 3)`` gives the reader ``filters=`` so whole files
   and row groups are skipped (the Filter stays, so results are exact);
2. projection pushdown: every reader is asked for only the union of the columns that any consumer
   needs (one read per source, however many columns are used downstream);
3. common subexpressions need no pass: node names are tokens of their operands, so equal subtrees
   are one node.

Lowering fuses each connected region of Blockwise nodes with the same partitioning into a single
task per partition (a :class:`FusedProgram`), so ``read -> filter -> assign -> getitem`` costs one
task per partition, and culls the graph to what the outputs need.
"""
from __future__ import annotations

from collections import defaultdict

from ._expr import BinOp, Blockwise, Expr, Filter, MethodCall, Partitions, Projection, _replace_in_args

ALL = None


def optimize(expr: Expr) -> Expr:
    expr = pushdown_predicates(expr)
    expr = pushdown_projections(expr)
    expr = pushdown_partition_selection(expr)
    return expr


# ------------------------------------------------------------------------------------------
# partition selection pushdown (head, get_partition, loc with known divisions)


class SelectPartitions(Blockwise):
    """Partitions ``parts`` of a blockwise ``node``, computed from the same partitions of its inputs."""

    _parameters = ("node", "parts", "inputs")

    def dependencies(self):
        return list(self.inputs)

    @property
    def _partition_func(self):
        return self.node._partition_func

    @property
    def _partition_kwargs(self):
        return self.node._partition_kwargs

    def _partition_args(self, j):
        mapping = dict(zip([d._name for d in self.node.dependencies()], self.inputs))
        return _replace_in_args(self.node._partition_args(self.parts[j]), mapping)

    @property
    def _meta(self):
        return self.node._meta

    def _divisions(self):
        return Partitions(self.node, self.parts).divisions

    def _label(self):
        return f"SelectPartitions({self.node._label()}, {self.parts})"


def _select(expr: Expr, parts: list) -> Expr:
    if not expr._is_blockwise:
        return Partitions(expr, parts)
    n = expr.npartitions
    deps = expr.dependencies()
    if any(not d.is_scalar and d.npartitions not in (n, 1) for d in deps):
        return Partitions(expr, parts)
    inputs = [d if d.is_scalar or (d.npartitions == 1 and n != 1) else _select(d, parts)
              for d in deps]
    return SelectPartitions(expr, list(parts), inputs)


def pushdown_partition_selection(root: Expr) -> Expr:
    replacements = {}
    for node in root.topo():
        if isinstance(node, Partitions) and node.frame._is_blockwise:
            replacements[node._name] = _select(node.frame, list(node.partitions))
    return root.substitute(replacements) if replacements else root


# ------------------------------------------------------------------------------------------
# projection pushdown


def pushdown_projections(root: Expr) -> Expr:
    order = root.topo()
    needs: dict[str, set | None] = {root._name: ALL}
    for node in reversed(order):
        need = needs.get(node._name, ALL)
        for dep, dep_need in node._column_needs(need):
            if dep.is_scalar or not dep.columns:
                dep_need = ALL
            if dep._name not in needs:
                needs[dep._name] = dep_need
            elif needs[dep._name] is not ALL:
                needs[dep._name] = ALL if dep_need is ALL else needs[dep._name] | dep_need
    replacements = {}
    for node in order:
        need = needs.get(node._name, ALL)
        if need is ALL or not hasattr(node, "_project_columns"):
            continue
        cols = node.columns
        if set(cols) <= need:
            continue
        new = node._project_columns([c for c in cols if c in need])
        if new is not node:
            replacements[node._name] = new
    return root.substitute(replacements) if replacements else root


# ------------------------------------------------------------------------------------------
# predicate pushdown

_COMPARISONS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "==", "!=": "!="}


def pushdown_predicates(root: Expr) -> Expr:
    replacements = {}
    for node in root.topo():
        if not isinstance(node, Filter) or not isinstance(node.predicate, Expr):
            continue
        reader = _base_reader(node.frame)
        if reader is None or not hasattr(reader, "_with_filters"):
            continue
        dnf = _to_dnf(node.predicate, reader)
        if dnf is None:
            continue
        new_reader = reader._with_filters(dnf)
        replacements[node._name] = node.substitute({reader._name: new_reader})
    return root.substitute(replacements) if replacements else root


def _base_reader(expr: Expr):
    while isinstance(expr, (Projection, Filter)):
        expr = expr.frame
    return expr if hasattr(expr, "_with_filters") else None


def _column_of(expr, reader):
    if isinstance(expr, Projection) and not isinstance(expr.columns_, list):
        if _base_reader(expr.frame) is reader and expr.frame._name == reader._name:
            return expr.columns_
    return None


def _to_dnf(pred, reader):
    """A predicate as disjunctive normal form [[(col, op, value), ...], ...], or None."""
    if isinstance(pred, MethodCall) and pred.method == "isin" and len(pred.args) == 1:
        col = _column_of(pred.frame, reader)
        values = pred.args[0]
        if col is not None and isinstance(values, list) and all(map(_is_plain_scalar, values)):
            return [[(col, "in", values)]]
        return None
    if not isinstance(pred, BinOp):
        return None
    name = getattr(pred.op, "__name__", "")
    if name in ("and_", "or_"):
        left, right = _to_dnf(pred.left, reader), _to_dnf(pred.right, reader)
        if left is None or right is None:
            return None
        if name == "or_":
            return left + right
        return [a + b for a in left for b in right]
    if name not in _COMPARISONS:
        return None
    op = _COMPARISONS[name]
    col = _column_of(pred.left, reader)
    value = pred.right
    if col is None:
        col, value, op = _column_of(pred.right, reader), pred.left, _FLIP[op]
    if col is None or isinstance(value, Expr) or not _is_plain_scalar(value):
        return None
    return [[(col, op, value)]]


def _is_plain_scalar(v) -> bool:
    import numbers

    import pandas as pd

    return isinstance(v, (numbers.Number, str, pd.Timestamp, bool)) and v == v


# ------------------------------------------------------------------------------------------
# lowering


class _Ref:
    """A placeholder in a fused program: external input ``j`` or local step ``j``."""

    __slots__ = ("local", "j")

    def __init__(self, local: bool, j: int):
        self.local = local
        self.j = j


class FusedProgram:
    """One task running a region of blockwise steps for one partition."""

    __slots__ = ("steps", "name")

    def __init__(self, steps, name):
        self.steps = steps
        self.name = name

    def __call__(self, *inputs):
        values = []
        for func, args, kwargs in self.steps:
            values.append(func(*[_resolve(a, inputs, values) for a in args], **kwargs))
        return values[-1]

    def __repr__(self):
        return f"<fused {self.name}: {len(self.steps)} steps>"

    def __reduce__(self):
        return (FusedProgram, (self.steps, self.name))


def _resolve(a, inputs, values):
    if type(a) is _Ref:
        return values[a.j] if a.local else inputs[a.j]
    if type(a) is list:
        return [_resolve(x, inputs, values) for x in a]
    return a


def lower(root: Expr) -> dict:
    """The task graph of an (optimized) expression, culled to root's partitions."""
    nodes = root.topo()
    by_name = {n._name: n for n in nodes}
    consumers: dict[str, set] = defaultdict(set)
    for n in nodes:
        for d in n.dependencies():
            consumers[d._name].add(n._name)
    region = _regions(root, nodes, by_name, consumers)
    members: dict[str, list] = defaultdict(list)
    for n in nodes:
        if n._name in region:
            members[region[n._name]].append(n)
    graph: dict = {}
    for n in nodes:
        if not n._is_blockwise:
            graph.update(n._layer())
        elif region[n._name] == n._name:
            graph.update(_fused_layer(n, members[n._name], region))
    return cull(graph, [(root._name, i) for i in range(root.npartitions)])


def _regions(root, nodes, by_name, consumers):
    region: dict[str, str] = {}
    for n in reversed(nodes):
        if not n._is_blockwise:
            continue
        cons = consumers.get(n._name, ())
        target = None
        if n is not root and cons:
            owners = {region.get(c) for c in cons}
            if len(owners) == 1 and None not in owners:
                owner = by_name[owners.pop()]
                if owner.npartitions == n.npartitions and all(
                        by_name[c]._dep_partition(n, 1) == 1 or n.npartitions == 1 for c in cons):
                    target = owner._name
        region[n._name] = target or n._name
    return region


class _Inputs:
    """External keys a fused partition task reads, in first-use order."""

    def __init__(self):
        self.keys: list = []
        self.index: dict = {}

    def ref(self, key) -> _Ref:
        if key not in self.index:
            self.index[key] = len(self.keys)
            self.keys.append(key)
        return _Ref(False, self.index[key])


def _fused_layer(out: Expr, members: list, region: dict) -> dict:
    layer = {}
    local_index = {m._name: k for k, m in enumerate(members)}
    name = out._name.split("-")[0]
    for i in range(out.npartitions):
        inputs = _Inputs()
        steps = []
        for m in members:
            def ref(e, m=m, i=i, inputs=inputs):
                if e._name in local_index and region.get(e._name) == out._name:
                    return _Ref(True, local_index[e._name])
                return inputs.ref((e._name, m._dep_partition(e, i)))
            args = _replace_exprs(m._partition_args(i), ref)
            steps.append((m._partition_func, args, m._partition_kwargs))
        layer[(out._name, i)] = (FusedProgram(tuple(steps), name), *inputs.keys)
    return layer


def _replace_exprs(args, ref):
    out = []
    for a in args:
        if isinstance(a, Expr):
            out.append(ref(a))
        elif type(a) is list and any(isinstance(x, Expr) for x in a):
            out.append(_replace_exprs(a, ref))
        else:
            out.append(a)
    return out


def _task_deps(task, graph, out):
    stack = [task]
    while stack:
        t = stack.pop()
        typ = type(t)
        if typ is tuple:
            if t and callable(t[0]):
                stack.extend(t[1:])
                continue
            try:
                if t in graph:
                    out.append(t)
            except TypeError:  # a literal tuple holding unhashable values
                stack.extend(t)
        elif typ is list:
            stack.extend(t)
        elif typ is str and t in graph:
            out.append(t)
    return out


def cull(graph: dict, keys: list) -> dict:
    out = {}
    stack = list(keys)
    while stack:
        k = stack.pop()
        if k in out:
            continue
        out[k] = graph[k]
        _task_deps(graph[k], graph, stack)
    return out


def explain(expr: Expr) -> str:
    """The optimized plan as an indented tree (dependencies below their consumers)."""
    return "\n".join(optimize(expr)._tree_repr())
