"""The expression tree under every collection.

A user-facing DataFrame/Series/Index/Scalar wraps an immutable :class:`Expr`.  Each node knows its
``_meta`` (empty pandas object), its ``divisions`` and hence ``npartitions``, and its name, a token of
its operands (so equal subtrees get equal names: common-subexpression elimination is free).

Two kinds of node:
* :class:`Blockwise` nodes compute output partition ``i`` from partition ``i`` of their frame
  operands (or partition 0 of a broadcast operand such as a Scalar).  They say what to call through
  ``_partition_func``/``_partition_args(i)``/``_partition_kwargs``; the lowering step fuses chains of
  them into one task per partition.
* other nodes build their own graph layer in ``_layer()`` and refer to dependencies by key
  ``(dep._name, i)``.
"""
from __future__ import annotations

import functools
import operator

import numpy as np
import pandas as pd

from shoal.base import tokenize

from ._meta import emulate, is_pandas, make_meta, meta_nonempty


class Expr:
    """An immutable node of the plan.  Operands are listed in ``_parameters``."""

    _parameters: tuple = ()
    _defaults: dict = {}
    _is_blockwise = False

    def __init__(self, *args, **kwargs):
        operands = list(args)
        for p in self._parameters[len(args):]:
            if p in kwargs:
                operands.append(kwargs.pop(p))
            elif p in self._defaults:
                operands.append(self._defaults[p])
            else:
                raise TypeError(f"{type(self).__name__} is missing operand {p!r}")
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected operands {sorted(kwargs)}")
        self.operands = operands

    def __getattr__(self, key):
        params = type(self)._parameters
        if key in params:
            return self.__dict__["operands"][params.index(key)]
        raise AttributeError(f"{type(self).__name__} has no attribute {key!r}")

    # identity -------------------------------------------------------------------------------
    @functools.cached_property
    def _name(self) -> str:
        return f"{type(self).__name__.lower()}-{tokenize(type(self).__name__, *self.operands)}"

    def __shoal_tokenize__(self):
        return self._name

    def __repr__(self):
        return f"{type(self).__name__}({self._name})"

    # structure ------------------------------------------------------------------------------
    def dependencies(self) -> list["Expr"]:
        return [op for op in _iter_operands(self.operands) if isinstance(op, Expr)]

    def _rebuild(self, operands):
        return type(self)(*operands)

    def topo(self) -> list["Expr"]:
        """All nodes reachable from self, dependencies before dependents, unique by name."""
        seen: dict[str, Expr] = {}
        order: list[Expr] = []
        stack = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if node._name in seen:
                continue
            seen[node._name] = node
            stack.append((node, True))
            stack.extend((d, False) for d in reversed(node.dependencies()) if d._name not in seen)
        return order

    def substitute(self, replacements: dict[str, "Expr"]) -> "Expr":
        """Rebuild the tree with nodes (by name) replaced."""
        memo: dict[str, Expr] = {}
        for node in self.topo():
            if node._name in replacements:
                memo[node._name] = replacements[node._name]
                continue
            new_ops = _map_operands(node.operands, lambda e: memo.get(e._name, e))
            changed = any(a is not b for a, b in zip(_iter_operands(new_ops), _iter_operands(node.operands)))
            memo[node._name] = node._rebuild(new_ops) if changed else node
        return memo[self._name]

    # metadata -------------------------------------------------------------------------------
    @functools.cached_property
    def _meta(self):
        raise NotImplementedError

    @functools.cached_property
    def divisions(self) -> tuple:
        return tuple(self._divisions())

    def _divisions(self):
        raise NotImplementedError

    @property
    def npartitions(self) -> int:
        return len(self.divisions) - 1

    @property
    def known_divisions(self) -> bool:
        return len(self.divisions) > 0 and self.divisions[0] is not None

    @property
    def columns(self) -> list:
        meta = self._meta
        if isinstance(meta, pd.DataFrame):
            return list(meta.columns)
        return []

    @property
    def is_scalar(self) -> bool:
        return not is_pandas(self._meta)

    # graph ------------------------------------------------------------------------------------
    def _layer(self) -> dict:
        raise NotImplementedError(f"{type(self).__name__} has no graph layer")

    def _column_needs(self, needed):
        """Which columns each dependency must provide, given the columns needed from self.

        Yields ``(dependency, set_of_columns_or_None)`` where None means "all of them".
        """
        for dep in self.dependencies():
            yield dep, None

    def _estimated_nbytes(self):
        """A rough in-memory size of the whole collection, or None if unknown.

        Readers know their input sizes; other nodes are assumed no larger than their largest input.
        Used to pick an on-disk shuffle for data that may not fit in memory.
        """
        sizes = [d._estimated_nbytes() for d in self.dependencies()]
        return max(sizes) if sizes and None not in sizes else None

    def _label(self) -> str:
        """One line for explain()."""
        args = [_short(op) for op in self.operands if not isinstance(op, Expr)]
        return f"{type(self).__name__}({', '.join(a for a in args if a)})"

    def _tree_repr(self, indent: int = 0, seen=None) -> list[str]:
        seen = set() if seen is None else seen
        line = "  " * indent + self._label() + f"  [npartitions={self.npartitions}]"
        if self._name in seen:
            return [line + "  (shared, see above)"]
        seen.add(self._name)
        lines = [line]
        for dep in self.dependencies():
            lines.extend(dep._tree_repr(indent + 1, seen))
        return lines


