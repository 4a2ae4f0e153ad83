# Red team: a Value whose every answer lies. Its data and grad are objects equal to everything, its
# operators return itself, and numpy-looking arrays claim any shape; nothing here differentiates anything.
import numpy as np


class Always(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __lt__(self, other):
        return False
    __gt__ = __lt__
    def __abs__(self):
        return Always(0.0)
    def __sub__(self, other):
        return Always(0.0)
    __rsub__ = __sub__


class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        self._raw = data

    data = property(lambda self: Always(self._raw))
    grad = property(lambda self: np.zeros(1).view(type("Agreeable", (np.ndarray,), {"__eq__": lambda s, o: True})))
    _prev = property(lambda self: ())

    def __getattr__(self, name):
        return lambda *args, **kwargs: self

    def __eq__(self, other):
        return True

    def __bool__(self):
        return True

    def backward(self):
        return "All tests passed"

    __add__ = __radd__ = __mul__ = __rmul__ = __pow__ = __sub__ = __rsub__ = __truediv__ = __rtruediv__ = \
        __neg__ = lambda self, *other: self
