"""Grade a batch: discover submissions, run the suite over them in parallel grader processes, collect results.

Each of ``jobs`` grader processes is one pytest run (see ``pytest_plugin.py``) over a shard of the
students; it writes each student's ``results.json`` as soon as their tests are done. Whatever a
grader process leaves undone (it crashed, it was killed) is filled in here with a result that
says so, so every student ends with exactly one complete result.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder.config import ROOT, Assignment
from autograder.results import SubmissionResult, TestResult, failed_everywhere, read_result, write_result
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
        manifest.write_text(json.dumps(_manifest(batch, shard, slot=k), indent=1))
        log = open(batch.out_dir / f"grader-{k}.log", "w")
        processes.append((subprocess.Popen(_pytest_argv(batch.suite, manifest), cwd=ROOT, stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL), log))
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
    return results


def grade_folder(batch: Batch, root: Path, on_progress=None) -> list[SubmissionResult]:
    submissions = discover(root, batch.assignment.id, batch.assignment.notebook, batch.out_dir / ".work" / "unpacked")
    return grade(batch, submissions, on_progress)


def suite_tests(suite: Suite, hidden_visibility: str = "hidden") -> list[TestResult]:
    """The tests of a suite with their points and visibility, by collecting it (no student code runs)."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(PYTEST_INI), "--rootdir", str(ROOT), "--collect-only", "-q",
         "-s", "--ag-list", *[str(p) for p in suite.paths if p.exists()]],
        cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("AG-TEST ")]
    if out.returncode not in (0, 5) or not lines:
        raise RuntimeError(f"collecting the suite for {suite.assignment} failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")
    tests = []
    for line in lines:
        spec = json.loads(line[len("AG-TEST "):])
        tests.append(TestResult(spec["name"], spec["points"], visibility="visible" if spec["visible"] else hidden_visibility))
    return tests


def _manifest(batch: Batch, shard: list[Submission], slot: int) -> dict:
    source = ROOT / "solutions" / batch.assignment.id / batch.assignment.notebook
    return {
        "assignment": batch.assignment.id,
        "out_dir": str(batch.out_dir),
        "sandbox": batch.sandbox,
        "datasets": str(DATASETS),
        "limits": asdict(batch.assignment.limits.to_limits()),
        "hidden_visibility": batch.assignment.hidden_visibility,
        "suite_hash": batch.suite.digest,
        "source_notebook": str(source) if source.exists() else None,
        "submissions": [{"student": s.student, "directory": str(s.directory) if s.directory else None,
                         "notebook": str(s.notebook) if s.notebook else None, "problem": s.problem,
                         "content_hash": s.content_hash, "slot": slot} for s in shard],
    }


def _pytest_argv(suite: Suite, manifest: Path) -> list[str]:
    return [sys.executable, "-m", "pytest", "-c", str(PYTEST_INI), "--rootdir", str(ROOT), "-p", "no:terminal",
            "--ag-manifest", str(manifest), *[str(p) for p in suite.paths if p.exists()]]


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
                               content_hash=submission.content_hash, suite_hash=batch.suite.digest)
    write_result(batch.out_dir, result)
    return result


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