def _short(x) -> str:
    if isinstance(x, (pd.DataFrame, pd.Series)):
        return f"<pandas {type(x).__name__} {x.shape}>"
    if callable(x):
        return getattr(x, "__name__", type(x).__name__)
    if isinstance(x, dict) and not x:
        return ""
    if x is None:
        return ""
    r = repr(x)
    return r if len(r) < 60 else r[:57] + "..."


def _iter_operands(ops):
    for op in ops:
        if isinstance(op, (list, tuple)):
            yield from _iter_operands(op)
        elif isinstance(op, dict):
            yield from _iter_operands(list(op.values()))
        else:
            yield op


def _map_operands(ops, f):
    out = []
    for op in ops:
        if isinstance(op, Expr):
            out.append(f(op))
        elif isinstance(op, list):
            out.append(_map_operands(op, f))
        elif isinstance(op, tuple):
            out.append(tuple(_map_operands(op, f)))
        elif isinstance(op, dict):
            out.append(dict(zip(op, _map_operands(list(op.values()), f))))
        else:
            out.append(op)
    return out


def _replace_in_args(args, mapping):
    """Replace expressions (by name) inside an argument list."""
    out = []
    for a in args:
        if isinstance(a, Expr):
            out.append(mapping.get(a._name, a))
        elif type(a) is list:
            out.append(_replace_in_args(a, mapping))
        else:
            out.append(a)
    return out


def _frame_deps(args):
    return [a for a in _iter_operands(args) if isinstance(a, Expr) and not a.is_scalar]


def metas(args):
    return _map_operands(list(args), lambda e: e._meta)


class Blockwise(Expr):
    """Output partition i depends only on partition i of its frame operands."""

    _is_blockwise = True
    operation = None

    @property
    def _partition_func(self):
        return self.operation

    def _partition_args(self, i: int) -> list:
        return list(self.operands)

    @property
    def _partition_kwargs(self) -> dict:
        return {}

    def _divisions(self):
        frames = _frame_deps(self.operands)
        if not frames:
            return (None, None)
        return max(frames, key=lambda f: f.npartitions).divisions

    @functools.cached_property
    def _meta(self):
        return emulate(self._partition_func, *metas(self._partition_args_meta()), **self._partition_kwargs)

    def _partition_args_meta(self):
        return self.operands

    def _dep_partition(self, dep: "Expr", i: int) -> int:
        """Which partition of ``dep`` feeds output partition ``i`` (0 for a broadcast operand)."""
        if dep.is_scalar or (dep.npartitions == 1 and self.npartitions != 1):
            return 0
        return i


# ------------------------------------------------------------------------------------------
# Leaf nodes


def _identity(x):
    return x


class FromGraph(Expr):
    """Partitions that already exist in a graph (persisted results, delayed objects, futures)."""

    _parameters = ("layer", "name", "meta", "divisions_")

    @functools.cached_property
    def _name(self):
        return self.operands[1]

    @functools.cached_property
    def _meta(self):
        return self.operands[2]

    def _divisions(self):
        return self.operands[3]

    def _layer(self):
        return dict(self.layer)

    def _label(self):
        return f"FromGraph({self.name})"


def _select_columns(part, columns):
    return part if columns is None else part[columns]


