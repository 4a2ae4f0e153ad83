"""The late rule (autograder/late.py): edge cases of grace, days, the cap, extensions, nbgrader's timestamps."""
from datetime import datetime, timedelta, timezone

import pytest

from autograder.course import late
from autograder.course.config import ConfigError, Course, validate_model

DUE = datetime(2026, 9, 21, 23, 59, tzinfo=timezone(timedelta(hours=3)))
POLICY = dict(grace_minutes=15, penalty_per_day=0.1, max_days_late=5)


def assess(after: timedelta, **policy):
    return late.assess(DUE + after, DUE, **{**POLICY, **policy}, source="timestamp.txt")


@pytest.mark.parametrize("after, days, penalty", [
    (timedelta(hours=-1), 0, 0.0),                           # early
    (timedelta(0), 0, 0.0),                                  # exactly at the due date
    (timedelta(minutes=15), 0, 0.0),                         # the last second of the grace
    (timedelta(minutes=15, seconds=1), 1, 0.1),              # one second after the grace: one day late
    (timedelta(days=1, minutes=15), 1, 0.1),                 # a full day after the grace: still one day
    (timedelta(days=1, minutes=15, seconds=1), 2, 0.2),      # then the second day begins
    (timedelta(days=5, minutes=15), 5, 0.5),                 # the last day late work is accepted
    (timedelta(days=5, minutes=15, seconds=1), 6, 1.0),      # past max_days_late: zero
])
def test_days_late_and_penalty(after, days, penalty):
    result = assess(after)
    assert (result.days_late, result.penalty) == (days, penalty)


def test_penalty_is_a_fraction_of_the_score_earned_and_capped_at_all_of_it():
    assert assess(timedelta(days=2)).apply(80) == pytest.approx(80 * 0.8)
    assert assess(timedelta(days=3), penalty_per_day=0.5, max_days_late=10).apply(80) == 0


def test_max_days_late_zero_accepts_nothing_late():
    assert assess(timedelta(minutes=16), max_days_late=0).penalty == 1.0
    assert assess(timedelta(minutes=14), max_days_late=0).penalty == 0.0


def test_closes_at_is_the_last_moment_that_earns_points():
    closes = late.closes_at(DUE, 15, 5)
    assert late.assess(closes, DUE, **POLICY, source="x").penalty == 0.5
    assert late.assess(closes + timedelta(seconds=1), DUE, **POLICY, source="x").penalty == 1.0


def course_with(extensions) -> Course:
    data = {"course": {"name": "c", "term": "t"}, "assignments": [
        {"id": "01_bayes", "title": "B", "notebook": "bayes.ipynb", "release": "2026-09-07T09:00:00+03:00",
         "due": DUE.isoformat(), "points": 100, "late_policy": POLICY, "extensions": extensions}]}
    return validate_model(Course, data, "course.yml")


def test_an_extension_moves_the_due_date_for_that_student_only():
    assignment = course_with({"ana": {"due": "2026-09-24T23:59:00+03:00"}, "bo": {"hours": 48}}).assignments[0]
    submitted = DUE + timedelta(days=2, hours=1)
    ana = late.for_student(assignment, "ana", submitted, "timestamp.txt")
    bo = late.for_student(assignment, "bo", submitted, "timestamp.txt")
    cy = late.for_student(assignment, "cy", submitted, "timestamp.txt")
    assert (ana.days_late, ana.extended) == (0, True)
    assert (bo.days_late, bo.penalty, bo.extended) == (1, 0.1, True)  # 48 h extra, then an hour (past the grace)
    assert (cy.days_late, cy.penalty, cy.extended) == (3, 0.3, False)


@pytest.mark.parametrize("extensions, message", [
    ({"ana": {"hours": 24, "due": "2026-09-30T00:00:00+03:00"}}, "give exactly one of 'due'"),
    ({"ana": {}}, "give exactly one of 'due'"),
    ({"ana": {"hours": -3}}, "assignments[0].extensions.ana.hours: input should be greater than 0"),
    ({"ana": {"due": "2026-09-30"}}, "expected a date-time with a time zone"),
    ({"ana": {"due": "2026-09-20T00:00:00+03:00"}}, "extensions.ana: the new due date must come after"),
    ({"no spaces": {"hours": 1}}, "extensions: 'no spaces' is not a student id"),
    ({"ana": {"days": 1}}, "assignments[0].extensions.ana.days: unknown key"),
])
def test_malformed_extensions_are_clear_errors(extensions, message):
    with pytest.raises(ConfigError) as error:
        course_with(extensions)
    assert any(message in problem and problem.startswith("course.yml: ") for problem in error.value.problems), \
        error.value.problems


@pytest.mark.parametrize("text, expected", [
    ("2026-09-22 07:00:00.123456 UTC", datetime(2026, 9, 22, 7, 0, 0, 123456, tzinfo=timezone.utc)),  # nbgrader's default
    ("2026-09-22 10:00:00 +0300", datetime(2026, 9, 22, 7, tzinfo=timezone.utc)),
    ("2026-09-22T10:00:00+03:00\n", datetime(2026, 9, 22, 7, tzinfo=timezone.utc)),
    ("2026-09-22 09:00:00.000000 Europe/Berlin", datetime(2026, 9, 22, 7, tzinfo=timezone.utc)),
])
def test_nbgrader_timestamps_are_read(text, expected):
    assert late.parse_timestamp(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-09-22 07:00:00", "2026-09-22 07:00:00 Mars/Olympus", ""])
def test_unreadable_timestamps_are_errors(text):
    with pytest.raises(ValueError):
        late.parse_timestamp(text)


def test_submission_time_prefers_timestamp_txt_over_the_files_time(tmp_path):
    notebook = tmp_path / "bayes.ipynb"
    notebook.write_text("{}")
    assert late.submission_time(tmp_path, notebook)[1] == "file modification time"
    (tmp_path / "timestamp.txt").write_text("2026-09-22 07:00:00.000000 UTC")
    assert late.submission_time(tmp_path, notebook) == (datetime(2026, 9, 22, 7, tzinfo=timezone.utc), "timestamp.txt")
    (tmp_path / "timestamp.txt").write_text("garbage")
    when, source = late.submission_time(tmp_path, notebook)
    assert source.startswith("file modification time; timestamp.txt was unreadable")


def test_the_students_line_says_what_happened_without_hidden_values():
    text = assess(timedelta(days=1, hours=2)).describe(80, 100)
    assert text == ("Submitted 2026-09-23 01:59 +03:00 (from timestamp.txt); due 2026-09-21 23:59 +03:00: "
                    "2 days late, a late penalty of 20%: 80/100 becomes 64/100.")
    assert assess(timedelta(0)).describe(80, 100).endswith(": on time.")
    assert "scores 0" in assess(timedelta(days=9)).describe(80, 100)
