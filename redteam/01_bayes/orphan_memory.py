# Red team: hold memory in orphans. Three double-forked children (re-parented to the sandbox's init, out of the
# worker's process tree) each take 350 MB, under the per-process limit of 1024 MB, 1 GB and more together; the call
# waits for them. The sandbox must be killed at its memory limit, not at the call's time limit.
import os
import time

import numpy as np


def hoard_in_orphans(children=3, megabytes=350, wait=600):
    ready, tell = os.pipe()
    for _ in range(children):
        if os.fork() == 0:
            if os.fork() == 0:
                try:
                    hoard = np.empty(megabytes << 17)  # float64: megabytes MB
                    hoard[::512] = 1  # a write to each page of 4 kB: all of it resident, fast
                    os.write(tell, b".")
                    time.sleep(600)
                finally:
                    os._exit(0)
            os._exit(0)
        os.wait()
    for _ in range(children):
        os.read(ready, 1)
    time.sleep(wait)


def ml_estimate(heads, tails):
    hoard_in_orphans()
