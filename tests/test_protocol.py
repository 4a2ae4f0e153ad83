"""The wire format: plain data round-trips; anything else from the worker is refused, never unpickled."""
import io
import json
import math
import subprocess
import sys

import numpy as np
import pytest

from autograder.sandbox import processes
from autograder.sandbox.inside import protocol
from autograder.sandbox.inside.protocol import DecodeError, decode, encode
from conftest import ROOT


def roundtrip(value):
    """``value`` sent and read back as the worker and the grader do: framed, then decoded."""
    message = protocol.unframe(protocol.frame({"ok": encode(value)}))
    return decode(message["ok"], None, message.blob)


def decode_with_blob(data, blob: bytes):
    return decode(data, None, protocol.Blob(bytearray(blob)))


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


def test_arrays_after_an_odd_number_of_bytes_come_back_whole():
    """The blob packs arrays back to back, so a float64 array may start at an offset that is not a multiple of 8."""
    flags, values = roundtrip((np.array([True, False, True]), np.arange(3.0)))
    np.testing.assert_array_equal(flags, [True, False, True])
    np.testing.assert_array_equal(values, [0.0, 1.0, 2.0])
    assert values.flags.aligned and values.flags.writeable


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


ZEROS = bytes(16)  # the blob of the messages below: each array's bytes are at offset 0


@pytest.mark.parametrize("dtype", ["|O", "O", "[('a', '<f8')]", "(2,)<f8", "<M8[s]", "|V16", "<U0", "f8 ", 3])
def test_object_structured_and_odd_dtypes_are_refused(dtype):
    with pytest.raises(DecodeError, match="dtype"):
        decode_with_blob({"$array": [dtype, [2], 0]}, ZEROS)


@pytest.mark.parametrize("shape", [[3], [-2, -1], [2.0], [True, 2], "2", [1] * 40])
def test_shapes_that_do_not_fit_the_bytes_are_refused(shape):
    with pytest.raises(DecodeError):
        decode_with_blob({"$array": ["<f8", shape, 0]}, ZEROS)


@pytest.mark.parametrize("data", [{"$array": ["<f8", [2], "0"]}, {"$array": ["<f8", [2], -8]},
                                  {"$array": ["<f8", [2], 1.0]}, {"$array": ["<f8", [2], True]},
                                  {"$array": ["<f8", [2], 8]}, {"$array": ["<f8", [2]]}, {"$evil": 1},
                                  {}, {"$tuple": 3}, {"$dict": [[[1], 2]]}, {"$float": "1e400"}, {"$handle": 1},
                                  {"$scalar": ["<f8", [2], 0]}, {"$scalar": "junk"}, {"$bytes": "not base64!"}])
def test_malformed_values_are_refused(data):
    with pytest.raises(DecodeError):
        decode_with_blob(data, ZEROS)


def test_arrays_take_no_more_than_the_blob_holds_however_their_offsets_overlap():
    """A forged message could point a million arrays at the same bytes: a million copies in the grader."""
    one = {"$array": ["<f8", [2], 0]}
    np.testing.assert_array_equal(decode_with_blob([one], ZEROS)[0], [0.0, 0.0])
    with pytest.raises(DecodeError, match="more than the 16 bytes sent"):
        decode_with_blob([one, one], ZEROS)
    with pytest.raises(DecodeError, match="not in the 0 bytes sent"):
        decode({"$array": ["<f8", [2], 0]})  # no blob at all


def test_arrays_from_one_message_do_not_share_memory():
    message = protocol.unframe(protocol.frame({"ok": encode([np.ones(3), np.ones(3)])}))
    first, second = decode(message["ok"], None, message.blob)
    first += 1
    np.testing.assert_array_equal(second, [1, 1, 1])
    assert not np.shares_memory(first, message.blob.data)


def test_deep_nesting_is_refused():
    data = 0
    for _ in range(protocol.MAX_DEPTH + 5):
        data = [data]
    with pytest.raises(DecodeError):
        decode(data)


def framed(data: bytes, blob: bytes = b"") -> io.BytesIO:
    return io.BytesIO(protocol._HEADER.pack(len(data), len(blob)) + data + blob)


