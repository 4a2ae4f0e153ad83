"""The grader's side of the sandbox: start a worker, load the notebook, make calls.

A :class:`Session` owns one student's notebook for the length of their grading. It
starts a worker, sends it the code cells, and answers calls through it. When a cell
hangs or kills the worker while loading, the session starts a new worker that skips
that cell, so one bad cell costs only what it defines. When a call kills the worker,
the next call gets a fresh one. Every wait has a deadline: the call's own limit and
the submission's total budget, whichever comes first.
"""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import protocol
from autograder.sandbox.devices import CPU, Device
from autograder.sandbox.errors import (CallTimeout, ProtocolError, StudentError, SubmissionTimeLimit,
                                       WorkerFailure)
from autograder.sandbox.limits import Limits, apply_rlimits, worker_argv, worker_environment
from autograder.sandbox.usage import WorkerUsage, rss_kb, tree

MAX_RESTARTS = 6
WATCH_SECONDS = 0.2  # how often the memory of a worker's processes is checked while the grader waits on it
# A reply bigger than this fails the call: the grader holds a reply in memory several times over while
# decoding it, and runs beside other graders. The worker still accepts large requests (datasets).
MAX_REPLY_BYTES = 64 * 1024 * 1024
ZYGOTE_ANSWER_SECONDS = 10.0  # a fork, or the clean-up after a worker (worker.ZYGOTE_SCRUB_SECONDS at most)
ZYGOTE_MAX_FILES = 64 * 1024 * 1024  # a submission larger than this gets a sandbox of its own
# The zygote's own start: bubblewrap, Python and the reference's imports (TensorFlow takes seconds, many more on
# a busy runner). Not the student's work: a fork is answered within ZYGOTE_ANSWER_SECONDS only once it is ready.
ZYGOTE_START_SECONDS = 180.0


@dataclass(frozen=True)
class Cell:
    index: int
    source: str


@dataclass(frozen=True)
class CellOutcome:
    index: int
    status: str  # ok | error | timeout | crashed
    error: str | None = None


@dataclass
class LoadReport:
    cells: list[CellOutcome] = field(default_factory=list)

    def failed(self) -> list[CellOutcome]:
        return [cell for cell in self.cells if cell.status != "ok"]


class _Channel:
    """Reads from the worker's reply pipe, giving up at a deadline; calls ``watch`` every WATCH_SECONDS it waits."""

    def __init__(self, fd: int, deadline_for, watch):
        self.fd, self.deadline_for, self.watch = fd, deadline_for, watch

    def read(self, size: int) -> bytes:
        while True:
            remaining = self.deadline_for() - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self.fd], [], [], min(remaining, WATCH_SECONDS))
            if ready:
                return os.read(self.fd, min(size, 1 << 20))
            self.watch()


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


class _Worker:
    """One running worker: its pipes, its deadline, and the memory of its processes."""

    def __init__(self, limits: Limits):
        self.to_worker_r, self.to_worker = os.pipe()
        self.from_worker, self.from_worker_w = os.pipe()
        self.output_r, self.output_w = os.pipe()
        self.deadline = 0.0
        self.memory_kb, self.over_memory, self.peak_kb = limits.memory_mb * 1024, False, 0
        self.channel = _Channel(self.from_worker, lambda: self.deadline, self._enforce_memory)
        self.writer = os.fdopen(self.to_worker, "wb", buffering=0)
        self.output_limit = limits.output_kb * 1024

    def _started(self) -> None:
        """The worker has its ends of the pipes: close ours."""
        for fd in (self.to_worker_r, self.from_worker_w, self.output_w):
            os.close(fd)
        self.output = _Output(self.output_r, self.output_limit)

    @property
    def pid(self) -> int:
        """The root of the worker's process tree, as the grader sees it."""
        raise NotImplementedError

    def send(self, message: dict) -> None:
        try:
            protocol.write_message(self.writer, message)
        except (BrokenPipeError, OSError):
            raise EOFError("the worker is gone") from None

    def receive(self, deadline: float) -> dict:
        self.deadline = deadline
        try:
            return protocol.read_message(self.channel, MAX_REPLY_BYTES)
        except protocol.DecodeError as exc:
            raise ProtocolError(f"the worker sent a malformed message: {exc}") from None

    def _close_pipes(self) -> None:
        for close in (self.writer.close, lambda: os.close(self.from_worker)):
            try:
                close()
            except OSError:
                pass

    def _enforce_memory(self) -> None:
        """RLIMIT_AS bounds each process; this bounds the worker's processes together (a student may start 32)."""
        now = rss_kb(self.pid)
        self.peak_kb = max(self.peak_kb, now)
        if not self.over_memory and now > self.memory_kb:
            self.over_memory = True
            self.kill()

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


