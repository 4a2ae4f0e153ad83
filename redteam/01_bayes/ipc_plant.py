# Red team: leave data for the next student of this grader process where the scrub between students did not
# look: a POSIX message queue and a key in the uid's user keyring (which lives in the kernel, not the sandbox).
# Reports what it planted and its uid (tests/test_redteam.py looks for the key on the host after the batch).
import ctypes
import ctypes.util
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
mq = libc if hasattr(libc, "mq_open") else ctypes.CDLL(ctypes.util.find_library("rt"), use_errno=True)
ADD_KEY = {"x86_64": 248, "aarch64": 217}[platform.machine()]
SECRET = b"left by the planter"
planted = []
queue = mq.mq_open(b"/redteam", os.O_CREAT | os.O_RDWR, 0o666, None)
if queue >= 0 and mq.mq_send(queue, SECRET, len(SECRET), 0) == 0:
    planted.append("mq")
if libc.syscall(ADD_KEY, b"user", b"redteam", SECRET, len(SECRET), -4) > 0:  # KEY_SPEC_USER_KEYRING
    planted.append("key")
raise RuntimeError(f"PLANTED:{','.join(planted) or 'nothing'} UID:{os.getuid()}")
