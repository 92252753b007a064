"""The expression layer: fusion, projection/predicate pushdown, CSE, explain, arrays."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@pytest.fixture
def pdf():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(size=60), "b": rng.integers(0, 5, 60),
                         "c": rng.normal(size=60), "d": rng.choice(["x", "y"], 60)})


def test_blockwise_chain_is_one_task_per_partition(pdf):
    df = sd.from_pandas(pdf, npartitions=4)
    out = (df[df.a > 0].assign(e=lambda d: d.a * 2 + d.c)[["e", "b"]] + 1).e.abs()
    graph = out.__shoal_graph__()
    assert len(graph) == 4
    p = pdf[pdf.a > 0].assign(e=lambda d: d.a * 2 + d.c)[["e", "b"]] + 1
    assert_eq(out, p.e.abs())


def test_projection_pushdown_into_from_pandas(pdf):
    df = sd.from_pandas(pdf, npartitions=2)
    plan = "\n".join(df[df.b > 1].a.optimize().expr._tree_repr())
    assert "columns=['a', 'b']" in plan
    gplan = "\n".join(df.groupby("d").c.sum().optimize().expr._tree_repr())
    assert "columns=['c', 'd']" in gplan


def test_common_subexpressions_share_tasks(pdf):
    df = sd.from_pandas(pdf, npartitions=3)
    x = df.a + df.c
    y = df.a + df.c
    assert x._name == y._name
    both = (x * 2) + (y * 3)
    assert len(both.__shoal_graph__()) == 3
    assert_eq(both, (pdf.a + pdf.c) * 5)


def test_compute_many_shares_reads(pdf, tmp_path):
    sd.from_pandas(pdf, npartitions=3).to_parquet(str(tmp_path))
    df = sd.read_parquet(str(tmp_path))
    total, biggest = sd.compute(df.a.sum(), df.a.max())
    assert np.isclose(total, pdf.a.sum()) and biggest == pdf.a.max()


def test_explain_prints_optimized_plan(pdf, capsys, tmp_path):
    sd.from_pandas(pdf, npartitions=2).to_parquet(str(tmp_path))
    df = sd.read_parquet(str(tmp_path))
    df[df.b == 3][["a"]].explain()
    text = capsys.readouterr().out
    assert "ReadParquet" in text and "filters=[[('b', '==', 3)]]" in text
    assert "columns=['a', 'b']" in text


def test_to_array_values_records(pdf):
    sa = pytest.importorskip("shoal.array")
    df = sd.from_pandas(pdf[["a", "c"]], npartitions=3)
    arr = df.values
    assert isinstance(arr, sa.Array)
    assert np.isnan(arr.chunks[0][0])
    np.testing.assert_allclose(arr.compute(), pdf[["a", "c"]].values)
    known = df.to_array(lengths=True)
    assert known.chunks[0] == (20, 20, 20)
    np.testing.assert_allclose(df.a.values.compute(), pdf.a.values)
    rec = df.to_records().compute()
    assert rec.dtype.names == ("a", "c") and len(rec) == 60


def test_from_shoal_array():
    sa = pytest.importorskip("shoal.array")
    x = sa.from_array(np.arange(12.0).reshape(6, 2), chunks=(2, 2))
    df = sd.from_array(x, columns=["p", "q"])
    assert df.npartitions == 3 and df.divisions == (0, 2, 4, 5)
    assert_eq(df, pd.DataFrame(np.arange(12.0).reshape(6, 2), columns=["p", "q"]))


def test_threaded_scheduler_default(pdf):
    import shoal.config

    with shoal.config.set(scheduler=None):
        df = sd.from_pandas(pdf, npartitions=4)
        assert np.isclose(df.a.sum().compute(), pdf.a.sum())
        pd.testing.assert_frame_equal(df.compute(scheduler="threads"), pdf)


def test_graphs_pickle_to_other_processes(pdf):
    df = sd.from_pandas(pdf, npartitions=4)
    out = df[df.a > 0].groupby("b").c.mean()
    assert_eq(out.compute(scheduler="processes"), pdf[pdf.a > 0].groupby("b").c.mean())
