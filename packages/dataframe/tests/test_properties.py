"""Property tests: random data, random partitionings, results equal to pandas."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


@st.composite
def frames(draw):
    n = draw(st.integers(0, 40))
    keys = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    values = draw(st.lists(st.one_of(st.none(), st.floats(-100, 100)), min_size=n, max_size=n))
    pdf = pd.DataFrame({"k": keys, "v": pd.Series(values, dtype="float64")})
    nparts = draw(st.integers(1, 6))
    return pdf, sd.from_pandas(pdf, npartitions=nparts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_reductions_and_filters_match_pandas(data):
    pdf, df = data
    assert_eq(df.v.sum(), pdf.v.sum())
    assert_eq(df.v.count(), pdf.v.count())
    assert_eq(df[df.v > 0], pdf[pdf.v > 0])
    assert_eq(df.v.cumsum(), pdf.v.cumsum())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_groupby_matches_pandas(data):
    pdf, df = data
    if len(pdf) == 0:
        return
    assert_eq(df.groupby("k").v.sum(), pdf.groupby("k").v.sum())
    assert_eq(df.groupby("k").v.mean(), pdf.groupby("k").v.mean())
    assert_eq(df.groupby("k").v.var(), pdf.groupby("k").v.var())
    assert_eq(df.groupby("k").size(), pdf.groupby("k").size())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.integers(1, 5))
def test_set_index_and_repartition_match_pandas(data, n):
    pdf, df = data
    if len(pdf) == 0:
        return
    assert_eq(df.repartition(npartitions=n), pdf)
    assert_eq(df.set_index("k"), pdf.set_index("k"))
    assert np.isclose(df.v.std().compute(), pdf.v.std(), equal_nan=True)
