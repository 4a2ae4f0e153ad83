"""What the terminal shows: a student's check, a class's grades, a batch's progress."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from autograder.gradebook import Gradebook
from autograder.results import PASSED, SubmissionResult

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def show_check(result: SubmissionResult) -> None:
    """The student's view: each public test, its points, and the first failure's explanation."""
    table = Table(title=f"{result.assignment}: public tests", title_justify="left")
    table.add_column("test")
    table.add_column("result")
    table.add_column("points", justify="right")
    for test in result.tests:
        mark = "[green]pass[/]" if test.status == PASSED else "[red]FAIL[/]"
        table.add_row(test.name.split("::")[-1], mark, f"{test.score:g}/{test.max_score:g}")
    console.print(table)
    console.print(f"Points so far: [bold]{result.score:g}/{result.max_score:g}[/] on the public tests "
                  "(the hidden tests decide the grade).")
    if result.output:
        console.print(result.output, style="yellow", markup=False)
    failing = [t for t in result.tests if t.status != PASSED]
    if failing:
        first = failing[0]
        console.print(f"\nNext to fix: [bold]{first.name.split('::')[-1]}[/]")
        console.print(first.output, markup=False)


def show_gradebook(gradebook: Gradebook, assignment: str) -> None:
    rows = gradebook.rows(assignment)
    table = Table(title=f"Gradebook: {assignment} ({len(rows)} students)", title_justify="left")
    for column, justify in (("student", "left"), ("score", "right"), ("status", "left"), ("time", "right")):
        table.add_column(column, justify=justify)
    for row in rows:
        table.add_row(row.student, f"{row.score:g}/{row.max_score:g}", row.status, f"{row.execution_time:.1f} s")
    console.print(table)
    rates = gradebook.pass_rates(assignment)
    if rates:
        hardest = Table(title="Tests by pass rate (hardest first)", title_justify="left")
        for column in ("test", "points", "passed"):
            hardest.add_column(column)
        for test, points, rate, count in rates[:10]:
            hardest.add_row(test, f"{points:g}", f"{rate:.0%} of {count}")
        console.print(hardest)


@contextmanager
def progress_bar(description: str):
    """A progress bar with rate and ETA; yields a callback taking (done, total)."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("eta"), TimeRemainingColumn(), console=errors, transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)
