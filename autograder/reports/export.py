"""Grades for a learning management system: CSV in the layouts Canvas and Moodle import.

Canvas (Grades → Import): the columns its own gradebook export has, ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, then one column per assignment named ``Title (id)``; a ``Points Possible``
row under the header as in Canvas' export. Canvas matches a student by ``ID``, ``SIS User ID`` or
``SIS Login ID``, and an assignment column by its name (a new name creates the assignment).

Moodle (Grades → Import → CSV file): any header; on import one maps ``Email address`` to the user's email,
or ``ID number`` to the user's ID number, and each assignment column to a grade item.

Scores are grades after any late penalty; a student not graded on an assignment has an empty cell
(both systems leave that grade unchanged). Identifiers come from the optional roster.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.course.config import STUDENT_NAME, Assignment, ConfigError

FORMATS = ("csv", "canvas", "moodle")
ROSTER_COLUMNS = ("student", "name", "email", "sis_id", "login_id", "canvas_id", "section")


@dataclass(frozen=True)
class Person:
    """A student as the LMS knows them; ``student`` is the kit's id (the submission folder's name)."""
    student: str
    name: str = ""
    email: str = ""
    sis_id: str = ""
    login_id: str = ""
    canvas_id: str = ""
    section: str = ""


def load_roster(path: Path) -> dict[str, Person]:
    """``roster.csv``: a header naming some of ROSTER_COLUMNS (``student`` required), one row per student."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"]) from None
    reader = csv.reader(text.splitlines())
    header = [column.strip() for column in next(reader, [])]
    problems = []
    if "student" not in header:
        problems.append(f"{path}: row 1: the header must name a 'student' column, got {header}")
    unknown = [column for column in header if column not in ROSTER_COLUMNS]
    if unknown:
        problems.append(f"{path}: row 1: unknown columns {unknown}; expected some of {list(ROSTER_COLUMNS)}")
    if problems:
        raise ConfigError(problems)
    people: dict[str, Person] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{path}: row {number}: expected {len(header)} fields ({', '.join(header)}), got {len(cells)}")
            continue
        fields = {column: cell.strip() for column, cell in zip(header, cells)}
        student = fields["student"]
        if not STUDENT_NAME.match(student):
            problems.append(f"{path}: row {number}: student: expected a student id (letters, digits and _.@+-, as "
                            f"the submission folder is named), got {student!r}")
        elif student in people:
            problems.append(f"{path}: row {number}: student {student!r} appears more than once")
        elif fields.get("email") and "@" not in fields["email"]:
            problems.append(f"{path}: row {number}: email: expected an email address, got {fields['email']!r}")
        else:
            people[student] = Person(**fields)
    if problems:
        raise ConfigError(problems)
    return people


def table(layout: str, assignments: list[Assignment], grades: dict[str, dict[str, float]],
          roster: dict[str, Person]) -> list[list[str]]:
    """The rows of the CSV file (header first): everyone graded or on the roster, sorted by student id."""
    people = [roster.get(s, Person(s)) for s in sorted(set(grades) | set(roster))]

    def scores(person: Person) -> list[str]:
        mine = grades.get(person.student, {})
        return [_number(mine.get(a.id)) for a in assignments]

    if layout == "canvas":
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *[f"{a.title} ({a.id})" for a in assignments]]
        points = ["Points Possible", "", "", "", "", *[_number(a.points) for a in assignments]]
        return [header, points, *[[p.name or p.student, p.canvas_id, p.sis_id or p.student, p.login_id, p.section,
                                   *scores(p)] for p in people]]
    if layout == "moodle":
        header = ["ID number", "Email address", "Full name", *[a.title for a in assignments]]
        return [header, *[[p.sis_id or p.student, p.email, p.name, *scores(p)] for p in people]]
    header = ["student", *[a.id for a in assignments], "total"]
    return [header, *[[p.student, *scores(p), _number(sum(grades.get(p.student, {}).get(a.id, 0.0) for a in assignments))]
                      for p in people]]


def write(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 4):g}"
