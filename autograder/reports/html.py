"""Reports as one self-contained HTML file: tables and figures (matplotlib, drawn as inline SVG).

``assignment_report`` is one assignment: grade histogram, pass rate per test (hardest first), grading
time per submission, and a table of students. ``course_report`` is the course: per assignment what is
released, due and graded, the spread of grades, and every student's grades side by side.
"""
from __future__ import annotations

from datetime import datetime
from statistics import median

from autograder.course.config import Assignment, Course
from autograder.reports.gradebook import Row
from autograder.reports.pages import BLUE, ORANGE, escape, figure, page, plot_axes, svg, table
from autograder.reports.status import AssignmentStatus

def assignment_report(course: Course, assignment: Assignment, rows: list[Row],
                      pass_rates: list[tuple[str, float, float, int]], generated: datetime) -> str:
    """The HTML page for one assignment; ``pass_rates`` as Gradebook.pass_rates returns them."""
    title = f"{assignment.title} ({assignment.id})"
    policy = assignment.late_policy
    body = [f"<h1>{escape(title)}</h1>",
            f"<p class='muted'>{escape(course.course.name)}, {escape(course.course.term)}. Due {escape(_when(assignment.due))}; "
            f"late: {policy.grace_minutes} min grace, {policy.penalty_per_day:.0%} per day, zero after "
            f"{policy.max_days_late} days. Report of {escape(_when(generated))}.</p>"]
    if not rows:
        body.append("<p id='empty'>No submission of this assignment has been graded yet.</p>")
        return page(title, body)
    grades = [row.final_score for row in rows]
    late = [row for row in rows if row.days_late]
    body.append(
        f"<p id='summary'>{len(rows)} students graded; mean grade {sum(grades) / len(grades):.1f}, median "
        f"{median(grades):g} of {assignment.points:g}; {sum(g >= assignment.points for g in grades)} full marks; "
        f"{len(late)} late; {sum(row.status != 'graded' for row in rows)} could not be graded.</p>")
    body.append(figure("histogram", "Grades (after late penalties)", _histogram(grades, assignment.points)))
    body.append(figure("pass-rates", "Pass rate per test, the tests most students fail first", _pass_rates(pass_rates)))
    body.append(figure("times", "Grading time per submission", _times([row.execution_time for row in rows])))
    body.append("<h2>Students</h2>")
    body.append(table(
        ["student", ("grade", "n"), ("tests", "n"), "status", "submitted", ("days late", "n"), ("penalty", "n"),
         ("time", "n"), "device"],
        [[row.student, (f"{row.final_score:g}", "n"), (f"{row.score:g}/{row.max_score:g}", "n"),
          (row.status, "" if row.status == "graded" else "bad"),
          _when(datetime.fromisoformat(row.submitted_at)) if row.submitted_at else "",
          (str(row.days_late) if row.days_late else "", "n late"), (f"{row.penalty:.0%}" if row.penalty else "", "n late"),
          (f"{row.execution_time:.1f} s", "n"), row.device] for row in rows], table_id="students"))
    return page(title, body)


def course_report(course: Course, statuses: list[AssignmentStatus], rows: list[Row], generated: datetime) -> str:
    """The HTML page for the whole course."""
    title = f"{course.course.name}, {course.course.term}"
    body = [f"<h1>{escape(title)}</h1>", f"<p class='muted'>Course summary of {escape(_when(generated))}.</p>",
            "<h2>Assignments</h2>",
            table(["assignment", "state", "release", "due", "late work until", ("graded", "n"), ("late", "n"),
                    ("mean grade", "n")],
                   [[f"{s.title} ({s.id})", s.state, _when(s.release), _when(s.due), _when(s.closes),
                     (str(s.graded), "n"), (str(s.late), "n"),
                     ("" if s.mean_grade is None else f"{s.mean_grade:.1f}/{s.points:g}", "n")] for s in statuses],
                   table_id="assignments")]
    graded = [s for s in statuses if s.graded]
    if graded:
        spread = {s.id: [100 * r.final_score / s.points for r in rows if r.assignment == s.id] for s in graded}
        body.append(figure("spread", "Grades per assignment (% of the points)", _boxplot(spread)))
    students = sorted({row.student for row in rows})
    grade = {(row.student, row.assignment): row for row in rows}
    body.append("<h2>Students</h2><p class='muted'>Grades after late penalties; "
                "<span class='late'>late ones in orange</span>.</p>")
    body.append(table(
        ["student", *[(s.id, "n") for s in statuses], ("total", "n")],
        [[student, *[_cell(grade.get((student, s.id))) for s in statuses],
          (f"{sum(r.final_score for (st, _), r in grade.items() if st == student):g}", "n")] for student in students],
        table_id="students"))
    return page(title, body)


# ------------------------------------------------------------------ figures
def _histogram(grades: list[float], points: float) -> str:
    drawing, axes = plot_axes(7, 2.6)
    axes.hist(grades, bins=20, range=(0, points), color=BLUE, edgecolor="white")
    axes.set_xlabel(f"grade (of {points:g})")
    axes.set_ylabel("students")
    return svg(drawing)


def _pass_rates(rates: list[tuple[str, float, float, int]]) -> str:
    names = [test.split("::")[-1] for test, *_ in rates]
    drawing, axes = plot_axes(7, 0.8 + 0.2 * len(rates))
    bars = axes.barh(range(len(rates)), [100 * rate for _, _, rate, _ in rates],
                     color=[ORANGE if rate < 0.5 else BLUE for _, _, rate, _ in rates])
    axes.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=7)
    axes.set_yticks(range(len(rates)), names)
    axes.set_ylim(len(rates) - 0.5, -0.5)  # hardest at the top
    axes.set_xlim(0, 105)
    axes.set_xlabel("students who pass (%)")
    return svg(drawing)


def _times(seconds: list[float]) -> str:
    drawing, axes = plot_axes(7, 2.4)
    axes.hist(seconds, bins=20, color=BLUE, edgecolor="white")
    axes.set_xlabel("seconds to grade one submission")
    axes.set_ylabel("submissions")
    return svg(drawing)


def _boxplot(spread: dict[str, list[float]]) -> str:
    drawing, axes = plot_axes(7, 2.8)
    axes.boxplot(list(spread.values()), tick_labels=list(spread), vert=True)
    axes.set_ylim(-5, 105)
    axes.set_ylabel("grade (%)")
    return svg(drawing)


def _cell(row: Row | None):
    if row is None:
        return ("", "n")
    return (f"{row.final_score:g}", "n late" if row.days_late else "n")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %z")


