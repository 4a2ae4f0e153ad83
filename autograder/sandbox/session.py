"""A student's notebook in the sandbox: start a worker, load the notebook's cells, make calls.

A :class:`Session` owns one student's notebook for the length of their grading. It
starts a worker, sends it the code cells, and answers calls through it. When a cell
hangs or kills the worker while loading, the session starts a new worker that skips
that cell, so one bad cell costs only what it defines. When a call kills the worker,
the next call gets a fresh one. Every wait has a deadline: the call's own limit and
the submission's total budget, whichever comes first.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox.backends import DEFAULT_BACKEND
from autograder.sandbox.devices import CPU, Device
from autograder.sandbox.errors import CallTimeout, ProtocolError, StudentError, SubmissionTimeLimit, WorkerFailure
from autograder.sandbox.inside import protocol
from autograder.sandbox.limits import Limits, worker_argv
from autograder.sandbox.processes import (ZYGOTE_MAX_FILES, OwnSandbox, WorkerProcess, Zygote, ZygoteUnavailable,
                                          submission_files)
from autograder.sandbox.proxies import Remote, handle_of, plain_argument
from autograder.sandbox.usage import WorkerUsage

MAX_RESTARTS = 6


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


class Session:
    """A student's notebook running in a sandboxed worker, restarted as needed."""

    def __init__(self, assignment: str, submission_dir: Path, cells: list[tuple[int, str]], limits: Limits,
                 sandbox: bool, datasets_dir: Path | None = None, device: Device = CPU, zygote: Zygote | None = None,
                 worker_uid: int | None = None, keras_backend: str = DEFAULT_BACKEND):
        self.cells = [(int(index), str(source)) for index, source in cells]  # the notebook's (index, source) pairs
        self.limits, self.device = limits, device
        self.scratch = None if sandbox else _scratch_copy(assignment, submission_dir, datasets_dir,
                                                          readable=worker_uid is not None)
        if self.scratch is not None:
            submission_dir = Path(self.scratch.name) / "assignments" / assignment
        self.zygote = zygote
        self.files = submission_files(submission_dir, ZYGOTE_MAX_FILES) if zygote is not None else None
        self.own_sandbox = lambda: OwnSandbox(*worker_argv(assignment, submission_dir, datasets_dir, limits, sandbox,
                                                         device, worker_uid, keras_backend), limits, device,
                                                         keras_backend)
        self.deadline = time.monotonic() + limits.submission_seconds
        self.process: WorkerProcess | None = None
        self.generation = 0
        self.skip: dict[int, CellOutcome] = {}
        self.report = LoadReport()
        self.restarts = 0
        self.out_of_memory = False  # the last call raised MemoryError: the next one gets a fresh worker
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
                self.process.send({"op": "load", "cells": [[index, source] for index, source in self.cells
                                                          if index not in self.skip]}, self.deadline)
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
            self.process.send(message, deadline)
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
            error = StudentError.from_reply(reply["error"])
            if "MemoryError" in error.type_names:  # what the worker still holds must not fail the calls after it
                self._discard()
                self.out_of_memory = True
            raise error
        if "ok" not in reply:
            self._discard()
            raise ProtocolError("the worker's reply has neither a result nor an error")
        try:
            return protocol.decode(reply["ok"], lambda handle: Remote(self, handle, generation), reply.blob)
        except protocol.DecodeError as exc:
            raise ProtocolError(f"your code returned a value the grader cannot read: {exc}") from None

    def encode(self, value):
        return protocol.encode(plain_argument(value), lambda obj: handle_of(obj, self.generation))

    # ------------------------------------------------------------ internals
    def _spawn(self) -> WorkerProcess:
        """A worker forked by the zygote where there is one that works, else a sandbox of its own."""
        if self.files is not None:
            try:
                return self.zygote.fork(self.files, self.deadline)
            except ZygoteUnavailable:
                pass
        return self.own_sandbox()

    def _restart(self) -> None:
        """A fresh worker; one after a MemoryError is not counted against ``MAX_RESTARTS``: the call failed, not it."""
        self._discard()
        self.restarts += 0 if self.out_of_memory else 1
        self.out_of_memory = False
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


def _scratch_copy(assignment: str, submission_dir: Path, datasets_dir: Path | None,
                  readable: bool = False) -> tempfile.TemporaryDirectory:
    """Without a sandbox the worker still works on a copy laid out as in the sandbox, never on the original.
    ``readable``: the worker is a user of its own, who may read the copy but, as in the sandbox, not write it."""
    scratch = tempfile.TemporaryDirectory(prefix="autograder-")
    shutil.copytree(submission_dir, Path(scratch.name) / "assignments" / assignment, symlinks=True)
    if datasets_dir is not None:
        os.symlink(datasets_dir, Path(scratch.name) / "datasets")
    if readable:
        for folder, _, files in os.walk(scratch.name):
            os.chmod(folder, 0o755)
            for name in files:
                if not os.path.islink(os.path.join(folder, name)):
                    os.chmod(os.path.join(folder, name), 0o644)
    return scratch
