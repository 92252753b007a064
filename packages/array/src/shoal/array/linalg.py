"""Linear algebra on chunked matrices.

qr and svd use TSQR for tall-and-skinny matrices (one block of columns): each row block is factored
on its own, the stacked small factors are factored once more, and Q (or U) is rebuilt block by block,
so the work is parallel over row blocks and no task holds more than one block plus small matrices.
svd_compressed is the randomized SVD for large matrices of low rank. cholesky and lu (with
partial pivoting) are blocked factorizations with one task per block and step; solve, inv and
solve_triangular build on them with blocked substitution.
"""

import numpy as np

from shoal.base import tokenize

from .chunks import is_unknown, unknown_chunks_message
from .core import Array
from shoal.highlevelgraph import HighLevelGraph


def _as(x):
    from .io import asarray

    return asarray(x)


def _matrix(a, what):
    a = _as(a)
    if a.ndim != 2:
        raise ValueError(f"{what} needs a 2-d array, got shape {a.shape}")
    if any(is_unknown(s) for s in a.shape):
        raise ValueError(unknown_chunks_message(a.shape, what))
    return a


def tsqr(a, compute_svd=False):
    """QR of a tall-and-skinny matrix: ``q, r`` (or ``u, s, v`` with compute_svd).

    Each row block gives only the R_i of its QR (no Q is formed); the small stacked R_i are factored
    once (QR, or SVD for compute_svd), and the left factor of every block is rebuilt as
    A_i @ M with one small n x n matrix M (R^-1, or V S^-1). That costs one QR without Q plus one
    matrix product per block, and loses orthogonality only in proportion to the condition number,
    so for ill-conditioned matrices (condition above ``_INDIRECT_MAX_CONDITION``) the blocks instead
    recompute their Q_i and multiply it by their rows of the stacked factor (the classic TSQR).
    """
    a = _matrix(a, "tsqr")
    if a.numblocks[1] > 1:
        a = a.rechunk({1: -1})
    m, n = a.shape
    token = tokenize(a.name, compute_svd)
    first, stacked = f"tsqr-leaf-{token}", f"tsqr-stacked-{token}"
    rows = a.chunks[0]
    ks = [min(r, n) for r in rows]
    starts = np.concatenate([[0], np.cumsum(ks)]).tolist()
    k = min(starts[-1], n)
    layer = {(first, i): (_leaf_r, (a.name, i, 0)) for i in range(len(rows))}
    layer[stacked] = (_factor_stacked, [(first, i) for i in range(len(rows))], compute_svd)
    dtype = _qr_dtype(a.dtype)
    if compute_svd:
        uname, sname, vname = f"svd-u-{token}", f"svd-s-{token}", f"svd-v-{token}"
        for i in range(len(rows)):
            layer[(uname, i, 0)] = (_rebuild_left, (a.name, i, 0), stacked, starts[i], starts[i + 1])
        layer[(sname, 0)] = (_pick, stacked, 1)
        layer[(vname, 0, 0)] = (_pick, stacked, 2)
        u = Array(HighLevelGraph.from_collections(uname, layer, [a]), uname, (rows, (k,)), dtype)
        s = Array(HighLevelGraph.from_collections(sname, {}, [u]), sname, ((k,),), np.real(np.ones(1, dtype)).dtype)
        v = Array(HighLevelGraph.from_collections(vname, {}, [u]), vname, ((k,), (n,)), dtype)
        return u, s, v
    qname, rname = f"qr-q-{token}", f"qr-r-{token}"
    for i in range(len(rows)):
        layer[(qname, i, 0)] = (_rebuild_left, (a.name, i, 0), stacked, starts[i], starts[i + 1])
    layer[(rname, 0, 0)] = (_pick, stacked, 1)
    q = Array(HighLevelGraph.from_collections(qname, layer, [a]), qname, (rows, (k,)), dtype)
    r = Array(HighLevelGraph.from_collections(rname, {}, [q]), rname, ((k,), (n,)), dtype)
    return q, r


