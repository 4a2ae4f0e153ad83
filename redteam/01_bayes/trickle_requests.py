# Red team: read a request over 100 kB a kilobyte at a time, ten times a second. The grader's write makes
# progress, so a deadline that restarts with each partial write would let one call take minutes.
import json
import sys
import time

protocol = sys.modules["protocol"]


def read_message(stream, max_bytes=protocol.MAX_MESSAGE_BYTES):
    length = int.from_bytes(protocol._read_exactly(stream, 4), "big")
    if length <= 100_000:
        return json.loads(protocol._read_exactly(stream, length))
    data = b""
    while len(data) < length:
        data += protocol._read_exactly(stream, min(1024, length - len(data)))
        time.sleep(0.1)
    return json.loads(data)


protocol.read_message = read_message
