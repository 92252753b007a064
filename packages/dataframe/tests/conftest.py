"""Shared fixtures: the same pandas data cut into several partitionings."""
import numpy as np
import pandas as pd
import pytest

import shoal.config
import shoal.dataframe as sd

PARTITIONINGS = ["one", "three", "uneven", "empty", "empty-known", "unknown"]


@pytest.fixture(autouse=True)
def sync_scheduler():
    with shoal.config.set(scheduler="sync"):
        yield


def _partition(pdf, kind):
    """A shoal collection holding ``pdf`` cut the way ``kind`` says."""
    if kind == "one":
        return sd.from_pandas(pdf, npartitions=1)
    if kind == "three":
        return sd.from_pandas(pdf, npartitions=3)
    if kind == "uneven":
        n = len(pdf)
        cuts = [0, 1, max(n * 2 // 3, 2), n]
        return sd.concat([sd.from_pandas(pdf.iloc[a:b], npartitions=1)
                          for a, b in zip(cuts, cuts[1:])])
    if kind == "empty":
        n = len(pdf)
        pieces = [pdf.iloc[:0], pdf.iloc[: n // 3], pdf.iloc[n // 3: n // 3], pdf.iloc[n // 3:],
                  pdf.iloc[:0]]
        return sd.concat([sd.from_pandas(p, npartitions=1, sort=False) for p in pieces])
    if kind == "empty-known":
        # the fixture's index holds even numbers, so [51, 52) is an empty partition
        lo, hi = pdf.index[0], pdf.index[-1]
        return sd.from_pandas(pdf, npartitions=2).repartition(divisions=[lo, 51, 52, 120, hi])
    if kind == "unknown":
        return sd.from_pandas(pdf, npartitions=4).clear_divisions()
    raise ValueError(kind)


@pytest.fixture
def pdf():
    rng = np.random.default_rng(42)
    n = 120
    return pd.DataFrame({
        "A": rng.normal(size=n),
        "B": rng.integers(0, 10, size=n),
        "C": rng.choice(["a", "b", "c", "d"], size=n),
        "D": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
    }, index=pd.Index(np.arange(n) * 2, name="idx"))


@pytest.fixture(params=PARTITIONINGS)
def kind(request):
    return request.param


@pytest.fixture
def partition():
    """``partition(pdf, kind)``: the same data cut into one of PARTITIONINGS."""
    return _partition
