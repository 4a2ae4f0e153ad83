"""The wire format between the grader and the sandboxed worker.

Both sides import this file; the worker gets it as a plain module next to ``worker.py``
inside the sandbox, so it may use only the standard library and numpy.

A message is an 8-byte header (two big-endian lengths: the JSON's and the blob's), that many bytes
of ASCII JSON, then the blob: the raw bytes of the message's arrays, one after another. Values are
plain data: JSON scalars, lists, and tagged objects for what JSON lacks::

    {"$tuple": [...]}            {"$dict": [[key, value], ...]}      {"$bytes": "<base64>"}
    {"$array": [dtype, shape, offset]}   (C-order bytes at ``offset`` in the blob)
    {"$scalar": [dtype, [], offset]}
    {"$complex": [re, im]}       {"$float": "nan" | "inf" | "-inf"}
    {"$handle": 7, "type": "Value", "callable": false}   (an object that stays in the worker)

Decoding never unpickles or evaluates anything: an array is its dtype (``"<f8"``), its shape and
its raw bytes, and only plain numeric, boolean and text dtypes are accepted. (Not the ``.npy``
format: parsing its header costs fifty times as much as the copy, and a suite makes thousands
of calls per student. Not base64 inside the JSON either: encoding, scanning and decoding a
weight matrix's text cost more than the call it came from.) Limits on size, on the number of JSON
values (counted in the bytes, before they are parsed), on nesting depth and on the bytes that
arrays take from the blob (their sizes add up to at most the blob's, however their offsets
overlap) keep a hostile peer from exhausting the grader.
"""
from __future__ import annotations

import base64
import functools
import io
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
_AS_IS = frozenset({type(None), bool, str, int})  # JSON's scalars as they are; a float too, unless NaN or infinite

_HEADER = struct.Struct(">II")  # the JSON's length, the blob's


class DecodeError(ValueError):
    """The bytes received are not a well-formed message."""


class Handle:
    """A reference to an object that lives in the worker."""

    __slots__ = ("id", "type_name", "is_callable")

    def __init__(self, id: int, type_name: str = "object", is_callable: bool = False):
        self.id, self.type_name, self.is_callable = id, type_name, is_callable


# ---------------------------------------------------------------- framing

class Message(dict):
    """A message as read: its JSON object, and in ``blob`` the bytes its arrays are made of."""
    blob: Blob


class Blob:
    """The blob of one message, handed out array by array: in all, no more bytes than it holds."""

    def __init__(self, data: bytearray):
        self.data, self.left = data, len(data)

    def copy(self, offset, shape: list, dtype: np.dtype) -> np.ndarray:
        """A copy of the array of ``shape`` and ``dtype`` whose bytes start at ``offset``."""
        size = math.prod(shape) * dtype.itemsize
        if type(offset) is not int or offset < 0 or offset + size > len(self.data):
            raise DecodeError(f"array of {size} bytes at offset {str(offset)[:30]} is not in the "
                              f"{len(self.data)} bytes sent")
        if size > self.left:
            raise DecodeError(f"arrays take more than the {len(self.data)} bytes sent")
        self.left -= size
        return np.ndarray(shape, dtype, buffer=self.data, offset=offset).copy()


class Raw:
    """An array on its way out: :func:`frame` puts its bytes in the blob and ``[dtype, shape, offset]`` in the
    JSON."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray):
        self.array = array


def frame(message: dict) -> bytes:
    """A message as it goes on the wire: the lengths, ASCII JSON (``json.dumps`` escapes everything else), the
    blob."""
    chunks, size = [], 0

    def place(value):
        nonlocal size
        if not isinstance(value, Raw):
            raise TypeError(f"cannot send a {type(value).__name__} as plain data")
        data = value.array.tobytes(order="C")
        chunks.append(data)
        size += len(data)
        return [value.array.dtype.str, list(value.array.shape), size - len(data)]

    text = json.dumps(message, allow_nan=False, separators=(",", ":"), default=place).encode()
    return b"".join([_HEADER.pack(len(text), size), text, *chunks])


def unframe(data: bytes) -> Message:
    """A framed message read back from memory: where there is no pipe (the reference store, the check inside a
    notebook), values still go through the wire format, and come back as grading would see them."""
    return read_message(io.BytesIO(data))


def write_message(stream, message: dict) -> None:
    stream.write(frame(message))
    stream.flush()


def read_message(stream, max_bytes: int = MAX_MESSAGE_BYTES) -> Message:
    """One message from ``stream`` (anything with ``readinto``); ``EOFError`` when the peer has gone. What it costs
    is bounded before it is parsed: at most ``max_bytes`` in all, ASCII JSON only (a character is a byte),
    MAX_ITEMS values."""
    length, blob_length = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    if length + blob_length > max_bytes:
        raise DecodeError(f"message of {length + blob_length} bytes is over the limit of {max_bytes}")
    data = _read_exactly(stream, length)
    if length >= MAX_ITEMS and _values(data) > MAX_ITEMS:  # each value but the first needs a byte before it
        raise DecodeError(f"message has more than {MAX_ITEMS} values")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise DecodeError("message is not ASCII JSON") from None
    del data  # the text alone is parsed
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise DecodeError(f"message is not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(parsed, dict):
        raise DecodeError("message is not a JSON object")
    message = Message(parsed)
    message.blob = Blob(_read_exactly(stream, blob_length))
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
    those in strings too, which only errs on the safe side: arrays travel in the blob, outside the JSON)."""
    return 1 + data.count(b"[") + data.count(b"{") + data.count(b",") + data.count(b":")


