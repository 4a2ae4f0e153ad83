"""What a test holds of the student's notebook: proxies whose calls, attribute reads and operators run in the
worker, one round trip each, through the student's :class:`~autograder.sandbox.session.Session`."""
from __future__ import annotations

from autograder.sandbox.errors import WorkerFailure
from autograder.sandbox.inside import protocol


class Remote:
    """A student object that lives in the worker; attribute access, calls and operators go there."""

    def __init__(self, session: Session, handle: protocol.Handle, generation: int):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_generation", generation)

    def _ask(self, message: dict):
        return self._session.request(message, self._generation)

    def _op(self, name: str, *args):
        session = self._session
        return self._ask({"op": "operator", "name": name, "args": session.encode(list(args))})

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask({"op": "getattr", "target": {"handle": self._handle.id}, "name": name})

    def __setattr__(self, name: str, value) -> None:
        self._ask({"op": "setattr", "target": {"handle": self._handle.id}, "name": name,
                   "value": self._session.encode(value)})

    def __call__(self, *args, **kwargs):
        session = self._session
        return self._ask({"op": "call", "target": {"handle": self._handle.id},
                          "args": session.encode(list(args)), "kwargs": session.encode(dict(kwargs))})

    def __repr__(self) -> str:
        return f"<{self._handle.type_name} object in the student's notebook>"

    __hash__ = object.__hash__

    def __len__(self): return self._op("len", self)
    def __bool__(self): return self._op("bool", self)
    def __float__(self): return self._op("float", self)
    def __int__(self): return self._op("int", self)
    def __iter__(self): return iter(self._op("list", self))
    def __getitem__(self, key): return self._op("getitem", self, key)
    def __contains__(self, item): return self._op("contains", self, item)
    def __neg__(self): return self._op("neg", self)
    def __pos__(self): return self._op("pos", self)
    def __abs__(self): return self._op("abs", self)
    def __eq__(self, other): return self._op("eq", self, other)
    def __ne__(self, other): return self._op("ne", self, other)
    def __lt__(self, other): return self._op("lt", self, other)
    def __le__(self, other): return self._op("le", self, other)
    def __gt__(self, other): return self._op("gt", self, other)
    def __ge__(self, other): return self._op("ge", self, other)


def _binary(name: str):
    def forward(self, other):
        return self._op(name, self, other)
    def backward(self, other):
        return self._op(name, other, self)
    return forward, backward


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    _forward, _backward = _binary(_name)
    setattr(Remote, f"__{_name}__", _forward)
    setattr(Remote, f"__r{_name}__", _backward)


class StudentNotebook:
    """What a test sees as ``student``: the notebook's top-level names."""

    def __init__(self, session: Session):
        self._session = session

    def __getattr__(self, name: str) -> "GlobalName":
        if name.startswith("_"):
            raise AttributeError(name)
        return GlobalName(self._session, name)

    def has(self, name: str) -> bool:
        return bool(self._session.request({"op": "has", "name": name}))


class GlobalName:
    """``student.posterior``: calling it is one round trip; ``.value`` fetches the object itself."""

    def __init__(self, session: Session, name: str):
        self._session, self._name = session, name

    def __call__(self, *args, **kwargs):
        session = self._session
        return session.request({"op": "call", "target": {"name": self._name},
                                "args": session.encode(list(args)), "kwargs": session.encode(dict(kwargs))})

    @property
    def value(self):
        return self._session.request({"op": "global", "name": self._name})

    def __repr__(self) -> str:
        return f"<{self._name} in the student's notebook>"


def handle_of(obj, generation: int) -> protocol.Handle:
    """The handle that sends a student object back to its worker; refused for one from an earlier worker."""
    if not isinstance(obj, Remote):
        raise TypeError(f"the grader cannot send a {type(obj).__name__} to the worker")
    if obj._generation != generation:
        raise WorkerFailure("this object came from an earlier run of your notebook, which had stopped")
    return obj._handle


def plain_argument(value):
    if isinstance(value, GlobalName):
        raise TypeError("pass student.<name>.value, not the name, to send a student object back")
    return value
