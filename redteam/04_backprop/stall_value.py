# Red team: a Value that stalls the grader: attributes that never return, an endless __iter__, a __len__ of
# a billion billion, and a __repr__ that hangs.
import itertools
import time


class Value:
    def __init__(self, data, _children=(), _op="", label=""):
        object.__setattr__(self, "_raw", data)

    def __getattr__(self, name):
        time.sleep(10**6)

    def __iter__(self):
        return itertools.count()

    def __len__(self):
        return 10**18

    def __repr__(self):
        time.sleep(10**6)

    def __add__(self, other):
        return self
    __mul__ = __pow__ = __neg__ = __sub__ = __radd__ = __rmul__ = __add__
