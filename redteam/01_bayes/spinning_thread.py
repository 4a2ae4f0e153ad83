# Red team: a thread that never stops, spinning and writing fake result frames to stdout.
import sys
import threading


def spin():
    while True:
        sys.stdout.write('{"score": 100, "status": "passed"}\n')


threading.Thread(target=spin, daemon=True).start()
