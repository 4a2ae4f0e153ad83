"""Where a course's material lives in the repository (design.md, Layout).

Private material (reference solutions, hidden suites, sample classes) lives outside the ``autograder``
package, so the engine can ship to students as it is.
"""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COURSE_FILE = ROOT / "course.yml"
SOLUTIONS = ROOT / "solutions"    # nbgrader's source: notebooks with solutions, public tests, hidden suites
RELEASES = ROOT / "assignments"   # nbgrader's release, generated from SOLUTIONS
SAMPLES = ROOT / "samples"        # sample classes: typical mistakes and hostile submissions with exact scores
DATASETS = ROOT / "datasets"
GRADES = ROOT / "grades"
BUILD = ROOT / "build"
GRADEBOOK = GRADES / "gradebook.sqlite"
HIDDEN = "hidden"  # solutions/<id>/hidden/: the hidden suite and its cells.yml
PUBLIC_TESTS = "tests"  # solutions/<id>/tests/: the public tests, released with the notebook


def source_notebook(assignment_id: str, notebook: str) -> Path:
    return SOLUTIONS / assignment_id / notebook


def released_notebook(assignment_id: str, notebook: str) -> Path:
    return RELEASES / assignment_id / notebook


def hidden_suite_dir(assignment_id: str) -> Path:
    return SOLUTIONS / assignment_id / HIDDEN


def cell_map_file(assignment_id: str) -> Path:
    return hidden_suite_dir(assignment_id) / "cells.yml"
