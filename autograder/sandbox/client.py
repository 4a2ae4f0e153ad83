"""The grader's side of the sandbox: start a worker, load the notebook, make calls.

A :class:`Session` owns one student's notebook for the length of their grading. It
starts a worker, sends it the code cells, and answers calls through it. When a cell
hangs or kills the worker while loading, the session starts a new worker that skips
that cell, so one bad cell costs only what it defines. When a call kills the worker,
the next call gets a fresh one. Every wait has a deadline: the call's own limit and
the submission's total budget, whichever comes first.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
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
from autograder.sandbox.usage import WorkerUsage, rss_kb

MAX_RESTARTS = 6
WATCH_SECONDS = 0.2  # how often the memory of a worker's processes is checked while the grader waits on it
# A reply bigger than this fails the call: the grader holds a reply in memory several times over while
# decoding it, and runs beside other graders. The worker still accepts large requests (datasets).
MAX_REPLY_BYTES = 64 * 1024 * 1024


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


class _Process:
    """One running worker and its pipes."""

    def __init__(self, argv: list[str], cwd: str | None, limits: Limits, device: Device):
        to_worker_r, self.to_worker = os.pipe()
        self.from_worker, from_worker_w = os.pipe()
        output_r, output_w = os.pipe()
        self.popen = subprocess.Popen(
            argv + ["--channel", str(to_worker_r), str(from_worker_w)], cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=output_w, stderr=output_w, pass_fds=(to_worker_r, from_worker_w),
            preexec_fn=lambda: apply_rlimits(limits, device), env=worker_environment(device),
        )
        for fd in (to_worker_r, from_worker_w, output_w):
            os.close(fd)
        self.output = _Output(output_r, limits.output_kb * 1024)
        self.writer = os.fdopen(self.to_worker, "wb", buffering=0)
        self.deadline = 0.0
        self.memory_kb, self.over_memory, self.peak_kb = limits.memory_mb * 1024, False, 0
        self.channel = _Channel(self.from_worker, lambda: self.deadline, self._enforce_memory)

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

    def kill(self) -> None:
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.popen.wait()
        for stream in (self.writer,):
            try:
                stream.close()
            except OSError:
                pass
        try:
            os.close(self.from_worker)
        except OSError:
            pass

    def _enforce_memory(self) -> None:
        """RLIMIT_AS bounds each process; this bounds the worker's processes together (a student may start 32)."""
        now = rss_kb(self.popen.pid)
        self.peak_kb = max(self.peak_kb, now)
        if not self.over_memory and now > self.memory_kb:
            self.over_memory = True
            try:
                os.killpg(self.popen.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def death(self) -> str:
        """Why the worker ended, in words."""
        try:
            code = self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        if self.over_memory:
            return f"its processes together used more than the memory limit of {self.memory_kb // 1024} MB"
        if code < 0:
            name = signal.Signals(-code).name
            return {"SIGKILL": "it was killed (SIGKILL): usually the memory limit or a process limit",
                    "SIGXCPU": "it used up its CPU time limit (SIGXCPU)",
                    "SIGXFSZ": "it wrote a file larger than the limit (SIGXFSZ)",
                    "SIGSEGV": "it crashed (segmentation fault)"}.get(name, f"it was killed by {name}")
        return f"it exited with status {code} (sys.exit, os._exit, or a crash)"


class Session:
    """A student's notebook running in a sandboxed worker, restarted as needed."""

    def __init__(self, assignment: str, submission_dir: Path, cells: list[Cell], limits: Limits,
                 sandbox: bool, datasets_dir: Path | None = None, device: Device = CPU):
        self.cells, self.limits, self.device = cells, limits, device
        self.scratch = None if sandbox else _scratch_copy(assignment, submission_dir, datasets_dir)
        if self.scratch is not None:
            submission_dir = Path(self.scratch.name) / "assignments" / assignment
        self.argv, self.cwd = worker_argv(assignment, submission_dir, datasets_dir, limits, sandbox, device)
        self.deadline = time.monotonic() + limits.submission_seconds
        self.process: _Process | None = None
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
            self.process = _Process(self.argv, self.cwd, self.limits, self.device)
            self.generation += 1
            self.usage.starts += 1
            running = None
            try:
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
                self._lose_cell(running, "crashed", f"the notebook's process stopped: "
                                                   f"{exc if isinstance(exc, WorkerFailure) else self.process.death()}")

    def close(self) -> None:
        self._discard()
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
        if self.process is None or self.process.popen.poll() is not None:
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
    def _restart(self) -> None:
        self._discard()
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise WorkerFailure(f"your notebook's process stopped {MAX_RESTARTS} times; no more calls are made")
        self.start()

    def _discard(self) -> None:
        if self.process is not None:
            self.output_log.append(self.process.output.text())
            self.usage.sample(self.process)
            self.process.kill()
            self.process = None

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
