"""read_csv / to_csv.

read_csv splits files into blocks on line boundaries (shoal.bytes.read_bytes), learns column
dtypes from a sample, and parses each block with those dtypes, so every partition has the same
schema; a block that does not fit the sampled dtypes fails with the column name and the dtype=
to pass.  Only the columns used downstream are parsed (``usecols`` is pushed down).
"""
from __future__ import annotations

import functools
import io

import pandas as pd

from shoal.base import tokenize

from .._expr import Blockwise
from .._meta import make_meta
from .._time_units import at_least_unit, match_time_units, time_unit
from ._blocks import blocks_expr, literal_blocks_expr
from ._file_block import FileBlock, file_blocks, open_block
from ._names import numbered_names


_READERS = {"csv": pd.read_csv, "fwf": pd.read_fwf}


def _parse_block(block, header, path, kwargs, dtypes, usecols, path_column, path_dtype, columns,
                 reader="csv", time_meta=None):
    kw = dict(kwargs)
    if usecols is not None:
        kw["usecols"] = usecols
        # columns projected away need no date parsing (pandas rejects dates of unread columns)
        if isinstance(kw.get("parse_dates"), (list, tuple)):
            kw["parse_dates"] = [c for c in kw["parse_dates"] if c in usecols]
    try:
        with _open(block, header) as source:
            df = _READERS[reader](source, dtype=dtypes, **kw)
    except (ValueError, TypeError) as e:
        with _open(block, header) as source:
            data = source.read()
        raise ValueError(_dtype_error(e, path, dtypes, data, kw, reader)) from e
    if path_column is not None:
        df[path_column] = pd.Series(path, index=df.index, dtype=path_dtype)
    if columns is not None and list(df.columns) != list(columns):
        df = df[columns]
    # parsed dates come out in 's' for a block with no dates, 'us' otherwise: use meta's unit
    return df if time_meta is None else match_time_units(df, time_meta)


def _open(block, header):
    if isinstance(block, FileBlock):
        return open_block(block, header)
    return io.BytesIO(block if header is None else header + block)


def _dtype_error(e, path, dtypes, data, kw, reader):
    kw = {k: v for k, v in kw.items() if k != "dtype"}
    try:
        loose = _READERS[reader](io.BytesIO(data), **kw)
        bad = [f"{c!r}: sampled {dtypes[c]}, found {loose[c].dtype}" for c in dtypes
               if c in loose.columns and str(loose[c].dtype) != str(dtypes[c])]
    except Exception:
        bad = []
    if not bad:
        return f"read_{reader} of {path} failed: {e}"
    detail = "; ".join(bad)
    cols = ", ".join(f"{b.split(':')[0]}: '{b.split('found ')[-1]}'" for b in bad)
    return (f"Mismatched dtypes found in read_{reader} of {path}: {detail}. The dtypes were inferred from "
            f"a sample at the start of the data. Pass dtype={{{cols}}} (or a larger sample=) to "
            f"read_csv.")


class ReadCSV(Blockwise):
    _parameters = ("blocks", "headers", "paths", "kwargs", "meta_", "usecols", "path_column",
                   "path_dtype", "reader")
    _defaults = {"reader": "csv"}

    @functools.cached_property
    def _meta(self):
        meta = self.meta_
        if self.usecols is not None:
            cols = [c for c in meta.columns if c in self.usecols or c == self.path_column]
            meta = meta[cols]
        return meta

    def _divisions(self):
        return self.blocks.divisions

    def _estimated_nbytes(self):
        return self.blocks._estimated_nbytes()

    @property
    def _partition_func(self):
        return _parse_block

    def _dtypes(self):
        parse_dates = self.kwargs.get("parse_dates") or []
        if parse_dates is True:
            parse_dates = []
        meta = self._meta
        return {c: meta[c].dtype for c in meta.columns
                if c != self.path_column and c not in parse_dates and meta[c].dtype.kind != "M"}

    def _partition_args(self, i):
        cols = list(self._meta.columns)
        meta = self._meta
        times = [c for c in meta.columns if time_unit(meta[c].dtype) is not None]
        return [self.blocks, self.headers[i], self.paths[i], self.kwargs, self._dtypes(),
                self.usecols, self.path_column, self.path_dtype, cols, self.reader,
                meta[times] if times else None]

    def _project_columns(self, columns):
        usecols = [c for c in columns if c != self.path_column]
        if not usecols:
            usecols = [c for c in self.meta_.columns if c != self.path_column][:1]
        return ReadCSV(self.blocks, self.headers, self.paths, self.kwargs, self.meta_, usecols,
                       self.path_column, self.path_dtype, self.reader)

    def _label(self):
        cols = f", usecols={self.usecols}" if self.usecols is not None else ""
        kind = "CSV" if self.reader == "csv" else "FWF"
        return f"Read{kind}({len(set(self.paths))} files{cols})"


