"""Feedback for students, from real results: sample notebooks of 01 graded through the real CLI and sandbox.

Hidden tests' expected values must never reach a student, hints must, and course.yml's
hidden_visibility decides how much of a hidden test a student sees.
"""
import re
import shutil
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from autograder.authoring import samples
from autograder.reports import feedback
from autograder.course.config import load_course
from autograder.grading.suite import Suite, suite_tests
from autograder.course.late import Late
from autograder.grading.results import FAILED, PASSED, SKIPPED, SubmissionResult, TestResult
from conftest import ROOT, read_results, run_cli
from test_assignments import needs_bwrap

BAYES = load_course(ROOT / "course.yml").assignment("01_bayes")
STUDENTS = ("ben_forgets_evidence", "jon_untouched", "kim_syntax_error")
# Expected values of hidden tests that ben fails: medical_test(0.2, 0.9, 0.3) = 3/7, and
# posterior([0.01, 0.99], [0.95, 0.05]) = [0.161017, 0.838983]; as numbers print in messages (6 digits).
HIDDEN_EXPECTED = ("0.428571", "0.161017", "0.838983")
HIDDEN_HINT = "Does your posterior sum to 1?"  # @pytest.mark.hint of test_discrete::test_posterior_medical_test
PUBLIC_HINT = "Print your posterior and its sum for this example"  # of test_public::test_two_urns


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    samples.build_class(BAYES.id, BAYES.notebook, tmp / "all")
    for student in STUDENTS:
        shutil.move(tmp / "all" / student, tmp / "class" / student)
    run_cli("grade", BAYES.id, tmp / "class", "--out", tmp / "out", "--gradebook", tmp / "g.sqlite", "--jobs", "1",
            check_status=0)
    return tmp


def write_feedback(graded, name, course=None):
    course_args = ["--course", course] if course else []
    run_cli(*course_args, "feedback", BAYES.id, "--results", graded / "out", "--out", graded / name, check_status=0)
    return {student: ((graded / name / f"{student}.md").read_text(), (graded / name / f"{student}.html").read_text())
            for student in STUDENTS}


def course_with(tmp_path, **changes):
    data = yaml.safe_load((ROOT / "course.yml").read_text())
    for entry in data["assignments"]:
        if entry["id"] == BAYES.id:
            entry.update(changes)
    path = tmp_path / "course.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@needs_bwrap
def test_hints_travel_into_results_json(graded):
    tests = {t["name"]: t for t in read_results(graded / "out", "ben_forgets_evidence")["tests"]}
    assert tests["test_discrete::test_posterior_medical_test"]["extra_data"]["hint"].startswith(HIDDEN_HINT)
    assert tests["test_public::test_two_urns"]["extra_data"]["hint"].startswith(PUBLIC_HINT)


@needs_bwrap
def test_feedback_explains_failures_with_hints_and_never_hidden_expected_values(graded):
    md, page = write_feedback(graded, "fb")["ben_forgets_evidence"]
    score = read_results(graded / "out", "ben_forgets_evidence")["score"]
    for text in (md, page):
        assert f"{score:g} / 100" in text and score == samples.load_class(BAYES.id)["ben_forgets_evidence"].score
        assert HIDDEN_HINT in text and PUBLIC_HINT in text
        assert "medical_test(0.2, 0.9, 0.3): got 0.18, which is not correct." in text  # why, without the answer
        for value in HIDDEN_EXPECTED:
            assert value not in text
    assert "expected array of shape (2,) float64: [0.333333, 0.666667]" in md  # public tests show expected values
    assert "<table>" in page and "<script" not in page


@needs_bwrap
def test_hidden_visibility_hidden_shows_only_name_and_pass_fail(graded, tmp_path):
    md, page = write_feedback(graded, "fb-hidden", course_with(tmp_path, hidden_visibility="hidden"))["ben_forgets_evidence"]
    for text in (md, page):
        assert "test_discrete::test_posterior_medical_test" in text and "FAIL" in text
        assert HIDDEN_HINT not in text and "got 0.18" not in text
        assert PUBLIC_HINT in text  # public tests are visible whatever hidden_visibility says
        assert "hidden tests whose details are not shown" in text


