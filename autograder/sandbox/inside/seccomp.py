"""A seccomp filter that the worker installs on itself before any student code runs (and the zygote before it forks).

It refuses what nothing in a worker needs and what would outlive or widen its sandbox:

- the kernel's keyrings (``add_key``, ``request_key``, ``keyctl``): a key in the user keyring of the worker's uid
  lives in the kernel, not the sandbox, so it would reach the next student of that uid, and outlive the batch;
- new user namespaces (``unshare`` or ``clone`` with ``CLONE_NEWUSER``), in which the student would be root with
  every capability: mounts, more namespaces, much more of the kernel to attack. ``clone3`` passes its flags in
  memory, where a filter cannot read them, so it fails with ENOSYS and the C library falls back to ``clone``;
- system calls of another ABI (i386, x32), whose numbers this filter does not know: the process is killed.

Filters are inherited by every child and cannot be removed. Only x86_64 and aarch64 are known; elsewhere there is
no filter (SECURITY.md says so). Standard library only: this file runs inside the sandbox.
"""
import ctypes
import platform
import struct
import sys

# machine -> (AUDIT_ARCH_*, system call numbers)
ARCHES = {
    "x86_64": (0xC000003E, {"add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272, "clone": 56,
                            "clone3": 435}),
    "aarch64": (0xC00000B7, {"add_key": 217, "request_key": 218, "keyctl": 219, "unshare": 97, "clone": 220,
                             "clone3": 435}),
}
CLONE_NEWUSER = 0x10000000
X32_SYSCALL_BIT = 0x40000000
EPERM, ENOSYS = 1, 38
ALLOW, KILL_PROCESS, ERRNO = 0x7FFF0000, 0x80000000, 0x00050000
LOAD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|(JEQ|JGE|JSET)|K, BPF_RET|K
NR, ARCH, ARG0 = 0, 4, 16  # offsets in struct seccomp_data (the low half of args[0]: both machines are little-endian)


def program(machine: str) -> bytes:
    """The filter for ``machine``, as the kernel reads it: struct sock_filter {u16 code; u8 jt, jf; u32 k}."""
    arch, nr = ARCHES[machine]
    # (code, jump if true, jump if false, k): a jump names the label of its target; None is the next instruction
    lines = [
        (LOAD, None, None, ARCH), (JEQ, None, "kill", arch),
        (LOAD, None, None, NR), (JGE, "kill", None, X32_SYSCALL_BIT),
        (JEQ, "enosys", None, nr["clone3"]),
        (JEQ, "eperm", None, nr["add_key"]), (JEQ, "eperm", None, nr["request_key"]),
        (JEQ, "eperm", None, nr["keyctl"]),
        (JEQ, "flags", None, nr["unshare"]), (JEQ, "flags", None, nr["clone"]),
        (RET, None, None, ALLOW),
        "flags", (LOAD, None, None, ARG0), (JSET, "eperm", None, CLONE_NEWUSER), (RET, None, None, ALLOW),
        "eperm", (RET, None, None, ERRNO | EPERM),
        "enosys", (RET, None, None, ERRNO | ENOSYS),
        "kill", (RET, None, None, KILL_PROCESS),
    ]
    labels, code = {}, []
    for line in lines:
        if isinstance(line, str):
            labels[line] = len(code)
        else:
            code.append(line)
    return b"".join(struct.pack("=HBBI", op, labels[jt] - i - 1 if jt else 0, labels[jf] - i - 1 if jf else 0, k)
                    for i, (op, jt, jf, k) in enumerate(code))


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install() -> None:
    """Filter this process and all it starts. A known machine whose kernel refuses the filter stops the worker."""
    machine = platform.machine()
    if not sys.platform.startswith("linux") or machine not in ARCHES:
        return
    data = program(machine)
    code = ctypes.create_string_buffer(data, len(data))
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    # PR_SET_NO_NEW_PRIVS (bubblewrap sets it already; a filter needs it without CAP_SYS_ADMIN), PR_SET_SECCOMP
    if prctl(38, 1, 0, 0, 0) or prctl(22, 2, ctypes.byref(_Program(len(data) // 8, ctypes.addressof(code))), 0, 0):
        raise SystemExit(f"worker: the seccomp filter could not be installed (errno {ctypes.get_errno()})")