# ---------------------------------------------------------------- values

def encode(value, to_handle=None, depth: int = 0):
    """Plain data as JSON-ready structures; other objects through ``to_handle(obj) -> Handle``. (The most frequent
    types are tested first: a suite sends and receives thousands of values per student.)"""
    if depth > MAX_DEPTH:
        raise ValueError(f"value is nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else {"$float": repr(value)}
    if kind in _AS_IS:
        return value
    if kind is np.ndarray and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        return {"$array": Raw(value)}
    if kind is dict:
        return {"$dict": [[encode(k, to_handle, depth + 1), encode(v, to_handle, depth + 1)] for k, v in value.items()]}
    if kind is list:
        return [encode(item, to_handle, depth + 1) for item in value]
    if kind is tuple:
        return {"$tuple": [encode(item, to_handle, depth + 1) for item in value]}
    if isinstance(value, Handle):
        return {"$handle": value.id}
    if kind is complex:
        return {"$complex": [encode(value.real), encode(value.imag)]}
    if kind is bytes:
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, np.generic) and value.dtype.kind in ALLOWED_DTYPE_KINDS:
        return {"$scalar": Raw(np.asarray(value))}
    if to_handle is None:
        raise TypeError(f"cannot send a {kind.__name__} as plain data")
    handle = to_handle(value)
    return {"$handle": handle.id, "type": handle.type_name, "callable": handle.is_callable}


def decode(data, from_handle=None, blob: Blob | None = None):
    """The inverse of :func:`encode`, for data from an untrusted peer (whose size read_message has bounded);
    ``blob``: the message's (``Message.blob``), where its arrays' bytes are."""
    return _decode(data, from_handle, 0, blob or Blob(bytearray()))


def _decode(data, from_handle, depth, blob):
    if depth > MAX_DEPTH:
        raise DecodeError(f"value is nested more than {MAX_DEPTH} levels deep")
    kind = type(data)
    if kind in _AS_IS or kind is float:
        return data
    if kind is list:
        return [_decode(item, from_handle, depth + 1, blob) for item in data]
    if kind is not dict or len(data) == 0:
        raise DecodeError(f"unexpected value of type {kind.__name__}")
    tag = next(iter(data))
    body = data[tag]
    try:
        if tag == "$tuple":
            return tuple(_decode(item, from_handle, depth + 1, blob) for item in _list(body))
        if tag == "$dict":
            result = {}
            for pair in _list(body):
                key, value = _list(pair)
                key = _decode(key, from_handle, depth + 1, blob)
                if isinstance(key, (list, dict, np.ndarray)):
                    raise DecodeError("dictionary key is not hashable")
                result[key] = _decode(value, from_handle, depth + 1, blob)
            return result
        if tag == "$array":
            return _array(body, blob)
        if tag == "$scalar":
            array = _array(body, blob)
            if array.shape != ():
                raise DecodeError("scalar with a shape")
            return array[()]
        if tag == "$float":
            if body not in ("nan", "inf", "-inf"):
                raise DecodeError(f"unknown float {body!r}")
            return float(body)
        if tag == "$complex":
            re, im = _list(body)
            return complex(float(_decode(re, None, depth + 1, blob)), float(_decode(im, None, depth + 1, blob)))
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


def _array(body, blob: Blob) -> np.ndarray:
    """A writable array of its own from [dtype, shape, offset], checked before anything is allocated."""
    dtype, shape, offset = _list(body)
    dtype = _dtype(dtype)
    if not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS or \
            not all(type(n) is int and 0 <= n <= MAX_MESSAGE_BYTES for n in shape):
        raise DecodeError(f"malformed array shape {str(shape)[:100]}")
    return blob.copy(offset, shape, dtype)


@functools.lru_cache(maxsize=64)
def _dtype(text) -> np.dtype:
    """The dtype a peer names, if it is one of the allowed (cached: a suite's arrays have a few dtypes)."""
    if not isinstance(text, str) or not _DTYPE.fullmatch(text):
        raise DecodeError(f"array of dtype {str(text)[:50]!r} is not allowed")
    return np.dtype(text)


def _list(body) -> list:
    if not isinstance(body, list):
        raise DecodeError("expected a list")
    return body


def _str(body) -> str:
    if not isinstance(body, str):
        raise DecodeError("expected a string")
    return body
