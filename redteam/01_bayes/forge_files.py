# Red team: forge results from inside and from a process left behind. Write a perfect results.json and a
# gradebook everywhere writable, frames that look like protocol replies to every descriptor, and leave a
# daemon (double fork, new session, SIGTERM ignored) that does it all again a few seconds later.
import json
import os
import signal
import sys
import time

FAKE = json.dumps({"score": 100.0, "max_score": 100.0, "output": "FORGED", "tests": [
    {"name": "everything", "score": 100.0, "max_score": 100.0, "status": "passed", "output": "FORGED"}]})


def forge():
    places = {"/tmp", "/tmp/home", os.getcwd(), "/sandbox/work", "/sandbox", "/dev/shm", "/"}
    try:
        with open("/proc/1/cmdline", "rb") as stream:
            places |= {os.path.dirname(p.decode(errors="replace")) for p in stream.read().split(b"\0") if p.startswith(b"/")}
    except OSError:
        pass
    for place in places:
        for name in ["results.json", "gradebook.sqlite", "grader.log", "../results.json"]:
            try:
                with open(os.path.join(place, name), "w") as stream:
                    stream.write(FAKE)
            except OSError:
                pass
    frame = sys.modules["protocol"].frame({"ok": 1.0, "ready": {"cells": []}})  # as the worker writes them
    for fd in range(0, 64):
        try:
            os.write(fd, frame)
        except OSError:
            pass


forge()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        for _ in range(30):
            time.sleep(1)
            forge()
        os._exit(0)
    os._exit(0)
time.sleep(0.2)
