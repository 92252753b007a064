"""shoal.delayed: decorator and call forms, purity, nout, names, attributes, operators, containers."""

import operator
from dataclasses import dataclass

import pytest

import shoal
from shoal import delayed
from shoal.delayed import Delayed


def inc(x):
    return x + 1


def add(x, y):
    return x + y


def test_call_form_and_decorator():
    a = delayed(inc)(1)
    assert isinstance(a, Delayed) and a.compute() == 2

    @delayed
    def double(x):
        return 2 * x

    assert double(a).compute() == 4
    assert double(double(a)).compute(scheduler="sync") == 8


def test_pure_calls_share_keys_impure_ones_do_not():
    assert delayed(add, pure=True)(1, 2).key == delayed(add, pure=True)(1, 2).key
    assert delayed(add, pure=True)(1, 2).key != delayed(add, pure=True)(1, 3).key
    assert delayed(add)(1, 2).key != delayed(add)(1, 2).key
    assert delayed(add)(1, 2, pure=True).key == delayed(add)(1, 2, pure=True).key
    with shoal.config.set({"delayed-pure": True}):
        assert delayed(add)(1, 2).key == delayed(add)(1, 2).key


def test_custom_names():
    assert delayed(inc)(1, dask_key_name="my-key").key == "my-key"
    assert delayed(inc, name="f")(1).key.startswith("f-")
    assert delayed(5, name="five").key == "five"
    assert delayed(inc)(delayed(1, name="one")).compute() == 2


def test_nout_unpacks():
    pair = delayed(divmod, nout=2)(17, 5)
    q, r = pair
    assert (q.compute(), r.compute()) == (3, 2)
    assert len(pair) == 2
    with pytest.raises(TypeError, match="unknown length"):
        iter(delayed(divmod)(17, 5))


def test_attributes_methods_items_and_operators():
    s = delayed("a,b,c")
    assert s.split(",").compute() == ["a", "b", "c"]
    assert s.upper().compute() == "A,B,C"
    d = delayed({"a": 1, "b": [1, 2]})
    assert d["b"][1].compute() == 2
    assert d.get("a").compute() == 1
    c = delayed(complex(1, 2))
    assert c.real.compute() == 1.0
    x, y = delayed(7), delayed(2)
    ops = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
           operator.pow, operator.lt, operator.ge, operator.and_, operator.or_, operator.xor]
    for op in ops:
        assert op(x, y).compute() == op(7, 2), op
        assert op(7, y).compute() == op(7, 2), op
    assert (-x).compute() == -7 and abs(delayed(-3)).compute() == 3 and (~x).compute() == ~7
    assert divmod(x, y).compute() == (3, 1)


def test_delayed_objects_are_immutable_and_have_no_truth():
    x = delayed([1])
    with pytest.raises(TypeError, match="immutable"):
        x.foo = 1
    with pytest.raises(TypeError, match="immutable"):
        x[0] = 1
    with pytest.raises(TypeError, match="truth"):
        bool(x)


def test_containers_of_delayed_values_are_traversed():
    parts = [delayed(inc)(i) for i in range(3)]
    assert delayed(sum)(parts).compute() == 6
    assert delayed(len)({"a": parts[0], "b": (parts[1], parts[2])}).compute() == 2
    assert delayed({"a": parts[0], "b": {parts[1]}}).compute() == {"a": 1, "b": {2}}
    assert delayed(parts).compute() == [1, 2, 3]
    assert shoal.compute({"x": parts, "y": (parts[0], 5)}) == ({"x": [1, 2, 3], "y": (1, 5)},)


def test_kwargs_and_callable_results():
    def f(a, b=0, *, c=1):
        return a + b * c

    assert delayed(f)(1, b=delayed(2), c=3).compute() == 7
    maker = delayed(lambda n: (lambda v: v * n))(3)
    assert maker(5).compute() == 15


def test_shared_intermediates_run_once():
    calls = []

    def count(x):
        calls.append(x)
        return x

    base = delayed(count, pure=True)(10)
    a, b = base + 1, base * 2
    assert shoal.compute(a, b) == (11, 20)
    assert calls == [10]


def test_delayed_data_is_not_run_as_a_task():
    literal = (inc, 1)
    assert delayed(literal).compute() == literal
    assert delayed("x").compute() == "x"


@dataclass
class Point:
    x: int
    y: int


def test_persist_keeps_values_and_dataclasses_tokenize():
    p = delayed(Point)(1, delayed(2))
    q = p.persist()
    assert q.compute() == Point(1, 2)
    assert len(q.dask) == 1
    assert shoal.tokenize(Point(1, 2)) == shoal.tokenize(Point(1, 2))
    assert shoal.tokenize(Point(1, 2)) != shoal.tokenize(Point(2, 1))


def test_delayed_over_a_plain_dict_graph_collection():
    part = Delayed(("a", 0), {("a", 0): [1, 2]})
    assert delayed(len)(part).compute() == 2


def test_wrapping_a_closure_does_not_keep_its_data_alive():
    import gc
    import weakref

    class Data:
        pass

    def wrap_and_compute():
        data = Data()
        f = lambda x: (x, data)  # noqa: E731
        assert delayed(f)(1).compute()[1] is data
        return weakref.ref(data)

    alive = wrap_and_compute()
    gc.collect()
    assert alive() is None


def test_delayed_of_the_same_function_has_one_key():
    def double(x):
        return 2 * x

    assert delayed(double).key == delayed(double).key
    assert delayed(double)(3).compute() == 6
