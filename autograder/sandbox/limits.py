"""Resource limits for a worker, and the bubblewrap command line that confines it.

The grader sets these from outside the worker: kernel rlimits are applied in the
child just before ``exec`` (the student cannot raise a hard limit), the sandbox is
built by bubblewrap, and wall time is kept by the client, which kills the whole
process group. Nothing here relies on the worker's cooperation.
"""
from __future__ import annotations

import os
import resource
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox.backends import DEFAULT_BACKEND, backend_environment
from autograder.sandbox.devices import CPU, Device

SANDBOX_ROOT = Path("/sandbox")
WORK = SANDBOX_ROOT / "work"
LIB = SANDBOX_ROOT / "lib"
INSIDE = Path(__file__).resolve().parent / "inside"  # the code that runs in the sandbox: the trust boundary
SANDBOX_UID_BASE = 200_000  # + the grader process's pid: a uid without a passwd entry, shared with no other grader


@dataclass(frozen=True)
class Limits:
    call_seconds: float = 10.0
    cell_seconds: float | None = None  # one cell while the notebook loads; None: call_seconds
    submission_seconds: float = 120.0
    memory_mb: int = 2048
    processes: int = 32
    file_size_mb: int = 64
    open_files: int = 256
    disk_mb: int = 256
    output_kb: int = 256

    @property
    def load_cell_seconds(self) -> float:
        """Loading only defines functions and runs small examples (long work sits in `explore` cells, which grading
        skips), so a cell that runs longer than this is stuck: it is skipped, and costs the batch no more."""
        return self.call_seconds if self.cell_seconds is None else self.cell_seconds

    @property
    def cpu_seconds(self) -> int:
        """CPU time for one worker process: its whole wall budget, plus a margin for start-up."""
        return int(self.submission_seconds) + 5


def apply_rlimits(limits: Limits, device: Device = CPU) -> None:
    """Called in the child between fork and exec (``preexec_fn``).

    On a GPU the memory limit caps private writable memory (RLIMIT_DATA), not address space:
    the CUDA driver reserves far more address space than any memory limit, and would not start.
    """
    mb = 1024 * 1024
    os.setsid()
    for name, value in [
        (resource.RLIMIT_DATA if device.kind == "gpu" else resource.RLIMIT_AS, limits.memory_mb * mb),
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_NPROC, _process_limit(limits.processes)),
        (resource.RLIMIT_CORE, 0),
    ]:
        resource.setrlimit(name, (value, value))


def _process_limit(processes: int) -> int:
    """RLIMIT_NPROC counts every process of the real user; as root the worker gets a uid of its own."""
    if os.getuid() == 0:
        return processes
    mine = sum(1 for entry in os.scandir("/proc") if entry.name.isdigit() and _owner(entry.path) == os.getuid())
    return mine + processes


def _owner(path: str) -> int:
    try:
        return os.stat(path).st_uid
    except OSError:
        return -1


class SandboxUnavailable(Exception):
    """bubblewrap is missing, so student code cannot be confined."""


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def require_sandbox() -> None:
    if bwrap_path() is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be confined. Install the 'bubblewrap' "
            "package (Debian/Ubuntu: apt-get install bubblewrap; `make setup` does it where it can), or pass "
            "--no-sandbox to run student code unconfined on this machine (not for untrusted submissions).")