def _qr_dtype(dtype):
    return np.linalg.qr(np.ones((1, 1), dtype))[0].dtype


_INDIRECT_MAX_CONDITION = 1e6


def _leaf_r(block):
    """The R of a row block's QR (LAPACK's geqrf only: the Q is never formed here)."""
    return np.linalg.qr(block, mode="r")


def _factor_stacked(leaves, compute_svd):
    """Factor the stacked R_i: (left factor of the stack, s or R, vh or None, M or None)."""
    b = np.concatenate(leaves, axis=0)
    if compute_svd:
        left, s, vh = np.linalg.svd(b, full_matrices=False)
        well = s.size and s[-1] > 0 and s[0] / s[-1] <= _INDIRECT_MAX_CONDITION
        return left, s, vh, (vh.conj().T / s) if well else None
    left, r = np.linalg.qr(b, mode="reduced")
    sv = np.linalg.svd(r, compute_uv=False)
    well = sv.size and r.shape[0] == r.shape[1] and sv[-1] > 0 and sv[0] / sv[-1] <= _INDIRECT_MAX_CONDITION
    return left, r, None, np.linalg.inv(r) if well else None


def _rebuild_left(block, stacked, start, stop):
    left, _, _, m = stacked
    if m is not None:
        return block @ m
    # ill-conditioned: the block's own Q times its rows of the stacked factor (stable TSQR)
    return np.linalg.qr(block, mode="reduced")[0] @ left[start:stop]


def _pick(t, i):
    return t[i]


def _same(x):
    return x


def qr(a):
    """Reduced QR of a tall-and-skinny (or single-row-block) matrix: ``q, r`` with a = q @ r."""
    a = _matrix(a, "qr")
    if a.numblocks[0] > 1 and a.shape[0] < a.shape[1]:
        raise NotImplementedError(
            f"qr of a short-and-fat matrix of shape {a.shape} split over {a.numblocks[0]} row blocks; "
            "rechunk to a single row block with a.rechunk({0: -1})"
        )
    return tsqr(a)


def svd(a, coerce_signs=True):
    """Reduced SVD ``u, s, v`` (a = u @ diag(s) @ v) of a tall-and-skinny or short-and-fat matrix."""
    a = _matrix(a, "svd")
    if a.shape[0] >= a.shape[1] or a.numblocks[0] == 1:
        if a.shape[0] < a.shape[1]:
            u, s, v = tsqr(a.T, compute_svd=True)
            return v.T, s, u.T
        return tsqr(a, compute_svd=True)
    if a.numblocks[0] > 1 and a.numblocks[1] > 1:
        raise NotImplementedError(
            f"svd of a matrix of shape {a.shape} chunked in both directions ({a.numblocks} blocks): "
            "rechunk one axis to a single block, or use svd_compressed for a low-rank approximation"
        )
    u, s, v = tsqr(a.T, compute_svd=True)
    return v.T, s, u.T


def svd_compressed(a, k, n_power_iter=0, oversampling=10, seed=None, compute=False, iterator="power"):
    """Randomized SVD (Halko et al.): the top ``k`` singular triplets of a large matrix."""
    from .random import RandomState

    a = _matrix(a, "svd_compressed")
    m, n = a.shape
    width = min(k + oversampling, m, n)
    rs = seed if isinstance(seed, RandomState) else RandomState(seed)
    omega = rs.standard_normal(size=(n, width), chunks=(a.chunks[1], (width,))).astype(a.dtype)
    y = a @ omega
    q, _ = tsqr(y.rechunk({1: -1}))
    for _ in range(n_power_iter):
        if compute:
            q = q.persist()
        z, _ = tsqr((a.T @ q).rechunk({1: -1}))
        q, _ = tsqr((a @ z).rechunk({1: -1}))
    if compute:
        q = q.persist()
    b = (q.T @ a).rechunk({0: -1})
    ub, s, v = svd(b)
    u = q @ ub
    return u[:, :k], s[:k], v[:k, :]


