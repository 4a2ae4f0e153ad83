# Red team: leave in the middle of a call, each time a different way.
import os
import signal
import sys

CALLS = []


def relative_error(a, b):
    CALLS.append(1)
    way = len(CALLS) % 4
    if way == 1:
        sys.exit(0)
    if way == 2:
        os._exit(0)
    if way == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    raise KeyboardInterrupt
