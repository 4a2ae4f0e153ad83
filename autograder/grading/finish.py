"""Stage 4, finish: what a raw result from the run stage (or a result kept from an earlier run) needs before it is
written: the submission's content hash, the suite's digest, the device and Keras backend, and the late penalty as course.yml says
*now* (an extension granted since an earlier run counts)."""
from __future__ import annotations

from dataclasses import replace

from autograder.course.config import Assignment
from autograder.course.late import TIMESTAMP_FILE, for_student
from autograder.grading.discover import Submission
from autograder.grading.results import SubmissionResult


def finish(raw: SubmissionResult, submission: Submission, assignment: Assignment, suite_hash: str, device: str,
           late_by_mtime: bool = False) -> SubmissionResult:
    return replace(raw, content_hash=submission.content_hash, suite_hash=suite_hash, device=device,
                   keras_backend=assignment.keras_backend, late=late_penalty(submission, assignment, late_by_mtime))


def late_penalty(submission: Submission, assignment: Assignment, late_by_mtime: bool):
    """The submission's lateness (see course/late.py); None when nothing trustworthy says when it was handed in:
    nbgrader's timestamp.txt, or the file's modification time with ``--late-by-mtime``."""
    trusted = submission.submitted_from == TIMESTAMP_FILE or late_by_mtime
    if submission.submitted_at is None or not trusted:
        return None
    return for_student(assignment, submission.student, submission.submitted_at, submission.submitted_from)
