"""What the terminal shows: a student's check, a class's grades, a batch's progress."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn,
                           TimeRemainingColumn)
from rich.text import Text
from rich.table import Table

from autograder.grading.results import SubmissionResult
from autograder.reports.feedback import ALL_PASS, student_view
from autograder.reports.gradebook import Gradebook
from autograder.reports.status import AssignmentStatus

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def show_check(result: SubmissionResult) -> None:
    """The student's view: each public test, points so far, and the next failing test with its hint.

    Colour only on a terminal: rich leaves escape codes out when output goes to a pipe or a file.
    """
    view = student_view(result)
    table = Table(title=f"{view.assignment}: public tests", title_justify="left")
    table.add_column("test")
    table.add_column("result")
    table.add_column("points", justify="right")
    for test in view.tests:
        mark = {"pass": "[green]pass[/]", "FAIL": "[bold red]FAIL[/]"}.get(test.label, f"[dim]{test.label}[/]")
        table.add_row(escape(test.name.split("::")[-1]), mark, f"{test.score:g}/{test.max_score:g}")
    console.print(table)
    console.print(f"Points so far: [bold]{view.score:g} / {view.max_score:g}[/] public points.")
    if view.notes:
        console.print("\nNotes:", style="yellow")
        console.print(view.notes, style="yellow", markup=False)
    for test in view.not_run:
        console.print(f"Not run: {test.name.split('::')[-1]}. {test.message}", markup=False)
    if not view.failing:
        console.print(ALL_PASS, style="green")
        return
    following = len(view.failing) - 1
    nxt = view.failing[0]
    console.print(f"\nNext to fix: [bold]{escape(nxt.name.split('::')[-1])}[/]"
                  + (f" ({following} more after it)" if following else ""))
    console.print(nxt.message or "This test failed.", markup=False)
    if nxt.hint:
        console.print(f"[bold]Hint:[/] {escape(nxt.hint)}")


def batch_summary(results: list[SubmissionResult]) -> str:
    """One line for the end of a batch: graded, failed to load, timed out, crashed."""
    worker = [r.extra.get("worker") or {} for r in results]
    counts = [
        (sum(r.status == "graded" for r in results), "graded"),
        (sum(r.status == "not_loaded" for r in results), "failed to load"),
        (sum(bool(w.get("timeouts")) for w in worker), "with a time-out"),
        (sum(bool(w.get("crashes")) for w in worker), "with a worker crash"),
        (sum(r.status == "crashed" for r in results), "not finished (graded again next run)"),
    ]
    return f"{len(results)} submissions: " + ", ".join(f"{n} {what}" for n, what in counts if n)


def show_gradebook(gradebook: Gradebook, assignment: str) -> None:
    rows = gradebook.rows(assignment)
    table = Table(title=f"Gradebook: {assignment} ({len(rows)} students)", title_justify="left")
    for column, justify in (("student", "left"), ("score", "right"), ("late", "right"), ("grade", "right"),
                            ("status", "left"), ("time", "right")):
        table.add_column(column, justify=justify)
    for row in rows:
        late = f"{row.days_late} d, -{row.penalty:.0%}" if row.days_late else ""
        table.add_row(row.student, f"{row.score:g}/{row.max_score:g}", late, f"{row.final_score:g}", row.status,
                      f"{row.execution_time:.1f} s")
    console.print(table)
    rates = gradebook.pass_rates(assignment)
    if rates:
        hardest = Table(title="Tests by pass rate (hardest first)", title_justify="left")
        for column in ("test", "points", "passed"):
            hardest.add_column(column)
        for test, points, rate, count in rates[:10]:
            hardest.add_row(test, f"{points:g}", f"{rate:.0%} of {count}")
        console.print(hardest)


def show_status(statuses: list[AssignmentStatus]) -> None:
    table = Table(title="Course status (late work: the last moment a submission earns points)", title_justify="left")
    for column in ("assignment", "state", "released", "due", "late work", "graded", "late", "mean"):
        table.add_column(column)
    for s in statuses:
        mean = "" if s.mean_grade is None else f"{s.mean_grade:.1f}/{s.points:g}"
        table.add_row(s.id, s.state, f"{s.release:%b %d}", f"{s.due:%b %d %H:%M}", f"{s.closes:%b %d %H:%M}",
                      str(s.graded), str(s.late), mean)
    console.print(table)


class _Rate(ProgressColumn):
    """Items per second, averaged over the last half minute."""

    def render(self, task) -> Text:
        return Text(f"{task.speed:.2f}/s" if task.speed else "-/s", style="progress.data.speed")


@contextmanager
def progress_bar(description: str):
    """A progress bar with rate and ETA; yields a callback taking (done, total)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeElapsedColumn(),
                  TextColumn("eta"), TimeRemainingColumn(), console=errors, transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)