@needs_bwrap
def test_load_failures_and_stubs_are_explained(graded):
    written = write_feedback(graded, "fb")
    kim, _ = written["kim_syntax_error"]
    assert "failed while it was loading" in kim and "SyntaxError" in kim
    jon, _ = written["jon_untouched"]
    assert "still the stub" in jon and "0 / 100" in jon


@needs_bwrap
def test_check_output_in_a_pipe_has_points_so_far_and_the_next_failing_test(graded, tmp_path):
    notebook = graded / "class" / "ben_forgets_evidence" / BAYES.notebook
    summary = tmp_path / "summary.md"
    done = run_cli("check", BAYES.id, notebook, "--summary-md", summary)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "\x1b[" not in done.stdout  # no colour codes when stdout is not a terminal
    assert "Points so far: 6 / 10 public points." in done.stdout
    assert re.search(r"Next to fix: test_two_urns \(2 more after it\)", done.stdout)
    assert "Hint:" in done.stdout and " ".join(PUBLIC_HINT.split()[:4]) in " ".join(done.stdout.split())
    text = summary.read_text()
    assert "**Points so far: 6 / 10**" in text and "### Next to fix: `test_public::test_two_urns`" in text


def test_feedback_needs_results(tmp_path):
    done = run_cli("feedback", BAYES.id, "--results", tmp_path, "--out", tmp_path / "fb")
    assert done.returncode == 2 and "no <student>/results.json" in done.stderr


def result_with(message, visibility, hint="a hint"):
    test = TestResult("test_x::test_y", 2.0, 0.0, FAILED, message, visibility, hint=hint)
    return SubmissionResult("stu", BAYES.id, (test,))


@pytest.mark.parametrize("visibility, days_after_due, shown", [
    ("visible", -1, True), ("after_published", -1, True), ("after_due_date", -1, False),
    ("after_due_date", 1, True), ("hidden", 1, False)])
def test_visibility_rules(visibility, days_after_due, shown):
    assignment = BAYES.model_copy(update={"hidden_visibility": visibility})
    view = feedback.student_view(result_with("why it failed", "after_published"), assignment,
                                 now=BAYES.due + timedelta(days=days_after_due))
    [test] = view.tests
    assert (test.message, test.hint) == (("why it failed", "a hint") if shown else ("", ""))


def test_html_escapes_student_text_and_markdown_fences_hold():
    message = "Your code raised an exception.\n<script>alert(1)</script>\n```\nstill inside"
    view = feedback.student_view(result_with(message, "visible", hint="use <b> & *stars*"), BAYES,
                                 now=datetime.now(timezone.utc))
    page = feedback.feedback_html(view)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt; &amp; *stars*" in page
    md = feedback.feedback_markdown(view)
    assert "````text\n" + message + "\n````" in md
    assert "use &lt;b&gt; &amp; \\*stars\\*" in md


def test_a_malformed_hint_is_an_error_naming_the_test(tmp_path):
    (tmp_path / "test_bad.py").write_text("import pytest\n\n@pytest.mark.hint(3)\ndef test_it(student):\n    pass\n")
    with pytest.raises(RuntimeError, match=r"test_it: @pytest.mark.hint takes one non-empty string"):
        suite_tests(Suite(BAYES.id, (tmp_path,)))


def test_late_penalty_and_tests_not_run_are_shown_and_not_failures():
    late = Late("2026-09-23T09:00:00+03:00", "timestamp.txt", BAYES.due.isoformat(), days_late=2, penalty=0.2)
    tests = (TestResult("test_x::test_ok", 5.0, 5.0, PASSED), TestResult("test_x::test_gpu", 0.0, 0.0, SKIPPED,
                                                                        "This test needs a GPU."))
    result = SubmissionResult("stu", BAYES.id, tests, output=late.describe(5.0, 5.0), late=late)
    view = feedback.student_view(result, BAYES)
    assert view.score == 4.0 and view.failing == ()
    md = feedback.feedback_markdown(view)
    assert "Score: **4 / 5**" in md and "| `test_x::test_gpu` | not run | 0 / 0 |" in md
    assert "late penalty of 20%" in md and "Every test passes" in md
