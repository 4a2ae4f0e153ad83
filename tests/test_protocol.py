"""The wire format: plain data round-trips; anything else from the worker is refused, never unpickled."""
import base64
import io
import json
import math

import numpy as np
import pytest

from autograder.sandbox.inside import protocol
from autograder.sandbox.inside.protocol import DecodeError, decode, encode


def roundtrip(value):
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize("value", [None, True, 0, -7, 2**70, 1.5, "π ≈ 3.14", b"\x00\xff", 1 + 2j,
                                   [1, [2, "x"]], (1, (2.0,)), {"a": 1, 2: (3,), (1, 2): [None]}])
def test_plain_values_roundtrip(value):
    assert roundtrip(value) == value and type(roundtrip(value)) is type(value)


def test_special_floats_roundtrip():
    assert math.isnan(roundtrip(float("nan")))
    assert roundtrip([float("inf"), float("-inf")]) == [math.inf, -math.inf]


@pytest.mark.parametrize("array", [np.arange(6, dtype=np.int32).reshape(2, 3), np.array([1.5, np.nan]),
                                   np.zeros((0, 4)), np.array([True, False]), np.array(["a", "bc"])])
def test_arrays_roundtrip_with_dtype_and_shape(array):
    back = roundtrip(array)
    assert back.dtype == array.dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_numpy_scalars_stay_scalars():
    back = roundtrip(np.float32(2.5))
    assert isinstance(back, np.float32) and back == 2.5


def test_array_subclass_is_not_sent_as_data():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True
    with pytest.raises(TypeError):
        encode(np.zeros(3).view(Liar))


def test_decoded_arrays_are_writable():
    """Student code may update an argument in place (``params[k] -= lr * g``)."""
    back = roundtrip(np.zeros(3))
    back += 1
    np.testing.assert_array_equal(back, [1, 1, 1])


ZEROS = base64.b64encode(bytes(16)).decode()


@pytest.mark.parametrize("dtype", ["|O", "O", "[('a', '<f8')]", "(2,)<f8", "<M8[s]", "|V16", "<U0", "f8 ", 3])
def test_object_structured_and_odd_dtypes_are_refused(dtype):
    with pytest.raises(DecodeError, match="dtype"):
        decode({"$array": [dtype, [2], ZEROS]})


@pytest.mark.parametrize("shape", [[3], [-2, -1], [2.0], [True, 2], "2", [1] * 40])
def test_shapes_that_do_not_fit_the_bytes_are_refused(shape):
    with pytest.raises(DecodeError):
        decode({"$array": ["<f8", shape, ZEROS]})


@pytest.mark.parametrize("data", [{"$array": ["<f8", [2], "not base64!"]}, {"$array": ["<f8", [2]]}, {"$evil": 1},
                                  {}, {"$tuple": 3}, {"$dict": [[[1], 2]]}, {"$float": "1e400"}, {"$handle": 1},
                                  {"$scalar": ["<f8", [2], ZEROS]}, {"$scalar": "junk"}])
def test_malformed_values_are_refused(data):
    with pytest.raises(DecodeError):
        decode(data)


def test_deep_nesting_is_refused():
    data = 0
    for _ in range(protocol.MAX_DEPTH + 5):
        data = [data]
    with pytest.raises(DecodeError):
        decode(data)


def test_too_many_items_are_refused(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_ITEMS", 100)
    with pytest.raises(DecodeError):
        decode(list(range(200)))


def test_oversized_message_is_refused_before_reading_it():
    stream = io.BytesIO(protocol._HEADER.pack(10**9) + b"{}")
    with pytest.raises(DecodeError, match="over the limit"):
        protocol.read_message(stream, max_bytes=1000)


def test_message_framing_roundtrip_and_eof():
    stream = io.BytesIO()
    protocol.write_message(stream, {"ok": encode([1, 2])})
    stream.seek(0)
    assert decode(protocol.read_message(stream)["ok"]) == [1, 2]
    with pytest.raises(EOFError):
        protocol.read_message(stream)


def test_invalid_json_body_is_a_decode_error():
    stream = io.BytesIO(protocol._HEADER.pack(5) + b"{nope")
    with pytest.raises(DecodeError):
        protocol.read_message(stream)