def worker_argv(assignment_dir: str, submission_dir: Path | None, datasets_dir: Path | None, limits: Limits,
                sandbox: bool, device: Device = CPU, uid: int | None = None,
                keras_backend: str = DEFAULT_BACKEND) -> tuple[list[str], str | None]:
    """The command that starts a worker, and the directory it starts in (None: set by bwrap). Without a
    ``submission_dir`` the work folder is empty: the zygote's sandbox, whose workers get the files by message.

    ``uid``: the user the worker becomes before any student code runs, also without a sandbox (Gradescope's
    separate-user mode; the grader must be root). None: in the sandbox as root, a uid per grader process;
    without a sandbox, the grader's own user."""
    python = [interpreter(), "-E", "-s", "-B"]
    if uid is not None and os.getuid() != 0:
        raise SandboxUnavailable(f"the worker can become user {uid} only when the grader runs as root")
    if not sandbox:
        drop = ["--uid", str(uid)] if uid is not None else []
        return python + [str(INSIDE / "worker.py")] + drop, str(submission_dir)
    cwd = WORK / "assignments" / assignment_dir
    argv = [bwrap_path() or "bwrap",
            "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in worker_environment(device, keras_backend).items():
        argv += ["--setenv", key, value]
    for path in ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc/fonts", "/etc/ld.so.cache",
                 "/etc/alternatives", "/etc/localtime"):
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    size = str(limits.disk_mb * 1024 * 1024)
    # The private /tmp first: an interpreter or venv that lives under /tmp is bound on top of it. It is
    # world-writable, like a real /tmp, because the worker drops to a uid that owns nothing (TensorFlow needs it).
    # POSIX message queues live in the IPC namespace, not in a file: mounted, the zygote's scrub can remove them.
    argv += ["--proc", "/proc", "--dev", "/dev", "--mqueue", "/dev/mqueue", *device.bwrap_args(),
             "--perms", "1777", "--size", size, "--tmpfs", "/tmp", "--perms", "1777", "--dir", "/tmp/home"]
    for prefix in python_prefixes():
        argv += _parents(prefix) + ["--ro-bind", prefix, prefix]
    argv += ["--size", size, "--tmpfs", str(WORK), "--dir", str(cwd)]
    for entry in sorted(submission_dir.iterdir()) if submission_dir is not None else []:
        if not entry.is_symlink():  # bwrap would follow a link on the host: to solutions/, the suites, anything
            argv += ["--ro-bind", str(entry), str(cwd / entry.name)]
    if datasets_dir is not None:
        argv += ["--ro-bind", str(datasets_dir), str(WORK / "datasets")]
    argv += ["--ro-bind", str(INSIDE), str(LIB)]
    argv += ["--chdir", str(cwd)]
    uid_args = []
    if os.getuid() == 0:
        argv += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        # RLIMIT_NPROC counts a uid's processes across the machine: a uid per grader process keeps one
        # student's fork bomb from starving the workers of other grader processes, in this batch or another.
        uid_args = ["--uid", str(SANDBOX_UID_BASE + os.getpid() if uid is None else uid)]
    else:
        argv += ["--unshare-user"]
    return argv + python + [str(LIB / "worker.py")] + uid_args, None


def worker_environment(device: Device = CPU, keras_backend: str = DEFAULT_BACKEND) -> dict[str, str]:
    return device.environment() | backend_environment(keras_backend, device.kind) | {
        "HOME": "/tmp/home", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/home/.matplotlib", "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONDONTWRITEBYTECODE": "1",
        # TensorFlow's thread pools, sized per worker rather than per core: the same work on any machine, and
        # well inside `processes` (RLIMIT_NPROC counts threads) on a runner with many cores.
        "TF_NUM_INTEROP_THREADS": "2", "TF_NUM_INTRAOP_THREADS": "2",
    }


def interpreter() -> str:
    """``sys.executable`` through the real path of its folder, which the sandbox binds: a venv reached through a
    symbolic link (``.venv -> /elsewhere/.venv``) is not at its linked path inside. Its own name stays a link, or
    Python would not find the venv's ``pyvenv.cfg``."""
    return os.path.join(os.path.realpath(os.path.dirname(sys.executable)), os.path.basename(sys.executable))


def python_prefixes() -> list[str]:
    """The interpreter and the virtual environment, bound at the same paths inside."""
    prefixes = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    executable = os.path.realpath(sys.executable)
    if not any(executable.startswith(p + os.sep) for p in prefixes):
        prefixes.add(os.path.dirname(os.path.dirname(executable)))
    covered = [p for p in prefixes if not p.startswith(("/usr/", "/lib"))]
    return sorted(p for p in covered if not any(p != q and p.startswith(q + os.sep) for q in covered))


def _parents(path: str) -> list[str]:
    """Directories above a bind, created world-readable (bwrap would copy a private /root's mode)."""
    args, current = [], Path(path).parent
    chain = []
    while str(current) not in ("/", "/usr"):
        chain.append(str(current))
        current = current.parent
    for directory in reversed(chain):
        args += ["--perms", "0755", "--dir", directory]
    return args