class _Process(_Worker):
    """A worker in a sandbox of its own: bubblewrap, then Python."""

    def __init__(self, argv: list[str], cwd: str | None, limits: Limits, device: Device):
        super().__init__(limits)
        self.popen = subprocess.Popen(
            argv + ["--channel", str(self.to_worker_r), str(self.from_worker_w)], cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=self.output_w, stderr=self.output_w, pass_fds=(self.to_worker_r, self.from_worker_w),
            preexec_fn=lambda: apply_rlimits(limits, device), env=worker_environment(device),
        )
        self._started()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self) -> None:
        self.kill()
        self.popen.wait()
        self._close_pipes()

    def death(self) -> str:
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

    def __init__(self, argv: list[str], limits: Limits, device: Device = CPU):
        self.argv, self.limits, self.device = argv, limits, device
        self.popen: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.starts = 0
        self.failed = False

    def fork(self, files: list[list[str]]) -> "_Forked":
        if self.failed:
            raise ZygoteUnavailable("the shared sandbox could not be started earlier")
        if self.popen is None or self.popen.poll() is not None:
            self.kill()
            self._start()
        return _Forked(self, files)

    def _start(self) -> None:
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.popen = subprocess.Popen(
            self.argv + ["--zygote", str(theirs.fileno())], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, pass_fds=(theirs.fileno(),),
            preexec_fn=lambda: apply_rlimits(self.limits, self.device), env=worker_environment(self.device))
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
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.popen.wait()
            self.popen = None
        if self.control is not None:
            self.control.close()
            self.control = None


class ZygoteUnavailable(Exception):
    """The zygote could not be started; not the student's doing."""


class _Forked(_Worker):
    """A worker forked by the zygote."""

    def __init__(self, zygote: Zygote, files: list[list[str]]):
        super().__init__(zygote.limits)
        self.zygote, self.status, self.ended = zygote, None, False
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
        self.send({"op": "files", "files": files})

    @property
    def pid(self) -> int:
        return self.host_pid

    def alive(self) -> bool:
        """Not known to have ended (a death shows as the end of its replies, at the next call)."""
        return not self.ended

    def kill(self) -> None:
        self.zygote.kill()
        self.ended = True

    def stop(self) -> None:
        """End the worker (it reads the end of its requests) and wait for the zygote to clean up after it."""
        self._close_pipes()
        if not self.ended:
            self._wait_ended()
        if self.status is None:
            self.zygote.kill()

    def death(self) -> str:
        if not self.ended:
            self._wait_ended()
        return self._describe(None if self.status is None else os.waitstatus_to_exitcode(self.status))

    def _wait_ended(self) -> None:
        answer = self.zygote.answer(ZYGOTE_ANSWER_SECONDS)
        self.ended = True
        if answer and isinstance(answer.get("status"), int):
            self.status = answer["status"]
        else:
            self.zygote.kill()


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


