# Red team: the same orphans, started by a cell while the notebook loads; the cell waits with them. The sandbox
# must be killed at its memory limit and the cell skipped on the restart; the rest of the notebook is honest.
import os
import time

import numpy as np

ready, tell = os.pipe()
for _ in range(3):
    if os.fork() == 0:
        if os.fork() == 0:
            try:
                hoard = np.empty(350 << 17)
                hoard[::512] = 1  # a write to each page: all of it resident
                os.write(tell, b".")
                time.sleep(600)
            finally:
                os._exit(0)
        os._exit(0)
    os.wait()
for _ in range(3):
    os.read(ready, 1)
time.sleep(600)