def _whole(a):
    return a.rechunk(tuple((s,) for s in a.shape))


def _single_task(func, arrays, out_shape, dtype, what, out_chunks=None):
    arrays = [_whole(x) for x in arrays]
    name = f"{what}-{tokenize(*[x.name for x in arrays])}"
    layer = {(name,) + (0,) * len(out_shape): (func,) + tuple((x.name,) + (0,) * x.ndim for x in arrays)}
    out = Array(HighLevelGraph.from_collections(name, layer, arrays), name, tuple((s,) for s in out_shape), dtype)
    return out.rechunk(out_chunks) if out_chunks is not None else out


def _square(a, what):
    a = _matrix(a, what)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{what} needs a square matrix, got shape {a.shape}")
    return a


def solve_triangular(a, b, lower=False):
    """Solve a @ x = b for triangular ``a`` by blocked substitution: block row i of x needs only
    the blocks of x before (lower) or after (upper) it, so columns of b proceed in parallel."""
    a = _square(a, "solve_triangular")
    b = _as(b)
    if b.shape[0] != a.shape[0]:
        raise ValueError(f"solve_triangular: a of shape {a.shape} and b of shape {b.shape} are not aligned")
    if a.chunks[0] != a.chunks[1]:
        a = a.rechunk((a.chunks[0], a.chunks[0]))
    vector = b.ndim == 1
    if vector:
        b = b[:, None]
    b = b.rechunk({0: a.chunks[0]})
    dtype = np.result_type(a.dtype, b.dtype, np.float64)
    name = f"solve-triangular-{tokenize(a.name, b.name, lower)}"
    nb = a.numblocks[0]
    order = range(nb) if lower else range(nb - 1, -1, -1)
    layer = {}
    for j in range(b.numblocks[1]):
        for i in order:
            known = range(i) if lower else range(i + 1, nb)
            layer[(name, i, j)] = (_substitute, (a.name, i, i), (b.name, i, j),
                                   [(a.name, i, k) for k in known], [(name, k, j) for k in known], lower)
    x = Array(HighLevelGraph.from_collections(name, layer, [a, b]), name, b.chunks, dtype)
    return x[:, 0] if vector else x


def _substitute(aii, bi, row, xs, lower):
    rhs = bi - sum((aik @ xk for aik, xk in zip(row, xs)), np.zeros(bi.shape, dtype=np.result_type(aii, bi)))
    tri = np.tril(aii) if lower else np.triu(aii)
    return np.linalg.solve(tri, rhs)


def solve(a, b, sym_pos=None, assume_a="gen"):
    """Solve a @ x = b for x (b a vector or a matrix): a blocked LU (or, with assume_a='pos' for
    symmetric positive-definite ``a``, a blocked Cholesky) and two blocked triangular solves. A
    single-block ``a`` is solved by NumPy in one task."""
    a = _square(a, "solve")
    b = _as(b)
    if b.shape[0] != a.shape[0]:
        raise ValueError(f"solve: a of shape {a.shape} and b of shape {b.shape} are not aligned")
    if a.npartitions > 1:
        if sym_pos or assume_a == "pos":
            low = cholesky(a, lower=True)
            return solve_triangular(low.T, solve_triangular(low, b, lower=True), lower=False)
        p, low, up = lu(a)
        return solve_triangular(up, solve_triangular(low, p.T @ b, lower=True), lower=False)
    dtype = np.linalg.solve(np.eye(1, dtype=a.dtype), np.ones((1,) * b.ndim, b.dtype)).dtype
    return _single_task(np.linalg.solve, [a, b], b.shape, dtype, "solve", out_chunks=b.chunks)


