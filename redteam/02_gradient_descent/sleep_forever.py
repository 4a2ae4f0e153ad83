# Red team: sleep past every time limit, ignoring SIGTERM and SIGALRM.
import signal
import time


def step_size_analysis(A):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(10**6)
