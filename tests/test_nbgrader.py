"""The nbgrader round trip: cells.yml against the notebooks (fast), and nbgrader's real CLI end to end (slow).

The end-to-end test makes a temporary nbgrader course from the kit (its nbgrader_config.py and
solutions/), lays a few sample students out as nbgrader's submitted/ (a correct one, a typical mistake,
one that hangs, one that kills its process, and one that forges its cells' points, grade id and checksum),
runs `python -m autograder nbgrader autograde`, gives manual points for the written answers through
nbgrader's API, runs `python -m autograder nbgrader feedback`, and checks nbgrader's CSV export and
feedback HTML against the suite's own results.json.
"""
import csv
import html
import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest

from autograder.authoring import samples
from autograder.course import cells as course_cells
from autograder.course.config import load_course
from autograder.integrations import nbgrader_bridge as bridge
from autograder.grading.results import FAILED, PASSED, TestResult
from autograder.grading.suite import hidden_suite, suite_points
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT, read_results, run_cli

COURSE = load_course(ROOT / "course.yml")
E2E = "01_bayes"
E2E_STUDENTS = ["ada_correct", "eli_variance_not_std", "max_hangs", "ruth_os_exit"]
MANUAL = {"written-base-rate": 3.0, "written-ml-vs-bayes": 4.5}


def _cells(assignment):
    return course_cells.notebook_cells(json.loads((ROOT / "solutions" / assignment.id / assignment.notebook).read_text()))


# ---------------------------------------------------------------- every assignment, fast
@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_cells_yml_maps_every_test_onto_a_cell_with_its_points(assignment):
    assert bridge.problems(assignment) == []


@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_written_questions_are_graded_by_hand_and_released_blank(assignment):
    manual = {grade_id for grade_id, cell in _cells(assignment).items() if cell.manual}
    assert 1 <= len(manual) <= 3, f"{assignment.id}: expected 1-3 written questions, found {sorted(manual)}"
    released = json.loads((ROOT / "assignments" / assignment.id / assignment.notebook).read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in released["cells"]
               if c["metadata"].get("nbgrader", {}).get("grade_id") in manual}
    assert answers == {grade_id: "YOUR ANSWER HERE" for grade_id in manual}
    assert course_cells.notebook_cells(released) == _cells(assignment)  # same cells, same points in the release


# ---------------------------------------------------------------- pure pieces
def _test(name, points, score=0.0, visibility="after_published", output=""):
    return TestResult(name, points, score, PASSED if score == points else FAILED, output, visibility)


def test_cell_problems_name_each_inconsistency():
    tests = [_test("test_a::test_one", 2), _test("test_a::test_two[case=1]", 1), _test("test_b::test_lost", 1)]
    cell_map = {"check-a": ("test_a::test_one", "test_a::test_two[*]"), "check-b": ("test_a::test_one", "test_c::*")}
    cells = {"check-a": course_cells.NotebookCell("check-a", 4, manual=False),
             "check-b": course_cells.NotebookCell("check-b", 2, manual=False),
             "check-c": course_cells.NotebookCell("check-c", 1, manual=False),
             "written": course_cells.NotebookCell("written", 5, manual=True)}
    found = course_cells.cell_problems(cell_map, cells, tests, "nb.ipynb", "01_x")
    assert "test test_a::test_one is in more than one cell (check-a, check-b)" in found
    assert "test test_b::test_lost is in no cell" in found
    assert "check-b: 'test_c::*' matches no test of the suite" in found
    assert any(p.startswith("nb.ipynb: the autograded cell 'check-c' has no tests") for p in found)
    release = "run `python -m autograder release 01_x`, which writes each cell's points from its tests"
    assert f"check-a: the cell in nb.ipynb carries 4 points, its tests add up to 1: {release}" in found
    assert f"check-b: the cell in nb.ipynb carries 2 points, its tests add up to 0: {release}" in found
    assert len(found) == 6