def inv(a):
    """The inverse of a square matrix (blocked LU solve against the identity)."""
    a = _square(a, "inv")
    if a.npartitions > 1:
        from .creation import eye

        return solve(a, eye(a.shape[0], chunks=a.chunks[0][0], dtype=a.dtype).rechunk(a.chunks))
    dtype = np.linalg.inv(np.eye(1, dtype=a.dtype)).dtype
    return _single_task(np.linalg.inv, [a], a.shape, dtype, "inv", out_chunks=a.chunks)


def lu(a):
    """LU with partial pivoting: ``p, l, u`` with a = p @ l @ u (SciPy's convention).

    Blocked right-looking factorization: at step k the column panel below the diagonal is factored
    with row pivoting in one task, the pivots are applied to the other column blocks, and the
    trailing blocks are updated in parallel (one task per block)."""
    a = _square(a, "lu")
    if a.chunks[0] != a.chunks[1]:
        a = a.rechunk((a.chunks[0], a.chunks[0]))
    sizes = a.chunks[0]
    off = [0]
    for c in sizes:
        off.append(off[-1] + c)
    nb = len(sizes)
    token = tokenize(a.name)
    dtype = np.result_type(a.dtype, np.float64)

    def cur(k, i, j):
        return (a.name, i, j) if k == 0 else (f"lu-trail-{token}", k, i, j)

    layer = {}
    perm = f"lu-perm-{token}"
    layer[(perm, -1)] = (np.arange, off[-1])
    for k in range(nb):
        panel = (f"lu-panel-{token}", k)
        layer[panel] = (_panel_lu, [cur(k, i, k) for i in range(k, nb)])
        layer[(perm, k)] = (_compose_perm, (perm, k - 1), panel, off[k])
        for j in range(k + 1, nb):
            moved = (f"lu-moved-{token}", k, j)
            layer[moved] = (_permute_rows, [cur(k, i, j) for i in range(k, nb)], panel)
            layer[(f"lu-u-{token}", k, j)] = (_panel_u, panel, moved, sizes[k])
            for i in range(k + 1, nb):
                layer[cur(k + 1, i, j)] = (_trailing_update, moved, panel, (f"lu-u-{token}", k, j),
                                           off[i] - off[k], off[i + 1] - off[k], sizes[k])
        # earlier L columns follow this step's row swaps
        for j in range(k):
            prev = (f"lu-lcol-{token}", j, k - 1) if k - 1 > j else (f"lu-panel-{token}", j)
            layer[(f"lu-lcol-{token}", j, k)] = (_permute_lower, prev, panel, off[k] - off[j])
    pname, lname, uname = f"lu-p-{token}", f"lu-l-{token}", f"lu-uout-{token}"
    for i in range(nb):
        for j in range(nb):
            layer[(pname, i, j)] = (_perm_block, (perm, nb - 1), off[i], off[i + 1], off[j], off[j + 1])
            if i < j:
                layer[(lname, i, j)] = (np.zeros, (sizes[i], sizes[j]), dtype)
                layer[(uname, i, j)] = (_same, (f"lu-u-{token}", i, j))
            elif i == j:
                layer[(lname, i, j)] = (_panel_rows, (f"lu-panel-{token}", j), 0, sizes[j])
                layer[(uname, i, j)] = (_pick, (f"lu-panel-{token}", j), 2)
            else:
                final = (f"lu-lcol-{token}", j, nb - 1) if nb - 1 > j else (f"lu-panel-{token}", j)
                layer[(lname, i, j)] = (_panel_rows, final, off[i] - off[j], off[i + 1] - off[j])
                layer[(uname, i, j)] = (np.zeros, (sizes[i], sizes[j]), dtype)
    graph = HighLevelGraph.from_collections(pname, layer, [a])
    p = Array(graph, pname, a.chunks, dtype)
    lo = Array(HighLevelGraph.from_collections(lname, {}, [p]), lname, a.chunks, dtype)
    up = Array(HighLevelGraph.from_collections(uname, {}, [p]), uname, a.chunks, dtype)
    return p, lo, up


