"""register_chunk_type: registered duck arrays become blocks; other protocol-speaking types are deferred to."""

import numbers

import numpy as np
import pytest

import shoal.array as sa


def _unwrap(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(i) for i in x)
    return x.data if hasattr(x, "data") and not isinstance(x, np.ndarray) else x


def make_duck_type():
    """A fresh NEP-13/18 duck array class that handles only itself, NumPy arrays and scalars."""

    class Duck(np.lib.mixins.NDArrayOperatorsMixin):
        def __init__(self, data):
            self.data = np.asarray(data)

        shape = property(lambda self: self.data.shape)
        dtype = property(lambda self: self.data.dtype)
        ndim = property(lambda self: self.data.ndim)

        def __getitem__(self, index):
            return Duck(self.data[index])

        def __array__(self, dtype=None, copy=None):
            return self.data if dtype is None else self.data.astype(dtype)

        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            if not all(isinstance(i, (Duck, np.ndarray, numbers.Number)) for i in inputs):
                return NotImplemented
            return Duck(getattr(ufunc, method)(*_unwrap(inputs), **kwargs))

        def __array_function__(self, func, types, args, kwargs):
            if not all(issubclass(t, (Duck, np.ndarray)) for t in types):
                return NotImplemented
            out = func(*_unwrap(args), **kwargs)
            return Duck(out) if isinstance(out, np.ndarray) else out

    return Duck


def test_unregistered_duck_array_is_deferred_to():
    Duck = make_duck_type()
    x = sa.arange(6, chunks=3)
    with pytest.raises(TypeError):
        x + Duck(np.ones(6))
    with pytest.raises(TypeError):
        Duck(np.ones(6)) * x
    assert x.__add__(Duck(np.ones(6))) is NotImplemented
    assert np.add(x, np.ones(6)).compute().tolist() == [1, 2, 3, 4, 5, 6]


def test_registered_duck_array_is_kept_as_a_block():
    Duck = make_duck_type()
    assert sa.register_chunk_type(Duck) is Duck
    a = np.arange(12.0).reshape(3, 4)
    x = sa.from_array(a, chunks=(2, 2))
    duck = Duck(np.linspace(0, 1, 4))
    for result in (x + duck, duck + x, np.multiply(duck, x), x - duck):
        assert isinstance(result, sa.Array)
    np.testing.assert_allclose(np.asarray((x + duck).compute()), a + duck.data)
    np.testing.assert_allclose(np.asarray((duck * x).compute()), duck.data * a)
    wrapped = sa.from_array(Duck(a), chunks=(2, 2))
    blocks = wrapped.blocks[1, 0].compute()
    assert isinstance(blocks, Duck)
    np.testing.assert_array_equal(blocks.data, a[2:, :2])
    np.testing.assert_array_equal(np.asarray(wrapped.sum(axis=0).compute()), a.sum(axis=0))


def test_types_that_opt_out_of_numpy_get_their_reflected_operator():
    class OptOut:
        __array_ufunc__ = None

        def __radd__(self, other):
            return ("radd", other.shape)

    x = sa.ones((2, 3), chunks=1)
    assert x + OptOut() == ("radd", (2, 3))


def test_register_chunk_type_needs_a_class():
    with pytest.raises(TypeError, match="expects a class"):
        sa.register_chunk_type(np.ones(3))