def test_a_consistent_map_has_no_problems_and_brackets_are_literal():
    tests = [_test("t::a[x=1]", 2), _test("t::a[x=2]", 1), _test("t::ax", 1)]
    cell_map = {"c1": ("t::a[*]",), "c2": ("t::ax",)}
    grouped, problems = course_cells.group(cell_map, tests)
    assert problems == []
    assert {grade_id: [t.name for t in found] for grade_id, found in grouped.items()} == \
        {"c1": ["t::a[x=1]", "t::a[x=2]"], "c2": ["t::ax"]}
    assert course_cells.cell_points(cell_map, tests) == {"c1": 3, "c2": 1}


def test_feedback_shows_test_lines_only_at_the_chosen_visibility():
    cell = bridge.CellScore("check-x", (
        _test("test_public::test_seen", 2, 0.0, "visible", "expected 0.5, got 0.25"),
        _test("test_hidden::test_secret", 3, 0.0, "hidden", "got 7, which is not correct"),
        _test("test_hidden::test_later", 1, 1.0, "after_due_date")))
    due = datetime(2026, 9, 21, tzinfo=timezone.utc)
    before = bridge.cell_report(cell, lambda t: bridge.shown_now(t.visibility, due, due - timedelta(days=1)))
    assert "test_public::test_seen  0/2" in before and "expected 0.5, got 0.25" in before
    assert "test_secret" not in before and "got 7" not in before and "test_later" not in before
    assert "2 more tests, not shown: 1 of 4 points." in before
    after = bridge.cell_report(cell, lambda t: bridge.shown_now(t.visibility, due, due + timedelta(days=1)))
    assert "✓ test_hidden::test_later  1/1" in after and "test_secret" not in after
    assert after.startswith("Graded by the course's tests: 1 of 6 points.")


