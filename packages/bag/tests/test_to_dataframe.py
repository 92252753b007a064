"""to_dataframe: a bag of records becomes a shoal.dataframe DataFrame (compared with pandas)."""

from __future__ import annotations

import pandas as pd
import pandas.testing as tm
import pytest
import shoal.bag as sb

RECORDS = [{"name": n, "amount": i * 10, "score": i / 4} for i, n in enumerate("abcdefg")]


def test_to_dataframe_from_dicts_infers_meta():
    b = sb.from_sequence(RECORDS, npartitions=3)
    df = b.to_dataframe()
    assert df.npartitions == 3
    assert list(df.columns) == ["name", "amount", "score"]
    tm.assert_frame_equal(df.compute(scheduler="sync").reset_index(drop=True), pd.DataFrame(RECORDS))


def test_to_dataframe_with_meta_and_columns():
    b = sb.from_sequence([(n, i) for i, n in enumerate("xyz")], npartitions=2)
    df = b.to_dataframe(meta={"letter": "object", "pos": "float64"})
    result = df.compute(scheduler="sync").reset_index(drop=True)
    tm.assert_frame_equal(result, pd.DataFrame({"letter": list("xyz"), "pos": [0.0, 1.0, 2.0]})
                          .astype({"letter": "object"}))
    named = b.to_dataframe(columns=["letter", "pos"]).compute(scheduler="sync")
    assert list(named["pos"]) == [0, 1, 2]
    assert (b.to_dataframe(columns=["letter", "pos"])["pos"].sum().compute(scheduler="sync")) == 3


def test_to_dataframe_errors_name_the_problem():
    with pytest.raises(ValueError, match="empty"):
        sb.from_sequence([], npartitions=1).to_dataframe()
    bad = sb.from_sequence([{"a": "x"}], npartitions=1).to_dataframe(meta={"a": "int64"})
    with pytest.raises(TypeError, match="'a'"):
        bad.compute(scheduler="sync")
