"""Stage 3, run: the suite over the students, student code only in the sandbox.

Each of ``jobs`` grader processes is one pytest run (see plugin.py) over a share of the students. It sends each
student's raw result back on a pipe of its own, one line of JSON tagged with this run's id, as soon as that
student's last test has run; ``deliver`` hands it to the next stage at once, so a batch stopped midway keeps
what it finished. A student whose grader process stopped before sending their result gets one that says so
(status ``crashed``), so every student gets exactly one result. ``check`` runs pytest in this process instead
(one student, answered fast).
"""
from __future__ import annotations

import ctypes
import json
import os
import selectors
import signal
import subprocess
import sys
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from autograder.course.config import Assignment
from autograder.course.layout import DATASETS, ROOT, released_notebook, source_notebook
from autograder.grading.discover import Submission
from autograder.grading.results import SubmissionResult, failed_everywhere
from autograder.grading.suite import Suite, grader_env, suite_tests
from autograder.sandbox.dataview import worker_view
from autograder.sandbox.devices import CPU, Device

Deliver = Callable[[Submission, SubmissionResult], None]
NOT_FINISHED = ("Grading of this submission did not finish (the grader process stopped). "
                "It will be graded again on the next run.")


@dataclass(frozen=True)
class Batch:
    """What the run stage needs: the assignment and its suite, how student code is confined, where to work."""
    assignment: Assignment
    suite: Suite
    work_dir: Path  # manifests, logs, the worker's view of the datasets
    sandbox: bool = True
    jobs: int = 1
    device: Device = CPU
    in_process: bool = False  # pytest in this process (`check`), not in grader processes
    worker_uid: int | None = None  # the user student code runs as, also without a sandbox (see sandbox/limits.py)


def run(batch: Batch, submissions: list[Submission], deliver: Deliver) -> None:
    """Grade ``submissions``; ``deliver`` gets each one's raw result exactly once, as soon as it is there."""
    if not submissions:
        return
    batch.work_dir.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex
    delivered: set[str] = set()
    by_student = {s.student: s for s in submissions}

    def receive(result: SubmissionResult) -> None:
        delivered.add(result.student)
        deliver(by_student[result.student], result)

    if batch.in_process:
        _run_here(batch, submissions, run_id, receive)
    else:
        _run_graders(batch, submissions, run_id, receive)
    missing = [s for s in submissions if s.student not in delivered]
    if missing:
        tests = suite_tests(batch.suite, batch.assignment.hidden_visibility)
        for submission in missing:
            deliver(submission, failed_everywhere(submission.student, batch.assignment.id, tests, "crashed",
                                                  NOT_FINISHED))


def _run_here(batch: Batch, submissions: list[Submission], run_id: str, receive) -> None:
    import pytest

    from autograder.grading.plugin import Grader
    os.environ.update(grader_env())
    grader = Grader(manifest(batch, submissions, run_id, batch.work_dir / "grader.log"), receive)
    pytest.main([*batch.suite.pytest_args(), "-p", "no:terminal"], plugins=[grader])


def _run_graders(batch: Batch, submissions: list[Submission], run_id: str, receive) -> None:
    """``jobs`` pytest processes; their result lines are read as they come."""
    shares = [submissions[k::batch.jobs] for k in range(batch.jobs)]
    selector, processes = selectors.DefaultSelector(), []
    for k, share in enumerate(shares):
        if not share:
            continue
        path = batch.work_dir / f"manifest-{k}.json"
        path.write_text(json.dumps(manifest(batch, share, run_id, batch.work_dir / "grader.log"), indent=1))
        results_r, results_w = os.pipe()
        with open(batch.work_dir / f"grader-{k}.log", "w") as log:  # in .work/: no student folder can be named so
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "pytest", *batch.suite.pytest_args(), "-p", "no:terminal",
                 "--ag-manifest", str(path), "--ag-results-fd", str(results_w)],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                pass_fds=(results_w,), env=grader_env(), preexec_fn=_die_with_this_process(os.getpid())))
        os.close(results_w)
        selector.register(os.fdopen(results_r, "rb"), selectors.EVENT_READ, bytearray())
    while selector.get_map():
        for key, _ in selector.select():
            chunk = key.fileobj.read1(1 << 16)
            if not chunk:
                selector.unregister(key.fileobj)
                key.fileobj.close()
                continue
            key.data.extend(chunk)
            *lines, rest = key.data.split(b"\n")
            key.data[:] = rest
            for line in lines:
                message = json.loads(line)
                if message.get("run") == run_id:
                    receive(SubmissionResult.from_gradescope(message["result"]))
    for process in processes:
        process.wait()


def manifest(batch: Batch, share: list[Submission], run_id: str, log: Path) -> dict:
    """What a grader process needs to know about its students (plugin.Grader reads it)."""
    return {
        "run_id": run_id,
        "assignment": batch.assignment.id,
        "log": str(log),
        "sandbox": batch.sandbox,
        "datasets": str(worker_view(DATASETS, batch.work_dir / "datasets")),  # no test labels
        "limits": asdict(batch.assignment.limits_on(batch.device.kind)),
        "device": batch.device.to_json(),
        "keras_backend": batch.assignment.keras_backend,
        "hidden_visibility": batch.assignment.hidden_visibility,
        "worker_uid": batch.worker_uid,
        "source_notebook": _tags_from(batch.assignment),
        "submissions": [{"student": s.student, "directory": str(s.directory) if s.directory else None,
                         "notebook": str(s.notebook) if s.notebook else None, "problem": s.problem} for s in share],
    }


def _tags_from(assignment: Assignment) -> str | None:
    """The notebook whose cell tags say which cells grading skips: the source notebook or, in a kit that ships
    without solutions (the Gradescope autograder), the release, whose cells have the same ids and tags."""
    for path in (source_notebook(assignment.id, assignment.notebook),
                 released_notebook(assignment.id, assignment.notebook)):
        if path.exists():
            return str(path)
    return None


_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None  # looked up before any fork


def _die_with_this_process(parent: int):
    """In a grader process, before exec: die with the `grade` that started it (SIGKILL included), so a stopped
    batch leaves no grader behind to race the next run. Its workers die with it (bwrap --die-with-parent)."""
    def arrange() -> None:
        if _PRCTL is not None:
            _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:
                os._exit(1)
    return arrange


def default_jobs() -> int:
    """One grader process more than there are cores (at most 9): a grader and its worker take turns, and a core
    would idle while a cell runs out its time limit or a worker starts (bench, 200 students of 01 on 2 cores:
    23.0 s with 2 processes, 17.2 s with 3, 21.5 s with 4)."""
    return max(1, min(os.cpu_count() or 1, 8)) + 1
