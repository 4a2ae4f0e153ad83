"""The processes of the sandbox, as the grader sees them: a worker in a sandbox of its own, the zygote (one
sandbox whose Python forks a worker per student), and the pipes to each worker, read and written against deadlines
(a worker that stops reading its requests or writing its replies costs the grader no more than a call's time).

Nothing here knows about notebooks or tests: :mod:`autograder.sandbox.session` drives these processes.
"""
from __future__ import annotations

import base64
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from autograder.sandbox.backends import DEFAULT_BACKEND
from autograder.sandbox.devices import CPU, Device
from autograder.sandbox.errors import ProtocolError
from autograder.sandbox.inside import protocol
from autograder.sandbox.limits import Limits, apply_rlimits, worker_environment
from autograder.sandbox.usage import rss_kb, status_number, tree

WATCH_SECONDS = 0.2  # how often the memory of a sandbox's processes is checked, for as long as its worker lives
# A reply bigger than this fails the call: the grader holds a reply in memory several times over while
# decoding it, and runs beside other graders. The worker still accepts large requests (datasets).
MAX_REPLY_BYTES = 64 * 1024 * 1024
ZYGOTE_ANSWER_SECONDS = 10.0  # a fork, or the clean-up after a worker (worker.ZYGOTE_SCRUB_SECONDS at most)
ZYGOTE_MAX_FILES = 64 * 1024 * 1024  # a submission larger than this gets a sandbox of its own
# The zygote's own start: bubblewrap, Python and the reference's imports (TensorFlow takes seconds, many more on
# a busy runner). Not the student's work: a fork is answered within ZYGOTE_ANSWER_SECONDS only once it is ready.
ZYGOTE_START_SECONDS = 180.0


def _wait_for(fd: int, deadline: float, writing: bool = False) -> None:
    """Until ``fd`` can be read (or written) without blocking; TimeoutError at ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining > 0:
        readable, writable, _ = select.select([] if writing else [fd], [fd] if writing else [], [], remaining)
        if readable or writable:
            return
    raise TimeoutError


class _Channel:
    """Reads from the worker's reply pipe, giving up at ``deadline``."""

    def __init__(self, fd: int):
        self.fd, self.deadline = fd, 0.0

    def readinto(self, view: memoryview) -> int:
        """What the pipe holds now, without waiting (the rest of a reply usually is there: one select per reply,
        not one per read); a read at or after the deadline is a time-out all the same."""
        try:
            count = os.readv(self.fd, [view])
        except BlockingIOError:
            _wait_for(self.fd, self.deadline)
            return os.readv(self.fd, [view])
        if time.monotonic() >= self.deadline:
            raise TimeoutError
        return count


class _Output:
    """Drains the worker's stdout and stderr, keeping the first ``limit`` bytes."""

    def __init__(self, fd: int, limit: int):
        self.limit, self.data, self.dropped = limit, bytearray(), 0
        self.thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        self.thread.start()

    def _drain(self, fd: int) -> None:
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                room = self.limit - len(self.data)
                self.data += chunk[:max(room, 0)]
                self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        tail = f"\n[... {self.dropped} more bytes of output not kept]" if self.dropped else ""
        return self.data.decode(errors="replace") + tail


