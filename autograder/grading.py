"""Grade a batch: discover submissions, run the suite over them in parallel grader processes, collect results.

Each of ``jobs`` grader processes is one pytest run (see ``pytest_plugin.py``) over a shard of the
students; it writes each student's ``results.json`` as soon as their tests are done. Whatever a
grader process leaves undone (it crashed, it was killed) is filled in here with a result that
says so, so every student ends with exactly one complete result.
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from autograder.config import ROOT, Assignment
from autograder.late import TIMESTAMP_FILE, for_student
from autograder.results import SubmissionResult, TestResult, failed_everywhere, read_result, write_result
from autograder.sandbox.devices import CPU, Device
from autograder.sandbox.dataview import worker_view
from autograder.submissions import Submission, discover

SUITES = ROOT / "autograder" / "suites"
PYTEST_INI = SUITES / "pytest.ini"
DATASETS = ROOT / "datasets"


class SandboxUnavailable(Exception):
    pass


@dataclass(frozen=True)
class Suite:
    """The test files that grade an assignment, and a digest of their content."""
    assignment: str
    paths: tuple[Path, ...]

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for folder in self.paths:
            for path in sorted(folder.rglob("*.py")) if folder.is_dir() else [p for p in [folder] if p.is_file()]:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]


def hidden_suite(assignment: str) -> Suite:
    """Public and hidden tests: what `grade` runs."""
    return Suite(assignment, (ROOT / "solutions" / assignment / "tests", SUITES / assignment))


def public_suite(assignment: str) -> Suite:
    """The released public tests: what `check` runs for a student."""
    return Suite(assignment, (ROOT / "assignments" / assignment / "tests",))


@dataclass(frozen=True)
class Batch:
    assignment: Assignment
    suite: Suite
    out_dir: Path
    sandbox: bool
    jobs: int = 1
    device: Device = CPU  # chosen by autograder.sandbox.devices.choose
    late_by_mtime: bool = False  # without timestamp.txt, take the file's modification time as the submission time


def require_sandbox() -> None:
    from autograder.sandbox.limits import bwrap_path
    if bwrap_path() is None:
        raise SandboxUnavailable(
            "bubblewrap (bwrap) is not installed, so student code cannot be confined. Install the 'bubblewrap' "
            "package (Debian/Ubuntu: apt-get install bubblewrap; `make setup` does it where it can), or pass "
            "--no-sandbox to run student code unconfined on this machine (not for untrusted submissions).")


def grade(batch: Batch, submissions: list[Submission], on_progress=None) -> list[SubmissionResult]:
    """Grade ``submissions``; return one result per student, in order."""
    batch.out_dir.mkdir(parents=True, exist_ok=True)
    work = batch.out_dir / ".work"
    work.mkdir(exist_ok=True)
    shards = [submissions[k::batch.jobs] for k in range(batch.jobs)]
    processes = []
    for k, shard in enumerate(shards):
        if not shard:
            continue
        manifest = work / f"manifest-{k}.json"
        manifest.write_text(json.dumps(_manifest(batch, shard), indent=1))
        log = open(work / f"grader-{k}.log", "w")  # in .work/: no student folder can be named so
        processes.append((subprocess.Popen(_pytest_argv(batch.suite, manifest), cwd=ROOT, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_grader_env(),
                                           preexec_fn=functools.partial(_die_with, os.getpid())), log))
    started = time.time()
    while any(p.poll() is None for p, _ in processes):
        if on_progress:
            on_progress(_count_done(batch.out_dir, submissions, started), len(submissions))
        time.sleep(0.2)
    for _, log in processes:
        log.close()
    if on_progress:
        on_progress(_count_done(batch.out_dir, submissions, started), len(submissions))
    results = [_finished(batch, submission, started) for submission in submissions]
    if None in results:
        tests = suite_tests(batch.suite, batch.assignment.hidden_visibility)
        results = [result or _unfinished(batch, submission, tests) for result, submission in zip(results, submissions)]
    return [with_late(batch, submission, result) for submission, result in zip(submissions, results)]


def with_late(batch: Batch, submission: Submission, result: SubmissionResult) -> SubmissionResult:
    """The result with its late penalty (see late.py) and a line about it in the output; rewrites results.json."""
    trusted = submission.submitted_from == TIMESTAMP_FILE or batch.late_by_mtime
    if submission.submitted_at is None or not trusted:
        return result
    late = for_student(batch.assignment, submission.student, submission.submitted_at, submission.submitted_from)
    result = replace(result, late=late,
                     output="\n\n".join(filter(None, [late.describe(result.score, result.max_score), result.output])))
    write_result(batch.out_dir, result)
    return result


def grade_here(batch: Batch, submission: Submission) -> SubmissionResult:
    """Grade one submission with pytest in this process: what `check` does, to answer a student quickly."""
    import pytest
    work = batch.out_dir / ".work"
    work.mkdir(parents=True, exist_ok=True)
    manifest = work / "manifest-0.json"
    manifest.write_text(json.dumps(_manifest(batch, [submission]), indent=1))
    started = time.time()
    os.environ.update(_grader_env())
    pytest.main(_pytest_args(batch.suite, manifest))
    result = _finished(batch, submission, started)
    return result or _unfinished(batch, submission, suite_tests(batch.suite, batch.assignment.hidden_visibility))


def grade_folder(batch: Batch, root: Path, on_progress=None) -> list[SubmissionResult]:
    submissions = discover(root, batch.assignment.id, batch.assignment.notebook, batch.out_dir / ".work" / "unpacked")
    return grade(batch, submissions, on_progress)


def suite_tests(suite: Suite, hidden_visibility: str = "hidden") -> list[TestResult]:
    """The tests of a suite with their points and visibility, by collecting it (no student code runs)."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(PYTEST_INI), "--rootdir", str(ROOT), "--collect-only", "-q",
         "-s", "--ag-list", *[str(p) for p in suite.paths if p.exists()]],
        cwd=ROOT, capture_output=True, text=True, env=_grader_env())
    lines = [line for line in out.stdout.splitlines() if line.startswith("AG-TEST ")]
    if out.returncode not in (0, 5) or not lines:
        raise RuntimeError(f"collecting the suite for {suite.assignment} failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")
    tests = []
    for line in lines:
        spec = json.loads(line[len("AG-TEST "):])
        tests.append(TestResult(spec["name"], spec["points"], visibility="visible" if spec["visible"] else hidden_visibility,
                                hint=spec["hint"]))
    return tests