def test_a_message_with_too_many_values_is_refused(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_ITEMS", 100)
    assert protocol.read_message(framed(json.dumps({"ok": list(range(90))}).encode()))["ok"] == list(range(90))
    with pytest.raises(DecodeError, match="more than 100 values"):
        protocol.read_message(framed(json.dumps({"ok": list(range(200))}).encode()))


def test_a_message_that_is_not_ascii_is_refused():
    """json.dumps escapes every other character: only a forged message has one (and it could make the text's
    every character four bytes)."""
    with pytest.raises(DecodeError, match="not ASCII"):
        protocol.read_message(framed('{"ok": "\U0001f600"}'.encode()))


def test_oversized_message_is_refused_before_reading_it():
    with pytest.raises(DecodeError, match="over the limit"):
        protocol.read_message(io.BytesIO(protocol._HEADER.pack(10**9, 0) + b"{}"), max_bytes=1000)
    with pytest.raises(DecodeError, match="over the limit"):  # the blob counts too
        protocol.read_message(framed(b"{}", bytes(999)), max_bytes=1000)


def test_message_framing_roundtrip_and_eof():
    stream = io.BytesIO()
    protocol.write_message(stream, {"ok": encode([1, 2])})
    stream.seek(0)
    assert decode(protocol.read_message(stream)["ok"]) == [1, 2]
    with pytest.raises(EOFError):
        protocol.read_message(stream)


def test_invalid_json_body_is_a_decode_error():
    with pytest.raises(DecodeError):
        protocol.read_message(framed(b"{nope"))


# Replies a worker can write straight to its pipe, each as costly to parse as JSON allows within the grader's limit
# (MAX_REPLY_BYTES), and whether the grader accepts it. What reading one costs the grader is measured in a process
# of its own: its peak resident memory (VmHWM) after the reply, less before.
REPLY = processes.MAX_REPLY_BYTES - 64
BLOB = bytes(8 * 8192)  # one array of 8192 float64
FORGED = {  # the JSON, the blob, and whether the grader accepts the reply ("refused": before parsing it)
    "22 million empty objects": (b'{"ok":[' + b"{}," * (REPLY // 3 - 4) + b"{}]}", b"", "refused"),
    "nesting 32 million deep": (b'{"ok":' + b"[" * (REPLY // 2 - 4) + b"]" * (REPLY // 2 - 4) + b"}", b"", "refused"),
    "one string of 64 MB, 4 bytes a character": (b'{"ok":"\\ud83d\\ude00' + b"x" * (REPLY - 20) + b'"}', b"",
                                                 "accepted"),
    "a million strings, 4 bytes a character": (
        b'{"ok":[' + b",".join([b'"\\ud83d\\ude00' + b"x" * (REPLY // 999_990 - 16) + b'"'] * 999_990) + b"]}", b"",
        "accepted"),
    "120,000 arrays on the same 64 kB (7.9 GB of copies)": (
        b'{"ok":[' + b",".join([b'{"$array":["<f8",[8192],0]}'] * 120_000) + b"]}", BLOB, "refused after parsing"),
}
# The bounds that SECURITY.md states: a reply refused for its values costs about its size; any other, the text and
# what it parses into: strings at most 4 bytes a character, and at most MAX_ITEMS other objects.
REFUSED_MB, ACCEPTED_MB = 1.25 * processes.MAX_REPLY_BYTES / 2**20, 7 * processes.MAX_REPLY_BYTES / 2**20

READ_ONE_REPLY = """
import os, subprocess, sys, time
from autograder.sandbox import processes
from autograder.sandbox.errors import ProtocolError
from autograder.sandbox.inside import protocol
from autograder.sandbox.limits import Limits

def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

worker = processes.WorkerProcess(Limits())
subprocess.Popen(["cat", sys.argv[1]], stdout=worker.from_worker_w)  # the worker, writing the forged reply
os.close(worker.from_worker_w)
before = peak_mb()
try:
    reply = worker.receive(time.monotonic() + 300)
    protocol.decode(reply["ok"], None, reply.blob)  # as Session.request does
    print("accepted", peak_mb() - before)
except (ProtocolError, protocol.DecodeError):
    print("refused", peak_mb() - before)
"""


@pytest.mark.parametrize("shape", FORGED)
def test_what_one_forged_reply_costs_the_grader_is_bounded(shape, tmp_path):
    """Before the values were counted, json.loads built 22 million dicts: 1.6 GB for the first reply here."""
    body, blob, fate = FORGED[shape]
    assert len(body) + len(blob) <= processes.MAX_REPLY_BYTES
    (tmp_path / "reply").write_bytes(protocol._HEADER.pack(len(body), len(blob)) + body + blob)
    done = subprocess.run([sys.executable, "-c", READ_ONE_REPLY, str(tmp_path / "reply")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    outcome, megabytes = done.stdout.split()
    assert outcome == fate.split()[0]
    assert float(megabytes) < (REFUSED_MB if fate == "refused" else ACCEPTED_MB), done.stdout
