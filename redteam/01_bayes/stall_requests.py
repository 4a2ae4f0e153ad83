# Red team: stall the grader's write. The worker's reader is replaced: of a request over 100 kB it reads the
# 4-byte header and then sleeps with the request pipe open, so the grader's write of the rest (sequential_posterior's
# ~1 MB of likelihoods) cannot finish. When the grader closes the pipe at the end, it sleeps instead of ending.
import json
import sys
import time

protocol = sys.modules["protocol"]


def read_message(stream, max_bytes=protocol.MAX_MESSAGE_BYTES):
    try:
        length = int.from_bytes(protocol._read_exactly(stream, 4), "big")
        while length > 100_000:
            time.sleep(60)
        return json.loads(protocol._read_exactly(stream, length))
    except EOFError:
        while True:
            time.sleep(60)


protocol.read_message = read_message