class WorkerProcess:
    """One running worker: its pipes, and a thread that watches the memory of its sandbox's processes."""

    def __init__(self, limits: Limits):
        self.to_worker_r, self.to_worker = os.pipe()
        self.from_worker, self.from_worker_w = os.pipe()
        self.output_r, self.output_w = os.pipe()
        os.set_blocking(self.to_worker, False)  # a write that would block waits in select, against a deadline
        os.set_blocking(self.from_worker, False)  # and so does a read (_Channel)
        self.memory_kb, self.over_memory, self.peak_kb = limits.memory_mb * 1024, False, 0
        self.channel = _Channel(self.from_worker)
        self.output_limit = limits.output_kb * 1024
        self.stop_watching = threading.Event()
        self.watcher: threading.Thread | None = None

    def _started(self) -> None:
        """The worker has its ends of the pipes: close ours."""
        for fd in (self.to_worker_r, self.from_worker_w, self.output_w):
            os.close(fd)
        self.output = _Output(self.output_r, self.output_limit)

    @property
    def pid(self) -> int:
        """The root of the worker's process tree, as the grader sees it."""
        raise NotImplementedError

    def send(self, message: dict, deadline: float) -> None:
        """Write a request, all of it by ``deadline``: a worker that stops reading must not block the grader."""
        view = memoryview(protocol.frame(message))
        while view:
            try:
                view = view[os.write(self.to_worker, view):]
            except BlockingIOError:
                _wait_for(self.to_worker, deadline, writing=True)
            except OSError:
                raise EOFError("the worker is gone") from None

    def receive(self, deadline: float) -> dict:
        self.channel.deadline = deadline
        try:
            return protocol.read_message(self.channel, MAX_REPLY_BYTES)
        except protocol.DecodeError as exc:
            raise ProtocolError(f"the worker sent a malformed message: {exc}") from None

    def _close_pipes(self) -> None:
        for fd in (self.to_worker, self.from_worker):
            try:
                os.close(fd)
            except OSError:
                pass

    def _watch(self, group: int, spared: int | None = None) -> None:
        """Watch the memory of process ``group``'s tree but ``spared`` from now until ``_unwatch``."""
        self.watcher = threading.Thread(target=self._enforce_memory, args=(group, spared), daemon=True)
        self.watcher.start()

    def _enforce_memory(self, group: int, spared: int | None) -> None:
        """RLIMIT_AS bounds each process; this bounds a sandbox's processes together (a student may start 32, and
        double-forked ones leave the worker's tree for the sandbox's init), between calls too. It only signals: the
        grader's thread reaps, after ``_unwatch``, so a pid is never signalled after it could be reused."""
        while not self.stop_watching.wait(WATCH_SECONDS):
            now = rss_kb(group, spared)
            self.peak_kb = max(self.peak_kb, now)
            if now > self.memory_kb:
                self.over_memory = True
                _kill_group(group)
                return

    def _unwatch(self) -> None:
        self.stop_watching.set()
        if self.watcher is not None:
            self.watcher.join()

    def _describe(self, code: int | None) -> str:
        """Why the worker ended, in words, from its exit code (negative: the signal that killed it)."""
        if self.over_memory:
            return f"its processes together used more than the memory limit of {self.memory_kb // 1024} MB"
        if code is None:
            return "it stopped answering"
        if code < 0:
            name = signal.Signals(-code).name
            return {"SIGKILL": "it was killed (SIGKILL): usually the memory limit or a process limit",
                    "SIGXCPU": "it used up its CPU time limit (SIGXCPU)",
                    "SIGXFSZ": "it wrote a file larger than the limit (SIGXFSZ)",
                    "SIGSEGV": "it crashed (segmentation fault)"}.get(name, f"it was killed by {name}")
        return f"it exited with status {code} (sys.exit, os._exit, or a crash)"


class OwnSandbox(WorkerProcess):
    """A worker in a sandbox of its own: bubblewrap, then Python."""

    def __init__(self, argv: list[str], cwd: str | None, limits: Limits, device: Device,
                 keras_backend: str = DEFAULT_BACKEND):
        super().__init__(limits)
        self.popen = subprocess.Popen(
            argv + ["--channel", str(self.to_worker_r), str(self.from_worker_w)], cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=self.output_w, stderr=self.output_w, pass_fds=(self.to_worker_r, self.from_worker_w),
            preexec_fn=lambda: apply_rlimits(limits, device), env=worker_environment(device, keras_backend),
        )
        self._started()
        self._watch(self.popen.pid)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self._unwatch()
        _kill_group(self.popen.pid)

    def stop(self) -> None:
        self.kill()
        self.popen.wait()
        self._close_pipes()

    def death(self) -> str:
        self._unwatch()
        try:
            return self._describe(self.popen.wait(timeout=2))
        except subprocess.TimeoutExpired:
            return self._describe(None)


class Zygote:
    """One sandbox for a grader process's students, one after another: a Python in bubblewrap that has imported
    numpy and forks a worker for each (``worker.zygote``), which saves each student most of a worker's start.

    Between two students the zygote kills whatever the last one left running and removes what it wrote; each
    worker gets pipes of its own, and never the zygote's control socket. Any failure (a time-out, a crash, the
    memory limit) ends the whole sandbox, and the next worker starts a fresh one. A zygote that cannot start
    is not tried again: the grader process's students then get sandboxes of their own."""

    def __init__(self, argv: list[str], limits: Limits, device: Device = CPU, keras_backend: str = DEFAULT_BACKEND):
        self.argv, self.limits, self.device, self.keras_backend = argv, limits, device, keras_backend
        self.popen: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.starts = 0
        self.failed = False

    def fork(self, files: list[list[str]], deadline: float) -> "ForkedWorker":
        if self.failed:
            raise ZygoteUnavailable("the shared sandbox could not be started earlier")
        if self.popen is None or self.popen.poll() is not None:
            self.kill()
            self._start()
        return ForkedWorker(self, files, deadline)

    def _start(self) -> None:
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.popen = subprocess.Popen(
            self.argv + ["--zygote", str(theirs.fileno())], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
            preexec_fn=lambda: apply_rlimits(self.limits, self.device),
            env=worker_environment(self.device, self.keras_backend))
        theirs.close()
        self.starts += 1
        if self.answer(ZYGOTE_START_SECONDS) != {"ready": True}:
            self.kill()
            self.failed = True
            raise ZygoteUnavailable(f"the shared sandbox did not start within {ZYGOTE_START_SECONDS:g} s")

    def answer(self, seconds: float) -> dict | None:
        """The zygote's next message ({"ready": true}, {"forked": pid} or {"ended": pid, "status": s}); None if it
        is gone or silent."""
        if self.control is None:
            return None
        ready, _, _ = select.select([self.control], [], [], seconds)
        try:
            data = self.control.recv(4096) if ready else b""
            answer = json.loads(data) if data else None
        except (OSError, ValueError):
            answer = None
        return answer if isinstance(answer, dict) else None

    def kill(self) -> None:
        if self.popen is not None:
            _kill_group(self.popen.pid)
            self.popen.wait()
            self.popen = None
        if self.control is not None:
            self.control.close()
            self.control = None