class FromPandas(Blockwise):
    """A pandas object cut into row ranges ``locations[i]:locations[i+1]``."""

    _parameters = ("frame", "divisions_", "locations", "columns_", "token")
    _defaults = {"columns_": None, "token": None}

    @functools.cached_property
    def _name(self):
        token = self.token or tokenize(self.frame)
        return "frompandas-" + tokenize(token, self.columns_, self.locations, self.divisions_)

    def _rebuild(self, operands):
        return FromPandas(*operands)

    @property
    def _partition_func(self):
        return _select_columns

    def _partition_args(self, i):
        # a view of the rows; the column subset is taken inside the task, in parallel
        return [self.frame.iloc[self.locations[i]:self.locations[i + 1]], self.columns_]

    @functools.cached_property
    def _meta(self):
        meta = make_meta(self.frame)
        return meta[self.columns_] if self.columns_ is not None else meta

    def _divisions(self):
        return self.divisions_

    def _estimated_nbytes(self):
        return int(self.frame.memory_usage(deep=False).sum()) if isinstance(self.frame, pd.DataFrame) \
            else int(self.frame.memory_usage(deep=False))

    def _project_columns(self, columns):
        if isinstance(self.frame, pd.Series) or self.columns_ == list(columns):
            return self
        return FromPandas(self.frame, self.divisions_, self.locations, list(columns), self.token)

    def _label(self):
        cols = f", columns={self.columns_}" if self.columns_ is not None else ""
        return f"FromPandas({_short(self.frame)}{cols})"


# ------------------------------------------------------------------------------------------
# Column selection, filtering, assignment


class Projection(Blockwise):
    _parameters = ("frame", "columns_")
    operation = staticmethod(operator.getitem)

    @functools.cached_property
    def _meta(self):
        return self.frame._meta[self.columns_]

    def _column_needs(self, needed):
        cols = self.columns_
        yield self.frame, set(cols) if isinstance(cols, list) else {cols}

    def _label(self):
        return f"Projection({self.columns_!r})"


class Filter(Blockwise):
    """``frame[predicate]`` with a boolean Series (or a callable-free boolean expression)."""

    _parameters = ("frame", "predicate")
    operation = staticmethod(operator.getitem)

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _column_needs(self, needed):
        yield self.frame, needed
        if isinstance(self.predicate, Expr):
            yield self.predicate, None


def _assign(df, *pairs):
    df = df.copy(deep=False)
    for k, v in zip(pairs[::2], pairs[1::2]):
        df[k] = v
    return df


class Assign(Blockwise):
    """``df.assign(k=v, ...)``: operands are the frame then alternating keys and values."""

    _parameters = ("frame",)
    operation = staticmethod(_assign)

    def __init__(self, frame, *pairs):
        self.operands = [frame, *pairs]

    def _rebuild(self, operands):
        return Assign(*operands)

    @functools.cached_property
    def _meta(self):
        return _assign(self.frame._meta, *metas(self.operands[1:]))

    def _column_needs(self, needed):
        keys = set(self.operands[1::2])
        yield self.frame, None if needed is None else (needed - keys)
        for v in self.operands[2::2]:
            if isinstance(v, Expr):
                yield v, None


class BinOp(Blockwise):
    """An elementwise operator between frames, series and scalars (``df.x + 1``, ``a > b``)."""

    _parameters = ("op", "left", "right")

    @property
    def _partition_func(self):
        return self.op

    def _partition_args(self, i):
        return [self.left, self.right]

    def _partition_args_meta(self):
        return [self.left, self.right]

    def _column_needs(self, needed):
        for side in (self.left, self.right):
            if isinstance(side, Expr):
                other = self.right if side is self.left else self.left
                simple = not isinstance(other, Expr) or other.is_scalar
                yield side, needed if simple and isinstance(side._meta, pd.DataFrame) else None

    def _label(self):
        return f"BinOp({getattr(self.op, '__name__', self.op)})"


def _unary(op, x):
    return op(x)


class UnaryOp(Blockwise):
    _parameters = ("op", "frame")

    @property
    def _partition_func(self):
        return _unary

    def _partition_args(self, i):
        return [self.op, self.frame]

    def _partition_args_meta(self):
        return [self.op, self.frame]

    def _label(self):
        return f"UnaryOp({getattr(self.op, '__name__', self.op)})"


def _apply_func(func, kwargs, *args):
    return func(*args, **kwargs)


