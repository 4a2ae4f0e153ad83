"""The one way a grade travels, from a folder of submissions to the gradebook.

====  ========  =========================  ================================================================
 1    discover  grading/discover.py        find the submissions (folders, nbgrader's layout, zips), unpack them
 2    plan      grading/plan.py            keep results of unchanged submissions (resume), keep one shard
 3    run       grading/run.py, plugin.py  the suite in grader processes; student code only in sandbox/
 4    finish    grading/finish.py          content hash, suite digest, device, Keras backend, late penalty
 5    write     grading/results.py         ``results.json`` once per student, atomically
 6    record    reports/gradebook.py       the SQLite gradebook, one row per student and test
====  ========  =========================  ================================================================

``grade``, ``check``, ``validate``, ``demo``, ``bench`` and the nbgrader bridge all grade through :func:`grade`.
A result kept from an earlier run goes through finish (the late policy may have changed) and is written
again only if that changed it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder.course.config import Assignment
from autograder.grading.discover import Submission, discover
from autograder.grading.finish import finish
from autograder.grading.plan import Shard, plan
from autograder.grading.results import SubmissionResult, write_result
from autograder.grading.run import Batch, run
from autograder.grading.suite import Suite
from autograder.reports.gradebook import Gradebook
from autograder.sandbox.devices import CPU, Device


@dataclass(frozen=True)
class Request:
    """What to grade, how, and where the grades go."""
    assignment: Assignment
    suite: Suite
    submissions: Path  # a folder of submissions (see grading/discover.py)
    out_dir: Path  # <student>/results.json; the run's work files in .work/
    sandbox: bool = True
    jobs: int = 1
    device: Device = CPU
    late_by_mtime: bool = False  # without nbgrader's timestamp.txt, the file's modification time is when it came in
    shard: Shard | None = None
    force: bool = True  # grade every submission, also those whose results.json is for this submission and suite
    gradebook: Path | None = None  # None: results.json only
    in_process: bool = False  # one student, answered fast (`check`)
    worker_uid: int | None = None  # student code as this user, also without a sandbox (root only; Gradescope)

    @property
    def work_dir(self) -> Path:
        return self.out_dir / ".work"


class ResultsNotWritten(OSError):
    """Several results.json could not be written; each is named with its reason."""

    def __init__(self, problems: list[OSError]):
        super().__init__("; ".join(f"{exc.filename}: {exc.strerror}" for exc in problems))


@dataclass(frozen=True)
class Outcome:
    results: tuple[SubmissionResult, ...]  # one per submission of this shard, by student
    graded: tuple[str, ...]  # the students graded in this run; the others' results were kept from an earlier run


def grade(request: Request, on_progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Grade the submissions in ``request.submissions``; every stage in order (see the table above)."""
    assignment = request.assignment
    submissions = discover(request.submissions, assignment.id, assignment.notebook,            # 1 discover
                           request.work_dir / "unpacked")
    work = plan(submissions, request.out_dir, request.suite.digest, request.device.kind,        # 2 plan
                assignment.keras_backend, request.force, request.shard)
    results: dict[str, SubmissionResult] = {}
    unwritten: list[OSError] = []
    graded = 0

    def done(submission: Submission, result: SubmissionResult, earlier: SubmissionResult | None = None) -> None:
        nonlocal graded
        result = finish(result, submission, assignment, request.suite.digest, request.device.kind,  # 4 finish
                        request.late_by_mtime)
        graded += earlier is None
        if on_progress and earlier is None:
            on_progress(graded, len(work.to_grade))
        if result != earlier:
            try:
                write_result(request.out_dir, result)                                          # 5 write
            except OSError as exc:  # a full disk loses only this student's result; the batch goes on
                unwritten.append(exc)
                return
        results[submission.student] = result

    for submission, earlier in work.kept:
        done(submission, earlier, earlier)
    run(Batch(assignment, request.suite, request.work_dir, request.sandbox, max(1, request.jobs),   # 3 run
              request.device, request.in_process, request.worker_uid), list(work.to_grade), done)
    ordered = tuple(results[s.student] for s in submissions if s.student in results)
    if request.gradebook is not None and ordered:
        with Gradebook(request.gradebook) as gradebook:                                          # 6 record
            gradebook.record(list(ordered))
    if unwritten:
        raise unwritten[0] if len(unwritten) == 1 else ResultsNotWritten(unwritten)
    return Outcome(ordered, tuple(s.student for s in work.to_grade))