class Session:
    """A student's notebook running in a sandboxed worker, restarted as needed."""

    def __init__(self, assignment: str, submission_dir: Path, cells: list[Cell], limits: Limits,
                 sandbox: bool, datasets_dir: Path | None = None, device: Device = CPU, zygote: Zygote | None = None):
        self.cells, self.limits, self.device = cells, limits, device
        self.scratch = None if sandbox else _scratch_copy(assignment, submission_dir, datasets_dir)
        if self.scratch is not None:
            submission_dir = Path(self.scratch.name) / "assignments" / assignment
        self.zygote = zygote
        self.files = submission_files(submission_dir, ZYGOTE_MAX_FILES) if zygote is not None else None
        self.own_sandbox = lambda: _Process(*worker_argv(assignment, submission_dir, datasets_dir, limits, sandbox,
                                                         device), limits, device)
        self.deadline = time.monotonic() + limits.submission_seconds
        self.process: _Worker | None = None
        self.generation = 0
        self.skip: dict[int, CellOutcome] = {}
        self.report = LoadReport()
        self.restarts = 0
        self.output_log: list[str] = []
        self.usage = WorkerUsage()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> LoadReport:
        """Start a worker and run the notebook; cells that hang or crash the worker are skipped."""
        while True:
            self._check_budget()
            self.generation += 1
            self.usage.starts += 1
            running = None
            try:
                self.process = self._spawn()
                self.process.send({"op": "load", "cells": [[c.index, c.source] for c in self.cells
                                                          if c.index not in self.skip]})
                while True:
                    message = self.process.receive(self._cell_deadline())
                    if "cell" in message:
                        running = message["cell"]
                    elif "ready" in message:
                        self.report = self._load_report(message["ready"])
                        return self.report
                    else:
                        raise ProtocolError("unexpected message while loading")
            except TimeoutError:
                self.usage.timeouts += 1
                self._lose_cell(running, "timeout", str(self._timeout(loading=True)))
            except (EOFError, WorkerFailure) as exc:
                self.usage.crashes += 1
                self._lose_cell(running, "crashed", f"the notebook's process stopped: {self._why(exc)}")

    def close(self) -> None:
        self._discard(graceful=True)
        if self.scratch is not None:
            self.scratch.cleanup()

    def output(self) -> str:
        current = [self.process.output.text()] if self.process else []
        return "".join(self.output_log + current)

    # ------------------------------------------------------------ calls
    def request(self, message: dict, generation: int | None = None):
        """Send one request and decode the reply; student exceptions become :class:`StudentError`."""
        if generation is not None and generation != self.generation:
            raise WorkerFailure("this object came from an earlier run of your notebook, which had stopped")
        if self.process is None or not self.process.alive():
            self._restart()
        deadline = min(time.monotonic() + self.limits.call_seconds, self.deadline)
        self.usage.calls += 1
        try:
            self.process.send(message)
            reply = self.process.receive(deadline)
        except TimeoutError:
            self.usage.timeouts += 1
            self._discard()
            raise self._timeout() from None
        except EOFError:
            self.usage.crashes += 1
            reason = self.process.death()
            self._discard()
            raise WorkerFailure(f"your notebook's process stopped during this call: {reason}") from None
        except ProtocolError:
            self._discard()
            raise
        generation = self.generation
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            raise StudentError(str(error.get("type", "Exception"))[:100], str(error.get("message", ""))[:2000],
                               [str(t)[:100] for t in error.get("types", [])][:50] if isinstance(error.get("types"), list) else (),
                               str(error.get("traceback", ""))[:4000])
        if "ok" not in reply:
            self._discard()
            raise ProtocolError("the worker's reply has neither a result nor an error")
        try:
            return protocol.decode(reply["ok"], lambda handle: Remote(self, handle, generation))
        except protocol.DecodeError as exc:
            raise ProtocolError(f"your code returned a value the grader cannot read: {exc}") from None

    def encode(self, value):
        def to_handle(obj):
            if isinstance(obj, Remote):
                if obj._generation != self.generation:
                    raise WorkerFailure("this object came from an earlier run of your notebook, which had stopped")
                return obj._handle
            raise TypeError(f"the grader cannot send a {type(obj).__name__} to the worker")
        return protocol.encode(_unwrap(value), to_handle)

    # ------------------------------------------------------------ internals
    def _spawn(self) -> _Worker:
        """A worker forked by the zygote where there is one that works, else a sandbox of its own."""
        if self.files is not None:
            try:
                return self.zygote.fork(self.files)
            except ZygoteUnavailable:
                pass
        return self.own_sandbox()

    def _restart(self) -> None:
        self._discard()
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise WorkerFailure(f"your notebook's process stopped {MAX_RESTARTS} times; no more calls are made")
        self.start()

    def _discard(self, graceful: bool = False) -> None:
        """Done with the worker: let it end (``graceful``: its work is done) or kill it (it failed)."""
        if self.process is not None:
            self.output_log.append(self.process.output.text())
            self.usage.sample(self.process)
            if not graceful:
                self.process.kill()
            self.process.stop()
            self.process = None

    def _why(self, exc: Exception) -> str:
        if isinstance(exc, WorkerFailure) or self.process is None:
            return str(exc)
        return self.process.death()

    def _check_budget(self) -> None:
        if time.monotonic() >= self.deadline:
            raise SubmissionTimeLimit(f"grading stopped: your notebook used up its total time budget of "
                                      f"{self.limits.submission_seconds:g} s")

    def _cell_deadline(self) -> float:
        return min(time.monotonic() + self.limits.load_cell_seconds, self.deadline)

    def _timeout(self, loading: bool = False) -> WorkerFailure:
        if time.monotonic() >= self.deadline - 0.01:
            return SubmissionTimeLimit(f"grading stopped: your notebook used up its total time budget of "
                                       f"{self.limits.submission_seconds:g} s")
        if loading:
            return CallTimeout(f"the cell did not finish within {self.limits.load_cell_seconds:g} s, the time limit "
                               f"for one cell while your notebook loads; look for an endless loop, or move long "
                               f"work (training, plots) into a cell of its own that grading skips")
        return CallTimeout(f"your code did not finish within {self.limits.call_seconds:g} s, the time limit "
                           f"for one call; look for an endless loop or a much slower method than needed")

    def _lose_cell(self, index: int | None, status: str, why: str) -> None:
        self._discard()
        if index is None or index in self.skip:
            raise WorkerFailure(f"your notebook could not be started: {why}")
        self.skip[index] = CellOutcome(index, status, why)
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise WorkerFailure(f"your notebook's process stopped {MAX_RESTARTS} times while loading")

    def _load_report(self, ready) -> LoadReport:
        outcomes = {o.index: o for o in self.skip.values()}
        for item in ready.get("cells", []) if isinstance(ready, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("index"), int):
                error = item.get("error")
                outcomes[item["index"]] = CellOutcome(item["index"], "error" if error else "ok",
                                                      str(error)[:4000] if error else None)
        return LoadReport([outcomes[i] for i in sorted(outcomes)])