def read_csv(urlpath, blocksize="64 MiB", sample="256 kiB", include_path_column=False,
             compression="infer", storage_options=None, meta=None, **kwargs):
    """Read CSV files (a path, glob, URL or list) into a DataFrame, one partition per block.

    ``assume_missing=True`` reads integer columns not named in ``dtype=`` as float64, for data whose
    missing values the sample at the start of the files does not show.
    """
    return _read_text(urlpath, "csv", blocksize, sample, include_path_column, compression,
                      storage_options, meta, kwargs)


def read_fwf(urlpath, colspecs="infer", widths=None, infer_nrows=100, blocksize="64 MiB",
             sample="256 kiB", include_path_column=False, compression="infer",
             storage_options=None, meta=None, **kwargs):
    """Read fixed-width text files into a DataFrame, one partition per block.

    Column edges inferred (``colspecs='infer'``) from the start of the first file are used for
    every block, so all partitions are cut the same way.
    """
    from shoal.bytes import read_bytes

    if widths is not None:
        kwargs["widths"] = widths
    else:
        if isinstance(colspecs, str) and colspecs == "infer":
            first, _ = read_bytes(urlpath, delimiter=b"\n", blocksize=None, sample=sample,
                                  compression=compression, **(storage_options or {}))
            colspecs = _infer_colspecs(first, infer_nrows, kwargs)
        kwargs["colspecs"] = colspecs
    return _read_text(urlpath, "fwf", blocksize, sample, include_path_column, compression,
                      storage_options, meta, kwargs)


def _infer_colspecs(sample_bytes, infer_nrows, kwargs):
    from pandas.io.parsers.python_parser import FixedWidthReader

    text = io.StringIO(sample_bytes.decode(kwargs.get("encoding") or "utf-8"))
    return [(int(a), int(b)) for a, b in FixedWidthReader(text, "infer", kwargs.get("delimiter"),
                                                          kwargs.get("comment"), None,
                                                          infer_nrows).colspecs]


def _read_text(urlpath, reader, blocksize, sample, include_path_column, compression,
               storage_options, meta, kwargs):
    from shoal.bytes import read_bytes

    from .._collection import new_collection

    assume_missing = kwargs.pop("assume_missing", False)
    if "index_col" in kwargs and kwargs["index_col"] not in (None, False):
        raise ValueError("read_csv does not support index_col: read, then set_index(...)")
    for bad in ("chunksize", "iterator", "nrows"):
        if kwargs.get(bad) is not None:
            raise ValueError(f"read_csv does not support {bad}=")
    sample_bytes, blocks, paths = read_bytes(urlpath, delimiter=b"\n", blocksize=blocksize,
                                             sample=sample, compression=compression,
                                             include_path=True, **(storage_options or {}))
    header_arg = kwargs.get("header", "infer")
    header = b""
    if header_arg is not None and header_arg != "infer" and not isinstance(header_arg, int):
        raise ValueError("read_csv supports header=None, 0 or 'infer'")
    if header_arg in ("infer", 0) and sample_bytes:
        skip = kwargs.get("skiprows") or 0
        lines = sample_bytes.split(b"\n")
        header = b"\n".join(lines[: (skip if isinstance(skip, int) else 0) + 1]) + b"\n"
    if meta is None:
        sample_df = _READERS[reader](io.BytesIO(sample_bytes),
                                     **{k: v for k, v in kwargs.items() if k != "usecols"})
        if kwargs.get("usecols") is not None:
            sample_df = sample_df[[c for c in sample_df.columns if c in kwargs["usecols"]]]
        # pandas parses date strings to 'us' at least, whatever a sample without dates gives
        meta = at_least_unit(make_meta(sample_df), "us")
        if assume_missing:  # a later block may have gaps the sample had not: read such ints as floats
            given = kwargs.get("dtype") if isinstance(kwargs.get("dtype"), dict) else {}
            meta = meta.astype({c: "float64" for c, d in meta.dtypes.items()
                                if d.kind in "iu" and c not in given})
    else:
        meta = make_meta(meta)
    path_column = None
    path_dtype = None
    if include_path_column:
        path_column = "path" if include_path_column is True else include_path_column
        if path_column in meta.columns:
            raise ValueError(f"include_path_column={path_column!r} clashes with a column of the file")
        path_dtype = pd.CategoricalDtype(list(paths))
        meta = meta.assign(**{path_column: pd.Series([], dtype=path_dtype)})
    flat, headers, block_paths = [], [], []
    for path, path_blocks in zip(paths, blocks):
        for j, b in enumerate(path_blocks):
            flat.append(b)
            headers.append(None if (j == 0 or not header) else header)
            block_paths.append(path)
    name = f"read-csv-blocks-{tokenize(urlpath, blocksize, compression, [b.key for b in flat])}"
    usecols = kwargs.pop("usecols", None)
    kwargs.pop("dtype", None)  # already part of meta, which every block is parsed with
    nbytes = _text_to_memory(urlpath, paths, storage_options)
    streamed = _streamed_blocks(urlpath, paths, blocksize, compression, storage_options)
    if streamed is not None and len(streamed) == len(flat):
        block_expr = literal_blocks_expr(streamed, name, nbytes)
    else:
        block_expr = blocks_expr(flat, name, nbytes)
    expr = ReadCSV(block_expr, headers, block_paths, kwargs, meta,
                   list(usecols) if usecols is not None else None, path_column, path_dtype, reader)
    return new_collection(expr)


