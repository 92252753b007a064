import warnings

import numpy as np
import pytest

import shoal.array as sa
from shoal.array.testing import assert_eq


def test_repr_and_html():
    x = sa.ones((1000, 2000), chunks=(100, 500), dtype="f4")
    text = repr(x)
    assert "shape=(1000, 2000)" in text and "float32" in text and "chunksize=(100, 500)" in text
    html = x._repr_html_()
    assert "<svg" in html and "7.63 MiB" in html and "(100, 500)" in html
    assert html.count("<line") == 11 + 5
    assert "<svg" in sa.ones((5,), chunks=2)._repr_html_()
    assert "<svg" in sa.ones((3, 4, 5), chunks=2)._repr_html_()
    y = x[x > 0]
    assert "nan" in repr(y) and "unknown" in y._repr_html_()


def test_numpy_function_protocol_and_fallback():
    a = np.arange(12.).reshape(3, 4)
    x = sa.from_array(a, chunks=2)
    assert isinstance(np.concatenate([x, x]), sa.Array)
    assert isinstance(np.where(x > 2, x, 0), sa.Array)
    assert_eq(np.tensordot(x, x.T, axes=1), np.tensordot(a, a.T, axes=1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = np.linalg.det(x[:3, :3])
    assert any("no lazy shoal.array version" in str(w.message) for w in caught)
    np.testing.assert_allclose(out, np.linalg.det(a[:3, :3]))
    assert np.asarray(x).tolist() == a.tolist()
    assert float(x[1, 1]) == 5.0 and int(x.sum()) == 66
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x)


def test_assert_eq_catches_wrong_metadata():
    a = np.arange(10.)
    x = sa.from_array(a, chunks=5)
    lying = sa.Array(x.dask, x.name, ((4, 6),), x.dtype)
    with pytest.raises(AssertionError, match="chunks say"):
        assert_eq(lying, a)
    wrong_dtype = sa.Array(x.dask, x.name, x.chunks, np.float32)
    with pytest.raises(AssertionError, match="dtype"):
        assert_eq(wrong_dtype, a.astype(np.float32))
    with pytest.raises(AssertionError):
        assert_eq(x, a + 1)


def test_import_does_not_pull_pandas():
    import subprocess
    import sys

    code = "import sys, shoal.array; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]


def test_array_built_from_a_plain_graph_with_unknown_chunks():
    graph = {("parts", 0, 0): (np.ones, (3, 2)), ("parts", 1, 0): (np.zeros, (4, 2))}
    x = sa.Array(graph, "parts", ((np.nan, np.nan), (2,)), dtype=float)
    assert np.isnan(x.shape[0]) and x.shape[1] == 2
    assert_eq(x.sum(axis=0), np.array([3.0, 3.0]))
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        x[5]
    x.compute_chunk_sizes()
    assert x.chunks == ((3, 4), (2,))
    assert_eq(x[2:5], np.r_[np.ones((1, 2)), np.zeros((2, 2))])