def _manifest(batch: Batch, shard: list[Submission]) -> dict:
    source = ROOT / "solutions" / batch.assignment.id / batch.assignment.notebook
    return {
        "assignment": batch.assignment.id,
        "out_dir": str(batch.out_dir),
        "sandbox": batch.sandbox,
        "datasets": str(worker_view(DATASETS, batch.out_dir / ".work" / "datasets")),  # no test labels
        "limits": asdict(batch.assignment.limits_on(batch.device.kind)),
        "device": batch.device.to_json(),
        "hidden_visibility": batch.assignment.hidden_visibility,
        "suite_hash": batch.suite.digest,
        "source_notebook": str(source) if source.exists() else None,
        "submissions": [{"student": s.student, "directory": str(s.directory) if s.directory else None,
                         "notebook": str(s.notebook) if s.notebook else None, "problem": s.problem,
                         "content_hash": s.content_hash} for s in shard],
    }


_PRCTL = ctypes.CDLL(None).prctl if sys.platform == "linux" else None  # looked up before any fork


def _die_with(parent: int) -> None:
    """In a grader process, before exec: die with the `grade` that started it (SIGKILL included), so a
    stopped batch leaves no grader behind to race the next run. Its workers die with it (bwrap --die-with-parent)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)


def _grader_env() -> dict[str, str]:
    """Only the kit's plugin: a pytest plugin that happens to be installed must not change grading."""
    return {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def _pytest_argv(suite: Suite, manifest: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", *_pytest_args(suite, manifest)]


def _pytest_args(suite: Suite, manifest: Path) -> list[str]:
    return ["-c", str(PYTEST_INI), "--rootdir", str(ROOT), "-p", "no:terminal", "--ag-manifest", str(manifest),
            *[str(p) for p in suite.paths if p.exists()]]


def _count_done(out_dir: Path, submissions: list[Submission], since: float) -> int:
    done = 0
    for submission in submissions:
        try:
            done += (out_dir / submission.student / "results.json").stat().st_mtime >= since
        except FileNotFoundError:
            pass
    return done


def _finished(batch: Batch, submission: Submission, since: float) -> SubmissionResult | None:
    path = batch.out_dir / submission.student / "results.json"
    if path.exists() and path.stat().st_mtime >= since:
        return read_result(path)
    return None


def _unfinished(batch: Batch, submission: Submission, tests: list[TestResult]) -> SubmissionResult:
    """The result of a student whose grader process stopped before writing theirs."""
    result = failed_everywhere(submission.student, batch.assignment.id, tests, "crashed",
                               "Grading of this submission did not finish (the grader process stopped). "
                               "It will be graded again on the next run.",
                               content_hash=submission.content_hash, suite_hash=batch.suite.digest,
                               device=batch.device.kind)
    write_result(batch.out_dir, result)
    return result


def default_jobs() -> int:
    """One grader process more than there are cores (at most 9): a grader and its worker take turns, and a core
    would idle while a cell runs out its time limit or a worker starts (bench, 200 students of 01 on 2 cores:
    23.0 s with 2 processes, 17.2 s with 3, 21.5 s with 4)."""
    return max(1, min(os.cpu_count() or 1, 8)) + 1
