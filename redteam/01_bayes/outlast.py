# Red team: ignore every catchable signal, register atexit hooks that print "All tests passed", start a
# thread that never ends, and sleep past every time limit.
import atexit
import signal
import threading
import time

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGALRM, signal.SIGXCPU,
            signal.SIGUSR1, signal.SIGPIPE):
    signal.signal(sig, signal.SIG_IGN)
atexit.register(lambda: print('{"score": 100, "status": "passed"}'))
threading.Thread(target=lambda: time.sleep(10**6)).start()
time.sleep(10**6)
