"""Where the course stands: per assignment, what is released, what is due, what has been graded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import mean

from autograder.course.config import Course
from autograder.course.late import solution_opens_at
from autograder.reports.gradebook import Row

NOT_RELEASED, OPEN, LATE_ONLY, CLOSED = "not released", "open", "late submissions only", "closed"


@dataclass(frozen=True)
class AssignmentStatus:
    id: str
    title: str
    state: str
    release: datetime
    due: datetime
    closes: datetime  # the last moment a submission earns points (also when its solution may be released)
    graded: int
    late: int
    mean_grade: float | None
    points: float


def course_status(course: Course, rows: list[Row], now: datetime) -> list[AssignmentStatus]:
    statuses = []
    for assignment in course.assignments:
        mine = [row for row in rows if row.assignment == assignment.id]
        closes = solution_opens_at(assignment)
        if now < assignment.release:
            state = NOT_RELEASED
        elif now <= assignment.due:
            state = OPEN
        elif now <= closes:
            state = LATE_ONLY
        else:
            state = CLOSED
        statuses.append(AssignmentStatus(
            assignment.id, assignment.title, state, assignment.release, assignment.due, closes, len(mine),
            sum(row.days_late > 0 for row in mine), mean(row.final_score for row in mine) if mine else None,
            assignment.points))
    return statuses
