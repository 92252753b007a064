"""How an array shows itself: a one-line repr and a Jupyter HTML table with a chunk-grid SVG."""

import math

from shoal.utils import format_bytes

from .chunks import chunk_offsets, is_unknown


def array_repr(x):
    return (
        f"shoal.array<{_short(x.name)}, shape={_shape(x.shape)}, dtype={x.dtype}, "
        f"chunksize={_shape(x.chunksize)}, chunktype=numpy.ndarray>"
    )


def _short(name):
    head, _, tail = name.rpartition("-")
    return head if head and len(tail) >= 16 else name


def _shape(shape):
    return "(" + ", ".join("nan" if is_unknown(s) else str(int(s)) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _bytes(x, shape):
    n = math.prod(shape) if not any(is_unknown(s) for s in shape) else math.nan
    return "unknown" if is_unknown(n) else format_bytes(int(n) * x.dtype.itemsize)


def array_html(x):
    rows = [
        ("Bytes", _bytes(x, x.shape), _bytes(x, x.chunksize)),
        ("Shape", _shape(x.shape), _shape(x.chunksize)),
        ("Graph", f"{x.npartitions} chunks in {len(x.dask.layers)} graph layers", ""),
        ("Data type", f"{x.dtype} numpy.ndarray", ""),
    ]
    body = "".join(
        f"<tr><th>{a}</th><td>{b}</td><td>{c}</td></tr>" for a, b, c in rows
    )
    table = (
        "<table><thead><tr><td></td><th>Array</th><th>Chunk</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    return (
        "<table><tr><td>" + table + "</td><td>" + chunk_grid_svg(x.chunks) + "</td></tr></table>"
    )


def chunk_grid_svg(chunks, size=160):
    """An SVG drawing of the block grid of the last two axes (one axis: a strip; unknown: a note)."""
    if not chunks:
        return ""
    if any(any(is_unknown(s) for s in c) for c in chunks):
        return "<p>chunk sizes unknown (NaN): call x.compute_chunk_sizes()</p>"
    grid = chunks[-2:] if len(chunks) >= 2 else ((1,), chunks[0])
    rows, cols = grid
    height_total, width_total = max(sum(rows), 1), max(sum(cols), 1)
    scale = size / max(height_total, width_total)
    width = max(width_total * scale, 20 if len(chunks) == 1 else 5)
    height = max(height_total * scale, 20 if len(chunks) == 1 else 5)
    if len(chunks) == 1:
        width, height = size, 25
    lines = []
    for i, off in enumerate(_thin(chunk_offsets(rows))):
        y = off / height_total * height
        lines.append(_line(0, y, width, y, bold=i in (0, len(rows))))
    for j, off in enumerate(_thin(chunk_offsets(cols))):
        xpos = off / width_total * width
        lines.append(_line(xpos, 0, xpos, height, bold=j in (0, len(cols))))
    fill = f'<polygon points="0,0 {width:.1f},0 {width:.1f},{height:.1f} 0,{height:.1f}" ' \
           'style="fill:#ECB172A0;stroke-width:0"/>'
    label_w = f'<text x="{width / 2:.1f}" y="{height + 15:.1f}" font-size="1.0rem" text-anchor="middle">{sum(cols)}</text>'
    label_h = (f'<text x="{width + 15:.1f}" y="{height / 2:.1f}" font-size="1.0rem" text-anchor="middle" '
               f'transform="rotate(-90,{width + 15:.1f},{height / 2:.1f})">{sum(rows)}</text>') if len(chunks) > 1 else ""
    extra = ""
    if len(chunks) > 2:
        extra = f'<text x="0" y="{height + 32:.1f}" font-size="0.8rem">leading axes {tuple(sum(c) for c in chunks[:-2])}</text>'
    return (
        f'<svg width="{width + 40:.0f}" height="{height + 40:.0f}" style="stroke:rgb(0,0,0);stroke-width:1">'
        + fill + "".join(lines) + label_w + label_h + extra + "</svg>"
    )


def _thin(offsets, most=100):
    """At most ``most`` grid lines: a 10000-block axis is drawn as an evenly spaced subset."""
    if len(offsets) <= most:
        return offsets
    step = len(offsets) / most
    picked = [offsets[int(i * step)] for i in range(most)]
    return picked + [offsets[-1]]


def _line(x1, y1, x2, y2, bold):
    width = 2 if bold else 1
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" style="stroke-width:{width}"/>'
