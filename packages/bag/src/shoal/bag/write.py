"""``to_textfiles``: one text file per partition, anywhere fsspec can write, compressed by extension."""

from __future__ import annotations

from shoal.bag.graph import new_bag
from shoal.base import tokenize


def to_textfiles(bag, path, name_function=None, compression="infer", encoding="utf-8",
                 compute=True, storage_options=None, last_endline=False, **kwargs):
    """Write partition ``i`` to the ``i``-th file of ``path``: a glob with one ``*`` (replaced by
    ``name_function(i)``, default ``i``), a directory (``0.part``, ``1.part``, ...) or a list of paths.
    Elements must be strings and are written separated by newlines.

    Returns the paths written, or with ``compute=False`` one Delayed per file.
    """
    import fsspec

    files = fsspec.open_files(path, mode="wt", name_function=name_function, num=bag.npartitions,
                              compression=compression, encoding=encoding, **(storage_options or {}))
    if len(files) != bag.npartitions:
        raise ValueError(
            f"to_textfiles: {len(files)} paths given for a bag of {bag.npartitions} partitions"
        )
    name = f"to-textfiles-{tokenize(bag, [f.path for f in files], compression, encoding, last_endline)}"
    layer = {(name, i): (write_partition, f, (bag.name, i), last_endline, i)
             for i, f in enumerate(files)}
    out = new_bag(name, layer, [bag], bag.npartitions)
    if not compute:
        return out.to_delayed()
    return out.compute(**kwargs)


def write_partition(open_file, partition, last_endline: bool, i: int) -> list:
    """Write the lines of ``partition``; returns ``[path]``."""
    with open_file as f:
        for n, line in enumerate(partition):
            if not isinstance(line, str):
                raise TypeError(
                    f"to_textfiles: element {n} of partition {i} is a {type(line).__name__}, not a "
                    "str; map the bag to strings first (e.g. .map(json.dumps))"
                )
            if n:
                f.write("\n")
            f.write(line)
        if last_endline:
            f.write("\n")
    return [open_file.path]
