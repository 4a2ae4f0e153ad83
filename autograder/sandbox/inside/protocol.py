"""The wire format between the grader and the sandboxed worker.

Both sides import this file; the worker gets it as a plain module next to ``worker.py``
inside the sandbox, so it may use only the standard library and numpy.

A message is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON.
Values are plain data: JSON scalars, lists, and tagged objects for what JSON lacks::

    {"$tuple": [...]}            {"$dict": [[key, value], ...]}      {"$bytes": "<base64>"}
    {"$array": [dtype, shape, "<base64 of the C-order bytes>"]}     {"$scalar": [dtype, [], "<base64>"]}
    {"$complex": [re, im]}       {"$float": "nan" | "inf" | "-inf"}
    {"$handle": 7, "type": "Value", "callable": false}   (an object that stays in the worker)

Decoding never unpickles or evaluates anything: an array is its dtype (``"<f8"``), its shape and
its raw bytes, and only plain numeric, boolean and text dtypes are accepted. (Not the ``.npy``
format: parsing its header costs fifty times as much as the copy, and a suite makes thousands
of calls per student.) Limits on size, on the number of JSON values (counted in the bytes, before
they are parsed) and on nesting depth keep a hostile peer from exhausting the grader.
"""
from __future__ import annotations

import base64
import json
import math
import re
import struct

import numpy as np

MAX_MESSAGE_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64
# JSON values in one message. Parsing builds a Python object for each (an empty {} of 3 bytes costs 64), so a
# message is refused by this count before it is parsed: a 64 MB reply of {},{},... would otherwise cost 1.6 GB or more.
MAX_ITEMS = 1_000_000
ALLOWED_DTYPE_KINDS = "biufcUS"  # bool, int, uint, float, complex, str, bytes: never object or void
_DTYPE = re.compile(r"[<>|=]?(b1|[iu][1248]|f(2|4|8|16)|c(8|16|32)|[US][1-9][0-9]{0,8})")  # never fields or subarrays
MAX_DIMENSIONS = 32

_HEADER = struct.Struct(">I")


class DecodeError(ValueError):
    """The bytes received are not a well-formed message."""


class Handle:
    """A reference to an object that lives in the worker."""

    __slots__ = ("id", "type_name", "is_callable")

    def __init__(self, id: int, type_name: str = "object", is_callable: bool = False):
        self.id, self.type_name, self.is_callable = id, type_name, is_callable


# ---------------------------------------------------------------- framing

def frame(message: dict) -> bytes:
    """A message as it goes on the wire: the length, then ASCII JSON (``json.dumps`` escapes everything else)."""
    data = json.dumps(message, allow_nan=False, separators=(",", ":")).encode()
    return _HEADER.pack(len(data)) + data


def write_message(stream, message: dict) -> None:
    stream.write(frame(message))
    stream.flush()


def read_message(stream, max_bytes: int = MAX_MESSAGE_BYTES) -> dict:
    """One message from ``stream`` (anything with ``readinto``); ``EOFError`` when the peer has gone. What it costs
    is bounded before it is parsed: at most ``max_bytes``, ASCII only (a character is a byte), MAX_ITEMS values."""
    (length,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if length > max_bytes:
        raise DecodeError(f"message of {length} bytes is over the limit of {max_bytes}")
    data = _read_exactly(stream, length)
    if length >= MAX_ITEMS and _values(data) > MAX_ITEMS:  # each value but the first needs a byte before it
        raise DecodeError(f"message has more than {MAX_ITEMS} values")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise DecodeError("message is not ASCII JSON") from None
    del data  # the text alone is parsed
    try:
        message = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"message is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(message, dict):
        raise DecodeError("message is not a JSON object")
    return message


def _read_exactly(stream, size: int) -> bytearray:
    """Read into one buffer of the final size: joining chunks would hold a large message twice."""
    data = bytearray(size)
    view, done = memoryview(data), 0
    while done < size:
        count = stream.readinto(view[done:])
        if not count:
            raise EOFError("the peer closed the channel")
        done += count
    return data


def _values(data: bytearray) -> int:
    """At most how many values JSON ``data`` holds: one, and one after each ``[``, ``{``, ``,`` and ``:`` (counting
    those in strings too, which only errs on the safe side: arrays travel as base64, which has none)."""
    return 1 + data.count(b"[") + data.count(b"{") + data.count(b",") + data.count(b":")


# ---------------------------------------------------------------- values

def encode(value, to_handle=None, depth: int = 0):
    """Plain data as JSON-ready structures; other objects through ``to_handle(obj) -> Handle``."""
    if depth > MAX_DEPTH:
        raise ValueError(f"value is nested more than {MAX_DEPTH} levels deep")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, Handle):
        return {"$handle": value.id}
    if type(value) is complex:
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if type(value) is bytes:
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, np.generic) and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        return {"$scalar": _raw(np.asarray(value))}
    if type(value) is np.ndarray and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        return {"$array": _raw(value)}
    if type(value) is list:
        return [encode(item, to_handle, depth + 1) for item in value]
    if type(value) is tuple:
        return {"$tuple": [encode(item, to_handle, depth + 1) for item in value]}
    if type(value) is dict:
        return {"$dict": [[encode(k, to_handle, depth + 1), encode(v, to_handle, depth + 1)] for k, v in value.items()]}
    if to_handle is None:
        raise TypeError(f"cannot send a {type(value).__name__} as plain data")
    handle = to_handle(value)
    return {"$handle": handle.id, "type": handle.type_name, "callable": handle.is_callable}


