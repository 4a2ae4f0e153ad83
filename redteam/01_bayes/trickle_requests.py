# Red team: read a request over 100 kB a kilobyte at a time, ten times a second. The grader's write makes
# progress, so a deadline that restarts with each partial write would let one call take minutes.
import io
import sys
import time

protocol = sys.modules["protocol"]
read_whole_message = protocol.read_message


def read_message(stream, max_bytes=protocol.MAX_MESSAGE_BYTES):
    header = protocol._read_exactly(stream, protocol._HEADER.size)
    length = sum(protocol._HEADER.unpack(header))  # the JSON's and the blob's after it
    data = b""
    while len(data) < length:
        data += protocol._read_exactly(stream, min(1024 if length > 100_000 else length, length - len(data)))
        if length > 100_000:
            time.sleep(0.1)
    return read_whole_message(io.BytesIO(header + data), max_bytes)


protocol.read_message = read_message
