# Red team: make a user namespace (in which the student is root, with every capability: mounts, more namespaces,
# much more of the kernel to attack), with unshare(1) and with the unshare(2) system call in a child.
import ctypes
import os
import subprocess

made = []
if subprocess.run(["unshare", "--user", "--map-root-user", "id", "-u"], capture_output=True).returncode == 0:
    made.append("unshare(1)")
child = os.fork()
if child == 0:
    os._exit(0 if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0 else 1)  # CLONE_NEWUSER
if os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0:
    made.append("unshare(2)")
raise RuntimeError("USERNS:" + (",".join(made) or "refused"))
