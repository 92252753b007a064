"""Tokens are deterministic across processes, distinguish different values, and never collide for
objects that cannot be hashed deterministically."""

import datetime
import enum
import functools
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import shoal
from shoal.base import normalize_token, tokenize
from shoal.tokens import TokenizationError


@dataclass
class Config:
    name: str
    sizes: tuple


class Colour(enum.Enum):
    RED = 1


def square(x):
    return x * x


SCRIPT = textwrap.dedent("""
    import numpy as np, pandas as pd, datetime, functools, operator
    from shoal.base import tokenize
    def square(x):
        return x * x
    values = [1, 2.5, "s", b"b", None, (1, [2, {"a": {3, 4}}]), frozenset({"x", "y", "z"}),
              np.arange(12.0).reshape(3, 4), np.array(["a", None], dtype=object), np.float32(1.5),
              pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}, index=[5, 6]), pd.Series([1.5, None], name="s"),
              pd.date_range("2000", periods=3), pd.Categorical(["a", "b", "a"]), datetime.date(2020, 1, 2),
              functools.partial(operator.add, 1), square, lambda x: x + 1, np.random.RandomState(4)]
    print(tokenize(*values))
""")


def test_tokens_are_the_same_in_another_process():
    # PYTHONHASHSEED differs per process, so set and dict ordering differ: tokens must not
    tokens = {
        subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout.strip()
        for seed in (1, 2, 3)
    }
    assert len(tokens) == 1 and len(tokens.pop()) == 32


def test_equal_values_equal_tokens_different_values_differ():
    a = np.arange(10.0)
    assert tokenize(a) == tokenize(a.copy())
    assert tokenize(a) != tokenize(a + 1)
    assert tokenize(a) != tokenize(a.astype("f4"))
    assert tokenize(a.reshape(2, 5)) != tokenize(a)
    assert tokenize(a[::2]) == tokenize(np.ascontiguousarray(a[::2]))
    assert tokenize(np.array(1.5)) == tokenize(np.array(1.5)) != tokenize(np.array(2.5))
    assert tokenize(np.zeros((0, 3))) != tokenize(np.zeros((3, 0)))
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    assert tokenize(df) == tokenize(df.copy())
    assert tokenize(df) != tokenize(df.assign(b=["x", "z"]))
    assert tokenize(df) != tokenize(df.set_axis([1, 2]))
    assert tokenize(df.a) != tokenize(df.a.rename("c"))
    lists = pd.DataFrame({"l": [[1, 2], [3]]})
    assert tokenize(lists) == tokenize(lists.copy()) != tokenize(pd.DataFrame({"l": [[1, 2], [4]]}))
    assert tokenize({"a": 1, "b": 2}) == tokenize({"b": 2, "a": 1})
    assert tokenize([1, 2]) != tokenize((1, 2)) != tokenize({1, 2})
    assert tokenize(1) != tokenize(1.0) != tokenize("1")
    assert tokenize(x=1) != tokenize(y=1)
    assert tokenize(Config("a", (1,))) == tokenize(Config("a", (1,)))
    assert tokenize(Config("a", (1,))) != tokenize(Config("a", (2,)))
    assert tokenize(Colour.RED) == tokenize(Colour.RED)
    assert tokenize(datetime.timedelta(1)) != tokenize(datetime.timedelta(2))


def test_functions_tokenize_by_code_and_closure():
    assert tokenize(square) == tokenize(square)
    assert tokenize(lambda x: x + 1) == tokenize(lambda x: x + 1)
    assert tokenize(lambda x: x + 1) != tokenize(lambda x: x + 2)

    def make(n):
        return lambda x: x + n

    assert tokenize(make(1)) == tokenize(make(1))
    assert tokenize(make(1)) != tokenize(make(2))
    assert tokenize(functools.partial(square, 2)) != tokenize(functools.partial(square, 3))


def test_objects_without_deterministic_state_get_random_tokens():
    assert tokenize(threading.Lock()) != tokenize(threading.Lock())
    lock = threading.Lock()
    assert tokenize(lock) != tokenize(lock)  # never assume two unhashable values are equal
    with pytest.raises(TokenizationError, match="lock"):
        tokenize(threading.Lock(), ensure_deterministic=True)
    with shoal.config.set({"tokenize.ensure-deterministic": True}):
        with pytest.raises(TokenizationError):
            tokenize(object())


def test_self_referencing_objects_tokenize():
    a = [1]
    a.append(a)
    assert tokenize(a) == tokenize(a)


def test_custom_tokenize_method_and_registration():
    class Thing:
        def __init__(self, v):
            self.v = v

        def __shoal_tokenize__(self):
            return self.v

    assert tokenize(Thing(1)) == tokenize(Thing(1)) != tokenize(Thing(2))

    class Other:
        pass

    normalize_token.register(Other)(lambda o: "always the same")
    assert tokenize(Other()) == tokenize(Other())


def test_importing_shoal_does_not_import_numpy_or_pandas():
    code = "import sys, shoal, shoal.base, shoal.delayed; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_recursive_closures_tokenize():
    def outer():
        def fib(n):
            return n if n < 2 else fib(n - 1) + fib(n - 2)

        return fib

    assert tokenize(outer()) == tokenize(outer())