def decode(data, from_handle=None):
    """The inverse of :func:`encode`, for data from an untrusted peer (whose size read_message has bounded)."""
    return _decode(data, from_handle, 0)


def _decode(data, from_handle, depth):
    if depth > MAX_DEPTH:
        raise DecodeError(f"value is nested more than {MAX_DEPTH} levels deep")
    if data is None or isinstance(data, (bool, str)):
        return data
    if isinstance(data, int):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, list):
        return [_decode(item, from_handle, depth + 1) for item in data]
    if not isinstance(data, dict) or len(data) == 0:
        raise DecodeError(f"unexpected value of type {type(data).__name__}")
    tag = next(iter(data))
    body = data[tag]
    try:
        if tag == "$tuple":
            return tuple(_decode(item, from_handle, depth + 1) for item in _list(body))
        if tag == "$dict":
            result = {}
            for pair in _list(body):
                key, value = _list(pair)
                key = _decode(key, from_handle, depth + 1)
                if isinstance(key, (list, dict, np.ndarray)):
                    raise DecodeError("dictionary key is not hashable")
                result[key] = _decode(value, from_handle, depth + 1)
            return result
        if tag == "$array":
            return _array(body)
        if tag == "$scalar":
            array = _array(body)
            if array.shape != ():
                raise DecodeError("scalar with a shape")
            return array[()]
        if tag == "$float":
            if body not in ("nan", "inf", "-inf"):
                raise DecodeError(f"unknown float {body!r}")
            return float(body)
        if tag == "$complex":
            re, im = _list(body)
            return complex(float(_decode(re, None, depth + 1)), float(_decode(im, None, depth + 1)))
        if tag == "$bytes":
            return base64.b64decode(_str(body), validate=True)
        if tag == "$handle":
            if from_handle is None or not isinstance(body, int) or isinstance(body, bool):
                raise DecodeError("unexpected handle")
            return from_handle(Handle(body, str(data.get("type", "object"))[:200], bool(data.get("callable", False))))
    except DecodeError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise DecodeError(f"malformed {tag}: {str(exc)[:200]}") from None
    raise DecodeError(f"unknown tag {str(tag)[:50]!r}")


def _raw(array: np.ndarray) -> list:
    return [array.dtype.str, list(array.shape), base64.b64encode(array.tobytes(order="C")).decode()]


def _array(body) -> np.ndarray:
    """A writable array from [dtype, shape, base64], checked before anything is allocated."""
    dtype, shape, data = _list(body)
    if not isinstance(dtype, str) or not _DTYPE.fullmatch(dtype):
        raise DecodeError(f"array of dtype {str(dtype)[:50]!r} is not allowed")
    dtype = np.dtype(dtype)
    if not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS or \
            not all(type(n) is int and 0 <= n <= MAX_MESSAGE_BYTES for n in shape):
        raise DecodeError(f"malformed array shape {str(shape)[:100]}")
    raw = base64.b64decode(_str(data), validate=True)
    if math.prod(shape) * dtype.itemsize != len(raw):
        raise DecodeError(f"array of shape {tuple(shape)} and dtype {dtype.str} does not have {len(raw)} bytes")
    return np.frombuffer(bytearray(raw), dtype=dtype).reshape(shape)


def _list(body) -> list:
    if not isinstance(body, list):
        raise DecodeError("expected a list")
    return body


def _str(body) -> str:
    if not isinstance(body, str):
        raise DecodeError("expected a string")
    return body