def _panel_lu(blocks):
    """Partial-pivoting LU of a tall panel: (row order, unit-lower L of the panel's shape, U)."""
    m = np.concatenate(blocks, axis=0).astype(np.result_type(blocks[0].dtype, np.float64))
    rows, cols = m.shape
    order = np.arange(rows)
    for k in range(min(rows, cols)):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if p != k:
            m[[k, p]] = m[[p, k]]
            order[[k, p]] = order[[p, k]]
        if m[k, k] != 0:
            m[k + 1:, k] /= m[k, k]
            m[k + 1:, k + 1:] -= np.outer(m[k + 1:, k], m[k, k + 1:])
    lower = np.tril(m[:, :cols], -1)
    lower[np.arange(cols), np.arange(cols)] = 1
    return order, lower, np.triu(m[:cols, :cols])


def _compose_perm(total, panel, offset):
    out = total.copy()
    out[offset:] = total[offset:][panel[0]]
    return out


def _permute_rows(blocks, panel):
    return np.concatenate(blocks, axis=0)[panel[0]]


def _panel_u(panel, moved, size):
    lower = panel[1][:size]
    return np.linalg.solve(lower, moved[:size])


def _trailing_update(moved, panel, ukj, start, stop, size):
    return moved[start:stop] - panel[1][start:stop] @ ukj


def _permute_lower(lcol, panel, offset):
    lower = lcol[1] if isinstance(lcol, tuple) else lcol
    out = lower.copy()
    out[offset:] = lower[offset:][panel[0]]
    return out


def _panel_rows(lcol, start, stop):
    lower = lcol[1] if isinstance(lcol, tuple) else lcol
    return lower[start:stop]


def _perm_block(order, r0, r1, c0, c1):
    """Block of P with P[order[i], i] = 1 (so that a = P @ L @ U)."""
    block = np.zeros((r1 - r0, c1 - c0))
    cols = np.arange(c0, c1)
    rows = order[c0:c1]
    inside = (rows >= r0) & (rows < r1)
    block[rows[inside] - r0, cols[inside] - c0] = 1
    return block


def cholesky(a, lower=False):
    """Blocked Cholesky factorization of a symmetric positive-definite matrix: the upper factor
    (a = u.T @ u), or the lower one with lower=True. Blocks must be square along the diagonal."""
    a = _square(a, "cholesky")
    if a.chunks[0] != a.chunks[1]:
        a = a.rechunk((a.chunks[0], a.chunks[0]))
    nb = a.numblocks[0]
    name = f"cholesky-lower-{tokenize(a.name)}"
    layer = {}
    for k in range(nb):
        layer[(name, k, k)] = (_chol_diag, (a.name, k, k), [(name, k, j) for j in range(k)])
        for i in range(k + 1, nb):
            layer[(name, i, k)] = (_chol_below, (a.name, i, k), [(name, i, j) for j in range(k)],
                                   [(name, k, j) for j in range(k)], (name, k, k))
        for i in range(k):
            layer[(name, i, k)] = (np.zeros, (a.chunks[0][i], a.chunks[0][k]), a.dtype)
    dtype = np.linalg.cholesky(np.eye(1, dtype=a.dtype)).dtype
    low = Array(HighLevelGraph.from_collections(name, layer, [a]), name, a.chunks, dtype)
    return low if lower else low.T


def _chol_diag(akk, lkj):
    s = akk - sum((f @ f.conj().T for f in lkj), np.zeros_like(akk))
    try:
        return np.linalg.cholesky(s)
    except np.linalg.LinAlgError as e:
        raise np.linalg.LinAlgError(f"cholesky: matrix is not positive definite ({e})") from None


