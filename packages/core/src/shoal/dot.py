"""Drawing graphs: DOT source for any graph, written as is or rendered to an image by graphviz's ``dot``
program (the source goes to ``dot`` on stdin, so only the requested file is written)."""

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


_FORMATS = {"png", "svg", "pdf", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "ps", "eps", "webp", "json", "plain",
            "dot", "gv"}


class DotSource(str):
    """The DOT source of a drawn graph: a ``str``, which a Jupyter notebook displays as the picture
    (rendered to SVG by graphviz's ``dot`` when it is installed)."""

    def _repr_svg_(self):
        if shutil.which("dot") is None:
            return None
        return render(self, "svg").decode()


def output_path(filename: str, format: str | None) -> tuple[str, str]:
    """``(path, format)``: the format comes from ``format``, else from a known extension, else png;
    a known extension that is not the format is replaced (``g.png`` as svg is ``g.svg``)."""
    root, ext = os.path.splitext(filename)
    ext = ext.lstrip(".").lower()
    fmt = (format or (ext if ext in _FORMATS else "png")).lower().lstrip(".")
    if ext == fmt:
        return filename, fmt
    return (root if ext in _FORMATS else filename) + "." + fmt, fmt


def render(source: str, fmt: str, path: str | None = None) -> bytes:
    """Run graphviz's ``dot`` on ``source`` (given on stdin): write ``path`` if given, else return the
    rendered bytes."""
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            f"rendering {fmt} needs graphviz's 'dot' program (apt-get install graphviz, or "
            "conda install graphviz); use format='dot' to write the DOT source only"
        )
    command = [dot, f"-T{fmt}"] + (["-o", path] if path else [])
    done = subprocess.run(command, input=source.encode(), capture_output=True)
    if done.returncode:
        raise ValueError(f"graphviz could not render the graph as {fmt!r}: {done.stderr.decode().strip()}")
    return done.stdout


def write_graph(dsk, filename: str | None = "mydask", format: str | None = None, rankdir: str = "BT",
                **kwargs) -> DotSource:
    """Write the graph drawn in ``format`` to ``filename`` and nothing else; return its DOT source.

    The format is ``format``, else the file's extension, else png (``'mydask'`` gives ``mydask.png``);
    ``'dot'`` writes the source itself, other formats are rendered by graphviz's ``dot``.
    ``filename=None`` writes nothing."""
    source = DotSource(to_dot(dsk, rankdir=rankdir))
    if filename is None:
        return source
    path, fmt = output_path(os.fspath(filename), format)
    if fmt in ("dot", "gv"):
        with open(path, "w") as f:
            f.write(source)
    else:
        render(source, fmt, path)
    return source