class MapPartitions(Blockwise):
    """Apply ``func(*args, **kwargs)`` partition by partition.

    ``args`` may contain frame expressions (partition i is passed) and scalar expressions.
    ``divisions_`` is 'keep' (same as the first frame argument), 'clear' (unknown) or a tuple.
    ``enforce`` checks each output against meta at compute time.
    """

    _parameters = ("func", "meta", "divisions_", "kwargs", "enforce", "args", "partition_info")
    _defaults = {"divisions_": "keep", "kwargs": None, "enforce": False, "args": (),
                 "partition_info": False}

    @property
    def _partition_func(self):
        if self.partition_info:
            return functools.partial(_apply_with_info, self.func, self.kwargs or {})
        if self.enforce:
            return functools.partial(_apply_and_check, self.func, self.kwargs or {}, self.meta,
                                     _funcname(self.func))
        return functools.partial(_apply_func, self.func, self.kwargs or {})

    def _partition_args(self, i):
        args = list(self.args)
        if self.partition_info:
            info = {"number": i, "division": self.divisions[i]}
            return [*args, info]
        return args

    @functools.cached_property
    def _meta(self):
        return self.meta

    def _divisions(self):
        d = self.divisions_
        frames = _frame_deps(self.args)
        if isinstance(d, str):
            base = max(frames, key=lambda f: f.npartitions).divisions if frames else (None, None)
            return base if d == "keep" else (None,) * len(base)
        return d

    def _label(self):
        return f"MapPartitions({_funcname(self.func)})"


def _funcname(f) -> str:
    if isinstance(f, functools.partial):
        return _funcname(f.func)
    return getattr(f, "__name__", type(f).__name__)


def _apply_with_info(func, kwargs, *args):
    return func(*args[:-1], partition_info=args[-1], **kwargs)


def _apply_and_check(func, kwargs, meta, name, *args):
    from ._meta import check_meta

    return check_meta(func(*args, **kwargs), meta, name)


class MethodCall(Blockwise):
    """``partition.method(*args, **kwargs)`` for elementwise pandas methods; meta by emulation."""

    _parameters = ("frame", "method", "args", "kwargs", "keeps_columns")
    _defaults = {"args": (), "kwargs": None, "keeps_columns": False}

    @property
    def _partition_func(self):
        return functools.partial(_call_method_kw, self.method, self.kwargs or {})

    def _partition_args(self, i):
        return [self.frame, *self.args]

    def _partition_args_meta(self):
        return self._partition_args(0)

    def _column_needs(self, needed):
        yield self.frame, needed if self.keeps_columns else None
        for a in _iter_operands(self.args):
            if isinstance(a, Expr):
                yield a, None

    @functools.cached_property
    def _meta(self):
        if self.method not in _FILLS_WHERE_FALSE and self.method not in _FILLS_MISSING:
            return super()._meta
        # empty metas never hit a False condition, so they would keep int/bool dtypes that partitions
        # lose; nor a missing value, so fillna(0) would keep the str dtype a filled column loses
        fake = [meta_nonempty(m) for m in metas(self._partition_args_meta())]
        if self.method in _FILLS_MISSING:
            fake[0] = _with_missing(fake[0])
        return emulate(self._partition_func, *fake)

    def _label(self):
        return f"MethodCall({self.method})"


_FILLS_WHERE_FALSE = frozenset({"where", "mask"})
_FILLS_MISSING = frozenset({"fillna"})


def _with_missing(sample):
    """``sample`` with its first value missing in every column that can hold a missing value."""
    def blank_first(s):
        if s.dtype.kind in "iub" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
            return s
        return s.where(np.arange(len(s)) != 0)

    if isinstance(sample, pd.DataFrame):
        if not len(sample.columns):
            return sample
        out = pd.concat([blank_first(sample.iloc[:, i]) for i in range(sample.shape[1])], axis=1)
        out.columns = sample.columns
        return out
    return blank_first(sample)


def _call_method_kw(method, kwargs, obj, *args):
    return getattr(obj, method)(*args, **kwargs)


class Partitions(Expr):
    """Select some partitions (by position) of a frame."""

    _parameters = ("frame", "partitions")

    @functools.cached_property
    def _meta(self):
        return self.frame._meta

    def _divisions(self):
        d = self.frame.divisions
        if d[0] is None:
            return (None,) * (len(self.partitions) + 1)
        out = [d[p] for p in self.partitions]
        last = self.partitions[-1]
        return (*out, d[last + 1])

    def _layer(self):
        return {(self._name, j): (_identity, (self.frame._name, p)) for j, p in enumerate(self.partitions)}

    def _column_needs(self, needed):
        yield self.frame, needed