# ---------------------------------------------------------------- nbgrader's CLI, end to end
def _forged(notebook: dict, which: str, **changes) -> dict:
    """A student who edits the nbgrader metadata of a locked cell."""
    [meta] = [c["metadata"]["nbgrader"] for c in notebook["cells"]
              if c["metadata"].get("nbgrader", {}).get("grade_id") == which]
    meta.update(changes)
    return notebook


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    assignment = COURSE.assignment(E2E)
    course = tmp_path_factory.mktemp("nbgrader-course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / E2E, course / "solutions" / E2E)
    built = tmp_path_factory.mktemp("class")
    samples.build_class(E2E, assignment.notebook, built)
    submitted = course / "grades" / "nbgrader" / "submitted"
    students = {name: json.loads((built / name / assignment.notebook).read_text()) for name in E2E_STUDENTS}
    correct = (built / "ada_correct" / assignment.notebook).read_text()
    students["zed_forges_points"] = _forged(json.loads(correct), "check-posterior", points=100, checksum="0" * 32)
    students["yan_renames_a_cell"] = _forged(json.loads(correct), "check-normal", grade_id="check-normal-mine")
    for name, notebook in students.items():
        (submitted / name / E2E).mkdir(parents=True)
        (submitted / name / E2E / assignment.notebook).write_text(json.dumps(notebook))
    autograded = run_cli("nbgrader", "autograde", E2E, "--course-dir", course, "--jobs", "2", timeout=900)
    assert autograded.returncode == 1, autograded.stdout + autograded.stderr  # nbgrader refused yan's notebook:
    assert "yan_renames_a_cell: nbgrader could not autograde" in " ".join(autograded.stdout.split())  # reported
    from nbgrader.api import Gradebook
    manual = {}
    with bridge.scripts_on_path(), Gradebook(bridge.course_directory(course).db_url) as gradebook:
        for k, name in enumerate(sorted(students)):
            for grade_id, points in MANUAL.items():
                grade = gradebook.find_grade(grade_id, "bayes", E2E, name)
                grade.manual_score = points - k % 2  # give different students different marks
                manual[name] = manual.get(name, 0.0) + grade.manual_score
        gradebook.db.commit()
        forged_cell_points = gradebook.find_grade("check-posterior", "bayes", E2E, "zed_forges_points").max_score
    run_cli("nbgrader", "feedback", E2E, "--course-dir", course, check_status=0, timeout=600)
    with open(course / "grades" / "nbgrader" / "grades.csv") as stream:
        exported = {row["student_id"]: row for row in csv.DictReader(stream)}
    return assignment, course, sorted(students), manual, exported, forged_cell_points


@pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")
def test_export_adds_the_suite_score_and_the_manual_points(round_trip):
    assignment, course, students, manual, exported, forged_cell_points = round_trip
    points = suite_points(hidden_suite(assignment.id))
    assert sorted(exported) == students
    for name in students:
        suite = read_results(course / "grades" / E2E, name)
        row = exported[name]
        assert float(row["raw_score"]) == pytest.approx(suite["score"] + manual[name]), name
        assert float(row["max_score"]) == points + sum(c.points for c in _cells(assignment).values() if c.manual)
    assert read_results(course / "grades" / E2E, "ada_correct")["score"] == points
    for forger in ("zed_forges_points", "yan_renames_a_cell"):  # the suite's grade, whatever the metadata says
        assert read_results(course / "grades" / E2E, forger)["score"] == points
    assert forged_cell_points == 12  # nbgrader's OverwriteCells restored the source's points


@pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")
def test_feedback_shows_the_suite_results_but_no_hidden_expected_value(round_trip):
    assignment, course, students, _, _, _ = round_trip
    feedback = course / "grades" / "nbgrader" / "feedback"
    assert sorted(p.name for p in feedback.iterdir()) == [s for s in students if s != "yan_renames_a_cell"]
    for name in students:
        if name == "yan_renames_a_cell":  # nbgrader refused the notebook (reported by autograde, above)
            continue
        page = html.unescape((course / "grades" / "nbgrader" / "feedback" / name / E2E / "bayes.html").read_text())
        suite = read_results(course / "grades" / E2E, name)
        assert "Graded by the course's tests" in page
        for test in suite["tests"]:  # after_published: every test is listed, with its message when it failed
            assert f"{test['name']}  {test['score']:g}/{test['max_score']:g}" in page
            if test["status"] == FAILED and test["output"]:
                assert test["output"].strip().splitlines()[0] in page
        assert "AwaitingCourseTests" not in page
    eli = html.unescape((course / "grades" / "nbgrader" / "feedback" / "eli_variance_not_std" / E2E / "bayes.html").read_text())
    # test_normal_posterior_several_observations: prior N(1, 2^2), five observations with sigma = 1.5
    sigma_n = (1 / 2.0 ** 2 + 5 / 1.5 ** 2) ** -0.5
    assert "test_normal_posterior_several_observations  0/2" in eli
    assert f"{sigma_n:.6g}" not in eli and f"{sigma_n:.4f}" not in eli  # the hidden test's expected sigma_n


@pytest.mark.parametrize("which", ["stub", "reference"])
def test_nbgrader_validate_fails_on_the_stub_and_passes_on_the_reference(which, tmp_path):
    assignment = COURSE.assignment(E2E)
    notebook = json.loads((ROOT / "assignments" / E2E / assignment.notebook).read_text()) if which == "stub" else \
        samples.solution_notebook(ROOT / "solutions" / E2E / assignment.notebook)
    path = tmp_path / "course" / E2E / assignment.notebook  # ../../datasets is where the notebook looks for data
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(notebook))
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    done = bridge.run_nbgrader(ROOT, "validate", str(path))  # from the kit, so nbgrader_config.py applies
    said = " ".join(done.stdout.split())
    if which == "stub":
        assert f"VALIDATION FAILED ON {len(_cells(assignment))} CELL(S)!" in said, said[-3000:]
    else:
        assert "Success! Your notebook passes all the tests." in said, said[-3000:]
