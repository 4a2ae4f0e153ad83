"""Each assignment end to end, through the real CLI and sandbox.

The sample class (samples/<id>/class.yml) is built from the current notebooks and graded with
`python -m autograder grade`; every student must get exactly the score class.yml gives, every
result must list every test, and grading again must not duplicate a gradebook row.
"""
import json
import sqlite3

import pytest

from autograder.authoring import release, samples
from autograder.course.config import load_course
from autograder.grading.suite import hidden_suite, suite_points
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT, read_results, run_cli

COURSE = load_course(ROOT / "course.yml")
WITH_SAMPLES = [a for a in COURSE.assignments if samples.has_samples(a.id)]
needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")


@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_release_is_in_sync_and_leaks_nothing(assignment):
    assert release.out_of_sync(assignment.id) == []
    assert release.leaks(assignment.id) == []


@pytest.fixture(scope="module", params=WITH_SAMPLES, ids=lambda a: a.id)
def graded_class(request, tmp_path_factory):
    assignment = request.param
    tmp = tmp_path_factory.mktemp(assignment.id)
    expected = samples.build_class(assignment.id, assignment.notebook, tmp / "class")
    args = ["grade", assignment.id, tmp / "class", "--out", tmp / "out", "--gradebook", tmp / "g.sqlite", "--jobs", "2"]
    done = run_cli(*args, check_status=0, timeout=grading_timeout(expected))
    return assignment, expected, tmp, args, done


def grading_timeout(expected: dict) -> int:
    """Seconds to grade a sample class: 05's students each train Keras models (about 30 s apiece on 2 busy cores),
    so a fixed 10 minutes is too short for its class; this bound only catches a hang."""
    return max(600, 60 * len(expected))


@needs_bwrap
def test_every_sample_student_gets_their_exact_score(graded_class):
    assignment, expected, tmp, _, _ = graded_class
    scores = {name: read_results(tmp / "out", name)["score"] for name in expected}
    wrong = {name: (scores[name], s.score) for name, s in expected.items() if abs(scores[name] - s.score) > 1e-9}
    assert not wrong, f"(got, expected) for {assignment.id}: {wrong}"


@needs_bwrap
def test_every_result_lists_every_test_in_gradescope_shape(graded_class):
    assignment, expected, tmp, _, _ = graded_class
    points = suite_points(hidden_suite(assignment.id))
    assert points == 100  # every assignment of this course is worth 100 automatic points
    shapes = set()
    for name in expected:
        data = read_results(tmp / "out", name)
        assert data["max_score"] == points
        assert sum(t["max_score"] for t in data["tests"]) == points
        assert {t["status"] for t in data["tests"]} <= {"passed", "failed"}
        shapes.add(tuple(t["name"] for t in data["tests"]))
    assert len(shapes) == 1


@needs_bwrap
def test_grading_again_replaces_gradebook_rows(graded_class):
    assignment, expected, tmp, args, _ = graded_class
    db = sqlite3.connect(tmp / "g.sqlite")
    before = db.execute("SELECT COUNT(*) FROM tests").fetchone()[0]
    assert before == len(expected) * len(read_results(tmp / "out", next(iter(expected)))["tests"])
    run_cli(*args, check_status=0, timeout=grading_timeout(expected))
    assert db.execute("SELECT COUNT(*) FROM tests").fetchone()[0] == before
    assert db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == len(expected)


@needs_bwrap
@pytest.mark.parametrize("assignment", WITH_SAMPLES, ids=lambda a: a.id)
def test_check_passes_the_reference_and_guides_the_stub(assignment, tmp_path):
    reference = tmp_path / assignment.notebook
    reference.write_text(json.dumps(samples.solution_notebook(ROOT / "solutions" / assignment.id / assignment.notebook)))
    done = run_cli("check", assignment.id, reference)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout
    stub = run_cli("check", assignment.id)
    assert stub.returncode == 1
    assert "Next to fix:" in stub.stdout and "still the stub" in stub.stdout
