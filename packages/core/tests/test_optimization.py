"""cull, fuse, inline and inline_functions keep results the same and shrink graphs."""

from operator import add

from shoal.local import get_sync
from shoal.optimization import cull, fuse, inline, inline_functions


def inc(x):
    return x + 1


def test_cull_keeps_only_what_is_needed():
    dsk = {"x": 1, "y": (inc, "x"), "unused": (inc, "y"), "z": (add, "y", "x")}
    culled, deps = cull(dsk, "z")
    assert set(culled) == {"x", "y", "z"}
    assert deps == {"x": set(), "y": {"x"}, "z": {"x", "y"}}


def test_fuse_linear_chains_but_not_branches():
    dsk = {"a": 1, "b": (inc, "a"), "c": (inc, "b"), "d": (inc, "c"),
           "e": (inc, "d"), "f": (inc, "d"), "g": (add, "e", "f")}
    fused, deps = fuse(dsk, keys=["g"])
    assert get_sync(fused, "g") == get_sync(dsk, "g") == 10
    assert "d" in fused and "b" not in fused and "c" not in fused
    assert deps["d"] == {"a"}  # data is not fused into tasks
    assert set(fused) == {"a", "d", "e", "f", "g"}


def test_fuse_keeps_requested_keys_and_respects_max_length():
    dsk = {("c", 0): 0, **{("c", i): (inc, ("c", i - 1)) for i in range(1, 250)}}
    fused, _ = fuse(dsk, keys=[("c", 249), ("c", 100)], max_length=50)
    assert ("c", 100) in fused and ("c", 249) in fused
    assert len(fused) < 15
    assert get_sync(fused, [("c", 249), ("c", 100)]) == [249, 100]


def test_inline_constants_and_chosen_keys():
    dsk = {"x": 1, "y": (inc, "x"), "z": (add, "y", "x")}
    out = inline(dsk, output="z")
    assert "x" not in out and out["y"] == (inc, 1)
    assert get_sync(out, "z") == 3
    out2 = inline(dsk, keys=["y"], inline_constants=False, output="z")
    assert set(out2) == {"x", "z"} and get_sync(out2, "z") == 3


def test_inline_functions_duplicates_cheap_work():
    dsk = {"x": 1, "cheap": (inc, "x"), "a": (add, "cheap", 1), "b": (add, "cheap", 2), "out": (add, "a", "b")}
    out = inline_functions(dsk, ["out"], fast_functions=[inc])
    assert "cheap" not in out
    assert get_sync(out, "out") == get_sync(dsk, "out") == 7


def test_fuse_leaves_data_under_its_own_key():
    class Handle:  # stands for objects a scheduler resolves itself (a distributed Future)
        pass

    h = Handle()
    dsk = {"data": h, "use": (id, "data"), "lit": [1, 2], "n": (len, "lit")}
    fused, _ = fuse(dsk, keys=["use", "n"])
    assert fused["data"] is h and fused["use"] == (id, "data")
    assert fused["lit"] == [1, 2] and fused["n"] == (len, "lit")


def test_fuse_does_not_duplicate_an_input_used_twice():
    calls = []

    def record(x):
        calls.append(x)
        return x

    dsk = {"a": (record, 1), "b": (add, "a", "a")}
    fused, _ = fuse(dsk, keys=["b"])
    assert get_sync(fused, "b") == 2 and calls == [1]