class Remote:
    """A student object that lives in the worker; attribute access, calls and operators go there."""

    def __init__(self, session: Session, handle: protocol.Handle, generation: int):
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "_generation", generation)

    def _ask(self, message: dict):
        return self._session.request(message, self._generation)

    def _op(self, name: str, *args):
        session = self._session
        return self._ask({"op": "operator", "name": name, "args": session.encode(list(args))})

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask({"op": "getattr", "target": {"handle": self._handle.id}, "name": name})

    def __setattr__(self, name: str, value) -> None:
        self._ask({"op": "setattr", "target": {"handle": self._handle.id}, "name": name,
                   "value": self._session.encode(value)})

    def __call__(self, *args, **kwargs):
        session = self._session
        return self._ask({"op": "call", "target": {"handle": self._handle.id},
                          "args": session.encode(list(args)), "kwargs": session.encode(dict(kwargs))})

    def __repr__(self) -> str:
        return f"<{self._handle.type_name} object in the student's notebook>"

    __hash__ = object.__hash__

    def __len__(self): return self._op("len", self)
    def __bool__(self): return self._op("bool", self)
    def __float__(self): return self._op("float", self)
    def __int__(self): return self._op("int", self)
    def __iter__(self): return iter(self._op("list", self))
    def __getitem__(self, key): return self._op("getitem", self, key)
    def __contains__(self, item): return self._op("contains", self, item)
    def __neg__(self): return self._op("neg", self)
    def __pos__(self): return self._op("pos", self)
    def __abs__(self): return self._op("abs", self)
    def __eq__(self, other): return self._op("eq", self, other)
    def __ne__(self, other): return self._op("ne", self, other)
    def __lt__(self, other): return self._op("lt", self, other)
    def __le__(self, other): return self._op("le", self, other)
    def __gt__(self, other): return self._op("gt", self, other)
    def __ge__(self, other): return self._op("ge", self, other)


def _binary(name: str):
    def forward(self, other):
        return self._op(name, self, other)
    def backward(self, other):
        return self._op(name, other, self)
    return forward, backward


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul"):
    _forward, _backward = _binary(_name)
    setattr(Remote, f"__{_name}__", _forward)
    setattr(Remote, f"__r{_name}__", _backward)


class StudentNotebook:
    """What a test sees as ``student``: the notebook's top-level names."""

    def __init__(self, session: Session):
        self._session = session

    def __getattr__(self, name: str) -> "_GlobalName":
        if name.startswith("_"):
            raise AttributeError(name)
        return _GlobalName(self._session, name)

    def has(self, name: str) -> bool:
        return bool(self._session.request({"op": "has", "name": name}))


class _GlobalName:
    """``student.posterior``: calling it is one round trip; ``.value`` fetches the object itself."""

    def __init__(self, session: Session, name: str):
        self._session, self._name = session, name

    def __call__(self, *args, **kwargs):
        session = self._session
        return session.request({"op": "call", "target": {"name": self._name},
                                "args": session.encode(list(args)), "kwargs": session.encode(dict(kwargs))})

    @property
    def value(self):
        return self._session.request({"op": "global", "name": self._name})

    def __repr__(self) -> str:
        return f"<{self._name} in the student's notebook>"


def _scratch_copy(assignment: str, submission_dir: Path, datasets_dir: Path | None) -> tempfile.TemporaryDirectory:
    """Without a sandbox the worker still works on a copy laid out as in the sandbox, never on the original."""
    scratch = tempfile.TemporaryDirectory(prefix="autograder-")
    shutil.copytree(submission_dir, Path(scratch.name) / "assignments" / assignment, symlinks=True)
    if datasets_dir is not None:
        os.symlink(datasets_dir, Path(scratch.name) / "datasets")
    return scratch


def _unwrap(value):
    if isinstance(value, _GlobalName):
        raise TypeError("pass student.<name>.value, not the name, to send a student object back")
    return value