def _filesystem(urlpath, storage_options):
    import fsspec

    first = urlpath[0] if isinstance(urlpath, (list, tuple)) else urlpath
    return fsspec.core.url_to_fs(str(first), **(storage_options or {}))[0]


def _text_to_memory(urlpath, paths, storage_options):
    """Estimated in-memory bytes of parsed text files (about twice their size on disk)."""
    try:
        fs = _filesystem(urlpath, storage_options)
        return 2 * sum(fs.size(p) or 0 for p in paths)
    except Exception:  # an estimate only: never fail a read because a size is unavailable
        return None


def _streamed_blocks(urlpath, paths, blocksize, compression, storage_options):
    """Byte ranges of uncompressed files for the parser to stream (None: read whole blocks)."""
    from fsspec.utils import infer_compression

    from shoal.utils import parse_bytes

    if blocksize is None:
        return None
    codecs = {infer_compression(p) if compression == "infer" else compression for p in paths}
    if codecs != {None}:
        return None
    fs = _filesystem(urlpath, storage_options)
    per_file = file_blocks(fs, paths, parse_bytes(blocksize) if isinstance(blocksize, str)
                           else int(blocksize))
    return None if per_file is None else [b for blocks in per_file for b in blocks]


def read_table(urlpath, sep="\t", **kwargs):
    """read_csv with tab-separated values by default."""
    return read_csv(urlpath, sep=sep, **kwargs)


# ------------------------------------------------------------------------------------------


def _write_csv(part, path, storage_options, mode, header, kwargs, after=None):
    import fsspec

    with fsspec.open(path, mode, **(storage_options or {})) as f:
        part.to_csv(f, header=header, **kwargs)
    return path


def to_csv(df, filename, single_file=False, name_function=None, compute=True, storage_options=None,
           header=True, mode="w", **kwargs):
    """Write one CSV file per partition (``*`` in the name is the partition number), or one file."""
    import shoal.base
    from shoal.delayed import Delayed

    kwargs.setdefault("index", True)
    graph = dict(df.__shoal_graph__())
    keys = df.__shoal_keys__()
    token = tokenize(df._name, filename, single_file, kwargs)
    out_keys = []
    if single_file:
        prev = None
        for i, key in enumerate(keys):
            out = (f"to-csv-{token}", i)
            graph[out] = (_write_csv_after, key, filename, storage_options, mode if i == 0 else "a",
                          header if i == 0 else False, kwargs, prev)
            prev = out
        out_keys = [prev]
    else:
        if "*" not in filename:
            filename = filename.rstrip("/") + "/*.part"
            import fsspec

            fs, root = fsspec.core.url_to_fs(filename.rsplit("/", 1)[0], **(storage_options or {}))
            fs.makedirs(root, exist_ok=True)
        name_function = name_function or numbered_names(len(keys))
        for i, key in enumerate(keys):
            path = filename.replace("*", name_function(i))
            out = (f"to-csv-{token}", i)
            graph[out] = (_write_csv, key, path, storage_options, mode, header, kwargs)
            out_keys.append(out)
    values = [Delayed(k, graph) for k in out_keys]
    if not compute:
        return values
    return list(shoal.base.compute(*values, scheduler=None)) if not single_file else \
        [shoal.base.compute(values[0])[0]]


def _write_csv_after(part, path, storage_options, mode, header, kwargs, prev):
    return _write_csv(part, path, storage_options, mode, header, kwargs)
