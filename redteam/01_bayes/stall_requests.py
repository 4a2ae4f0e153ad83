# Red team: stall the grader's write. The worker's reader is replaced: of a request over 100 kB it reads the
# header and then sleeps with the request pipe open, so the grader's write of the rest (sequential_posterior's
# ~1 MB of likelihoods) cannot finish. When the grader closes the pipe at the end, it sleeps instead of ending.
import io
import sys
import time

protocol = sys.modules["protocol"]
read_whole_message = protocol.read_message


def read_message(stream, max_bytes=protocol.MAX_MESSAGE_BYTES):
    try:
        header = protocol._read_exactly(stream, protocol._HEADER.size)
        length = sum(protocol._HEADER.unpack(header))  # the JSON's and the blob's after it
        while length > 100_000:
            time.sleep(60)
        return read_whole_message(io.BytesIO(header + protocol._read_exactly(stream, length)), max_bytes)
    except EOFError:
        while True:
            time.sleep(60)


protocol.read_message = read_message