def _chol_below(aik, lij, lkj, lkk):
    s = aik - sum((x @ y.conj().T for x, y in zip(lij, lkj)), np.zeros_like(aik))
    return np.linalg.solve(lkk, s.conj().T).conj().T


def lstsq(a, b, rcond=-1):
    """Least squares via TSQR: ``x, residuals, rank, s`` like ``np.linalg.lstsq``."""
    a = _matrix(a, "lstsq")
    b = _as(b)
    q, r = qr(a)
    x = solve(r, q.T @ b) if r.shape[0] == r.shape[1] else None
    if x is None:
        raise ValueError(f"lstsq needs a tall matrix (rows >= columns), got shape {a.shape}")
    residuals = ((a @ x - b) ** 2).sum(axis=0)
    if b.ndim == 1:
        residuals = residuals.reshape((1,))
    rank = _single_task(_rank, [r], (), np.dtype(int), "lstsq-rank")
    s = _single_task(_singular_values, [r], (r.shape[1],), np.real(np.ones(1, r.dtype)).dtype, "lstsq-s")
    return x, residuals, rank, s


def _rank(r):
    return np.asarray(np.linalg.matrix_rank(r))


def _singular_values(r):
    return np.linalg.svd(r, compute_uv=False)


def norm(x, ord=None, axis=None, keepdims=False):
    """``np.linalg.norm`` for vectors and matrices (2-norm and nuclear norm need TSQR-able shapes)."""
    x = _as(x)
    if axis is None:
        if ord is None:
            return _sqrt(abs(x) ** 2, None, keepdims)
        axis = tuple(range(x.ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axis = tuple(a % x.ndim for a in axis)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis[0], keepdims)
    if len(axis) != 2:
        raise ValueError(f"norm: improper number of dimensions to norm (axis={axis}, shape {x.shape})")
    return _matrix_norm(x, ord, axis, keepdims)


def _sqrt(sq, axis, keepdims):
    return np.sqrt(sq.sum(axis=axis, keepdims=keepdims))


def _vector_norm(x, ord, axis, keepdims):
    a = abs(x)
    if ord is None or ord == 2:
        return _sqrt(a ** 2, axis, keepdims)
    if ord == np.inf:
        return a.max(axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return a.min(axis=axis, keepdims=keepdims)
    if ord == 0:
        return (x != 0).astype(float).sum(axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"invalid norm order {ord!r} for vectors")
    return ((a ** ord).sum(axis=axis, keepdims=keepdims)) ** (1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):
    row, col = axis
    a = abs(x)
    if ord in (None, "fro", "f"):
        return _sqrt(a ** 2, axis, keepdims)
    if ord in (np.inf, -np.inf):
        s = a.sum(axis=col, keepdims=True)
        out = s.max(axis=row, keepdims=True) if ord == np.inf else s.min(axis=row, keepdims=True)
    elif ord in (1, -1):
        s = a.sum(axis=row, keepdims=True)
        out = s.max(axis=col, keepdims=True) if ord == 1 else s.min(axis=col, keepdims=True)
    elif ord in (2, -2, "nuc"):
        if x.ndim != 2:
            raise NotImplementedError(f"norm ord={ord!r} is supported for 2-d arrays only (shape {x.shape})")
        _, s, _ = svd(x)
        val = s.max() if ord == 2 else s.min() if ord == -2 else s.sum()
        return val.reshape((1, 1)) if keepdims else val
    else:
        raise ValueError(f"invalid norm order {ord!r} for matrices")
    if keepdims:
        return out
    return out.squeeze(axis=axis)


def matrix_power(a, n):
    a = _square(a, "matrix_power")
    if n < 0:
        return matrix_power(inv(a), -n)
    result = None
    base = a
    while n:
        if n & 1:
            result = base if result is None else result @ base
        base = base @ base if n > 1 else base
        n >>= 1
    from .creation import eye

    return result if result is not None else eye(a.shape[0], chunks=a.chunks[0][0], dtype=a.dtype)