class ZygoteUnavailable(Exception):
    """The zygote could not be started; not the student's doing."""


class ForkedWorker(WorkerProcess):
    """A worker forked by the zygote. Its memory is that of the whole sandbox but the zygote: a process its student
    double-forks is re-parented to the sandbox's init, out of the worker's tree. Waits on the zygote end at the
    submission's ``deadline``."""

    def __init__(self, zygote: Zygote, files: list[list[str]], deadline: float):
        super().__init__(zygote.limits)
        self.zygote, self.deadline, self.status, self.ended = zygote, deadline, None, False
        try:
            socket.send_fds(zygote.control, [b"fork"], [self.to_worker_r, self.from_worker_w, self.output_w])
        except OSError:
            pass
        self._started()
        answer = zygote.answer(ZYGOTE_ANSWER_SECONDS)
        if not answer or not isinstance(answer.get("forked"), int):
            zygote.kill()
            self._close_pipes()
            raise EOFError("the sandbox did not start a worker")
        self.host_pid = _host_pid(zygote.popen.pid, answer["forked"]) or zygote.popen.pid
        self._watch(zygote.popen.pid, spared=status_number(self.host_pid, "PPid"))
        try:
            self.send({"op": "files", "files": files}, deadline)
        except (TimeoutError, EOFError):
            self.kill()
            self._close_pipes()
            raise

    @property
    def pid(self) -> int:
        return self.host_pid

    def alive(self) -> bool:
        """Not known to have ended (a death shows as the end of its replies, at the next call)."""
        return not self.ended

    def kill(self) -> None:
        self._unwatch()
        self.zygote.kill()
        self.ended = True

    def stop(self) -> None:
        """End the worker (it reads the end of its requests) and wait for the zygote to clean up after it."""
        self._close_pipes()
        if not self.ended:
            self._wait_ended()
        if self.status is None:
            self.kill()
        self._unwatch()

    def death(self) -> str:
        if not self.ended:
            self._wait_ended()
        return self._describe(None if self.status is None else os.waitstatus_to_exitcode(self.status))

    def _wait_ended(self) -> None:
        """The zygote's word that the worker ended and the sandbox is clean; without it by the deadline, kill it."""
        answer = self.zygote.answer(min(ZYGOTE_ANSWER_SECONDS, max(self.deadline - time.monotonic(), 0)))
        self.ended = True
        if answer and isinstance(answer.get("status"), int):
            self.status = answer["status"]
        else:
            self.kill()


def _kill_group(group: int) -> None:
    """SIGKILL a sandbox's process group: bubblewrap, and with its init the sandbox's pid namespace."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _host_pid(root: int, namespace_pid: int) -> int | None:
    """The pid, as the grader sees it, of the process in ``root``'s tree whose pid in its own namespace is given."""
    for pid in tree(root):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("NSpid:") and int(line.split()[-1]) == namespace_pid and pid != root:
                    return pid
        except (OSError, ValueError):
            continue
    return None


def submission_files(directory: Path, limit_bytes: int) -> list[list[str]] | None:
    """The files of a submission (relative path, base64 content) for a forked worker; None when they are larger
    than ``limit_bytes`` together, which then get a sandbox of their own with the files bound in. Links are left
    out, as from the bind mounts (they would point anywhere on the grader's machine)."""
    files, total = [], 0
    for folder, folders, names in os.walk(directory):
        folders[:] = [f for f in folders if not os.path.islink(os.path.join(folder, f))]
        for name in names:
            path = Path(folder, name)
            if path.is_symlink() or not path.is_file():
                continue
            total += path.stat().st_size
            if total > limit_bytes:
                return None
            files.append([str(path.relative_to(directory)), base64.b64encode(path.read_bytes()).decode()])
    return files
