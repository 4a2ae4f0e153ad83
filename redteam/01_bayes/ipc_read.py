# Red team: look for what an earlier student of this grader process planted (ipc_plant.py): the message queue
# and the key in the user keyring.
import ctypes
import ctypes.util
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
mq = libc if hasattr(libc, "mq_open") else ctypes.CDLL(ctypes.util.find_library("rt"), use_errno=True)
KEYCTL = {"x86_64": 250, "aarch64": 219}[platform.machine()]
found = []
queue = mq.mq_open(b"/redteam", os.O_RDONLY | os.O_NONBLOCK, 0, None)
buffer = ctypes.create_string_buffer(8192)
if queue >= 0 and mq.mq_receive(queue, buffer, 8192, None) > 0:
    found.append("mq:" + buffer.value.decode())
key = libc.syscall(KEYCTL, 10, -4, b"user", b"redteam", 0)  # KEYCTL_SEARCH the user keyring
if key > 0 and libc.syscall(KEYCTL, 11, key, buffer, 8192) > 0:  # KEYCTL_READ
    found.append("key:" + buffer.value.decode())
raise RuntimeError("FOUND:" + (",".join(found) or "nothing"))
