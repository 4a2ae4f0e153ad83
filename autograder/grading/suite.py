"""A suite: the test files that grade an assignment, how pytest is started on them, and what they contain.

The hidden suite (what ``grade`` runs) is the public tests plus ``solutions/<id>/hidden/``; the public suite
(what ``check`` runs for a student) is the released ``assignments/<id>/tests/``. A suite's digest names its
content: a result graded by the same digest need not be graded again.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from autograder.course.layout import BUILD, PUBLIC_TESTS, RELEASES, ROOT, SOLUTIONS, hidden_suite_dir
from autograder.grading.results import TestResult, write_json_atomically

PYTEST_INI = Path(__file__).resolve().parent / "pytest.ini"
LISTINGS = BUILD / "suites"  # each suite's tests, by digest: collecting 05's suite imports TensorFlow
LISTED = "AG-TEST "  # the line prefix of a test in `pytest --ag-list`


@dataclass(frozen=True)
class Suite:
    """The test files that grade an assignment, and a digest of their content."""
    assignment: str
    paths: tuple[Path, ...]

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for place in self.paths:
            files = sorted(place.rglob("*.py")) if place.is_dir() else [p for p in [place] if p.is_file()]
            for path in files:
                name = f"{place.name}/{path.relative_to(place)}" if place.is_dir() else path.name
                digest.update(name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]

    def pytest_args(self) -> list[str]:
        """pytest's arguments for this suite, with the kit's configuration (autograder/grading/pytest.ini)."""
        return ["-c", str(PYTEST_INI), "--rootdir", str(ROOT), *[str(p) for p in self.paths if p.exists()]]


def hidden_suite(assignment: str) -> Suite:
    """Public and hidden tests: what `grade` runs."""
    return Suite(assignment, (SOLUTIONS / assignment / PUBLIC_TESTS, hidden_suite_dir(assignment)))


def public_suite(assignment: str) -> Suite:
    """The released public tests: what `check` runs for a student."""
    return Suite(assignment, (RELEASES / assignment / PUBLIC_TESTS,))


def grader_env() -> dict[str, str]:
    """Only the kit's plugin: a pytest plugin that happens to be installed must not change grading."""
    return {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def suite_tests(suite: Suite, hidden_visibility: str = "hidden") -> list[TestResult]:
    """The tests of a suite with their points, visibility and hints, by collecting it (no student code runs);
    remembered by the suite's digest under build/suites/."""
    listing = LISTINGS / f"{suite.assignment}-{suite.digest}.json"
    try:
        specs = json.loads(listing.read_text())
    except (OSError, ValueError):
        specs = _collect(suite)
        write_json_atomically(listing, specs)
    return [TestResult(spec["name"], spec["points"], visibility="visible" if spec["visible"] else hidden_visibility,
                       hint=spec["hint"]) for spec in specs]


def suite_points(suite: Suite) -> float:
    """What the suite is worth: the sum of its tests' points."""
    return sum(test.max_score for test in suite_tests(suite))


def _collect(suite: Suite) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "pytest", *suite.pytest_args(), "--collect-only", "-q", "-s",
                          "--ag-list"], cwd=ROOT, capture_output=True, text=True, env=grader_env())
    lines = [line for line in out.stdout.splitlines() if line.startswith(LISTED)]
    if out.returncode not in (0, 5) or not lines:
        raise RuntimeError(f"collecting the suite for {suite.assignment} failed:\n{out.stdout[-3000:]}{out.stderr[-3000:]}")
    return [json.loads(line[len(LISTED):]) for line in lines]
