"""Drawing graphs: DOT source for any graph, rendered by graphviz's ``dot`` program when installed."""

from __future__ import annotations

import html
import os
import shutil
import subprocess

from shoal.core import get_dependencies, istask
from shoal.utils import funcname, key_split


def _node_id(key) -> str:
    return "n" + str(abs(hash(str(key))))


def _label(key) -> str:
    if isinstance(key, tuple):
        return html.escape(f"{key_split(key)}, " + ", ".join(str(i) for i in key[1:]))
    return html.escape(key_split(key))


def to_dot(dsk, rankdir: str = "BT") -> str:
    """DOT source: a circle per task (its function) and a box per value (its key)."""
    lines = [f'digraph "shoal" {{\n  graph [rankdir={rankdir}];']
    for key, task in dsk.items():
        box = _node_id(key)
        lines.append(f'  {box} [label="{_label(key)}", shape=box];')
        if istask(task):
            func = "f" + box
            lines.append(f'  {func} [label="{html.escape(funcname(task[0]))}", shape=circle];')
            lines.append(f"  {func} -> {box};")
            for dep in get_dependencies(dsk, task=task):
                lines.append(f"  {_node_id(dep)} -> {func};")
        else:
            for dep in get_dependencies(dsk, task=task):
                lines.append(f"  {_node_id(dep)} -> {box};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(dsk, filename: str | None = "mydask", format: str | None = None, rankdir: str = "BT",
                **kwargs) -> str:
    """Write ``filename.dot`` (and ``filename.<format>`` via graphviz for svg/png/pdf); return DOT."""
    source = to_dot(dsk, rankdir=rankdir)
    if filename is None:
        return source
    root, ext = os.path.splitext(filename)
    fmt = (format or ext.lstrip(".") or "dot").lower()
    if fmt == "dot":
        with open(root + ".dot", "w") as f:
            f.write(source)
        return source
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            f"rendering {fmt} needs graphviz's 'dot' program (apt-get install graphviz, or "
            "conda install graphviz); use format='dot' to write the DOT source only"
        )
    with open(root + ".dot", "w") as f:
        f.write(source)
    subprocess.run([dot, f"-T{fmt}", "-o", f"{root}.{fmt}"], input=source.encode(), check=True)
    return source
