"""``Bag.str``: Python's string methods applied to every element, plus ``match`` for glob filtering."""

from __future__ import annotations

import fnmatch
import operator


class StringAccessor:
    """``b.str.lower()`` is ``b.map(str.lower)``; ``b.str.match('*.json')`` keeps matching strings."""

    def __init__(self, bag):
        self._bag = bag

    def match(self, pattern: str):
        """The elements matching the glob ``pattern`` (``fnmatch`` rules)."""
        return self._bag.filter(_Matcher(pattern))

    def __getattr__(self, name):
        if name.startswith("_") or not hasattr(str, name):
            raise AttributeError(f"str has no method {name!r}")

        def method(*args, **kwargs):
            return self._bag.map(operator.methodcaller(name, *args, **kwargs))

        method.__name__ = name
        return method

    def __dir__(self):
        return sorted(set(dir(str)) | {"match"})


class _Matcher:
    def __init__(self, pattern: str):
        self.pattern = pattern
        self.__name__ = f"match({pattern!r})"

    def __call__(self, s: str) -> bool:
        return fnmatch.fnmatch(s, self.pattern)
