"""Broadcast joins through a lookup table of the small right side, against pd.merge."""
import numpy as np
import pandas as pd
import pytest

import shoal.dataframe as sd
from shoal.dataframe import assert_eq


def _sides(key_kind):
    rng = np.random.default_rng(11)
    n, m = 200, 40
    if key_kind == "int":
        lk, rk = rng.integers(0, 60, n), np.arange(m) * 2
    elif key_kind == "float":
        lk = rng.integers(0, 50, n).astype(float)
        lk[::7] = np.nan
        rk = np.append(np.arange(m - 1, dtype=float), np.nan)
    elif key_kind == "str":
        lk = pd.array(rng.choice(["a", "b", "c", "zz", None], n), dtype="str")
        rk = pd.array(["a", "b", "c", "d", None], dtype="str")
    else:  # datetime
        lk = pd.to_datetime(rng.integers(0, 50, n), unit="D")
        rk = pd.date_range("1970-01-01", periods=m, freq="2D")
    left = pd.DataFrame({"k": lk, "v": rng.normal(size=n), "w": rng.integers(0, 5, n)})
    right = pd.DataFrame({"k": rk, "i": np.arange(len(rk)), "flag": np.arange(len(rk)) % 2 == 0,
                          "t": pd.date_range("2001", periods=len(rk)), "w": np.arange(len(rk)) * 10})
    return left, right


@pytest.mark.parametrize("key_kind", ["int", "float", "str", "datetime"])
@pytest.mark.parametrize("how", ["inner", "left"])
@pytest.mark.parametrize("nparts", [1, 3, 7])
def test_lookup_join_matches_pandas(key_kind, how, nparts):
    left, right = _sides(key_kind)
    a = sd.from_pandas(left, npartitions=nparts)
    b = sd.from_pandas(right, npartitions=2)
    out = a.merge(b, on="k", how=how, suffixes=("_l", "_r"))
    plan = "\n".join(out.expr._tree_repr())
    assert "broadcast_merge" in plan and "Shuffle" not in plan
    expected = left.merge(right, on="k", how=how, suffixes=("_l", "_r"))
    assert_eq(out, expected, check_index=False, sort_results=False)


@pytest.mark.parametrize("how", ["inner", "left"])
def test_lookup_join_left_on_right_on(how):
    left, right = _sides("int")
    right = right.rename(columns={"k": "key"})
    a = sd.from_pandas(left, npartitions=3)
    out = a.merge(right, left_on="k", right_on="key", how=how)
    expected = left.merge(right, left_on="k", right_on="key", how=how)
    assert_eq(out, expected, check_index=False, sort_results=False)


def test_duplicate_right_keys_fall_back_to_pandas():
    left, right = _sides("int")
    right = pd.concat([right, right.iloc[:5]])
    a = sd.from_pandas(left, npartitions=4)
    for how in ("inner", "left"):
        assert_eq(a.merge(right, on="k", how=how), left.merge(right, on="k", how=how),
                  check_index=False)


def test_threads_share_one_lookup_table():
    left, right = _sides("int")
    a = sd.from_pandas(pd.concat([left] * 20, ignore_index=True), npartitions=16)
    out = a.merge(sd.from_pandas(right, npartitions=1), on="k").compute(scheduler="threads")
    expected = pd.concat([left] * 20, ignore_index=True).merge(right, on="k")
    pd.testing.assert_frame_equal(out.reset_index(drop=True), expected)


def test_big_right_side_is_shuffled_not_broadcast():
    left, right = _sides("int")
    a, b = sd.from_pandas(left, npartitions=3), sd.from_pandas(right, npartitions=3)
    import shoal.config

    with shoal.config.set({"dataframe.merge.broadcast-bytes": "10 B"}):
        out = a.merge(b, on="k")
    assert "Shuffle" in "\n".join(out.expr._tree_repr())
    assert_eq(out, left.merge(right, on="k"), check_index=False)


@pytest.mark.parametrize("unmatched", [True, False])
def test_left_join_dtypes_are_pandas_whether_or_not_every_row_matched(unmatched):
    # pandas gives int64/bool when every row matched and float64/object otherwise; partitions
    # follow pandas each, so the concatenated result has exactly pandas' dtypes in both cases
    left = pd.DataFrame({"k": [1, 2, 3, 9 if unmatched else 1], "v": [1.0, 2.0, 3.0, 4.0]})
    right = pd.DataFrame({"k": [1, 2, 3], "i": [10, 20, 30], "b": [True, False, True]})
    expected = left.merge(right, on="k", how="left")
    for broadcast in (True, False):
        out = sd.from_pandas(left, npartitions=2).merge(right, on="k", how="left",
                                                         broadcast=broadcast)
        pd.testing.assert_frame_equal(out.compute().reset_index(drop=True), expected)
        assert_eq(out, expected, check_index=False)


@pytest.mark.parametrize("right_keys", [np.array([7, -3, 0, 12, 5, 4]),  # dense: direct lookup
                                        np.array([10**12, -5, 3, 10**9])])  # sparse: hashing
def test_integer_key_lookups(right_keys):
    from shoal.dataframe._broadcast_join import _lookup_table

    left = pd.DataFrame({"k": np.array([-4, -3, 0, 1, 4, 5, 7, 12, 13, 10**12, 3, 3]),
                         "v": np.arange(12.0)})
    right = pd.DataFrame({"k": right_keys, "r": np.arange(len(right_keys))})
    table = _lookup_table(right.k)
    expected_positions = pd.Index(right_keys).get_indexer(left.k)
    np.testing.assert_array_equal(table.get_indexer(left.k), expected_positions)
    a = sd.from_pandas(left, npartitions=3)
    for how in ("inner", "left"):
        assert_eq(a.merge(right, on="k", how=how), left.merge(right, on="k", how=how),
                  check_index=False, sort_results=False)
