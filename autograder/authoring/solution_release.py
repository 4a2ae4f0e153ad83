"""Handing an assignment's reference solution to the students, once no one can still earn points on it.

The solution opens when the last submission that still earns points is past: the latest due date
(counting extensions) plus the grace period plus ``max_days_late`` days. Before that, only ``--force``.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from autograder.authoring.release import ReleaseError
from autograder.authoring.samples import solution_notebook
from autograder.course.config import Assignment
from autograder.course.late import solution_opens_at
from autograder.course.layout import source_notebook

HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"


def release_solution(assignment: Assignment, out: Path, now: datetime, force: bool = False) -> Path:
    """Write the reference notebook, solutions in place and markers gone, to ``out/<notebook>``."""
    opens = solution_opens_at(assignment)
    if now < opens and not force:
        raise ReleaseError(f"the solution of {assignment.id} can be released from {opens.isoformat()} (the due date, "
                           f"the latest extension, the grace period and {assignment.late_policy.max_days_late} days of "
                           f"late submissions are past only then); it is now {now.isoformat()}. Pass --force to "
                           "release it anyway.")
    source = source_notebook(assignment.id, assignment.notebook)
    if not source.is_file():
        raise ReleaseError(f"solutions/{assignment.id}/{assignment.notebook} does not exist: no solution to release")
    if HIDDEN_TESTS in source.read_text():
        raise ReleaseError(f"solutions/{assignment.id}/{assignment.notebook} has hidden tests in its cells; releasing "
                           "the solution would show them to students")
    notebook = solution_notebook(source)
    for cell in notebook["cells"]:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    out.mkdir(parents=True, exist_ok=True)
    path = out / assignment.notebook
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")
    return path
