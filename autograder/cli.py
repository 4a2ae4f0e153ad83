"""python -m autograder: the commands students, instructors and CI run.

Exit status: 0 success; 1 the work was done and found problems (failing tests, an inconsistent
course); 2 the command could not be carried out (bad configuration or arguments, no sandbox).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder import release, report, samples
from autograder.config import ROOT, ConfigError, load_course
from autograder.grading import (Batch, SandboxUnavailable, default_jobs, grade, grade_folder, hidden_suite,
                                public_suite, require_sandbox)
from autograder.gradebook import Gradebook
from autograder.sandbox.limits import bwrap_path
from autograder.submissions import Submission, content_hash

GRADES = ROOT / "grades"
GRADEBOOK = GRADES / "gradebook.sqlite"


class UsageProblem(Exception):
    """The command cannot be carried out as asked; exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        report.errors.print("\n".join(exc.problems), markup=False)
        return 2
    except (UsageProblem, SandboxUnavailable, release.ReleaseError, FileNotFoundError) as exc:
        report.errors.print(f"error: {exc}", markup=False)
        return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    parser.add_argument("--course", type=Path, default=ROOT / "course.yml", help="the course file (default: course.yml)")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")

    p = verbs.add_parser("validate", help="check that the course is consistent (exit 1 if not)",
                         description="Check course.yml, that assignments/ is in sync with solutions/ and leaks "
                                     "nothing, that the reference solution scores full marks, the stub zero, and "
                                     "each sample student exactly their expected score.")
    p.add_argument("assignments", nargs="*", help="only these assignment ids (default: all)")
    _grading_options(p)
    p.set_defaults(run=cmd_validate)

    p = verbs.add_parser("release", help="regenerate the student version of an assignment with nbgrader",
                         description="Run nbgrader generate_assignment: solutions/<id>/ -> assignments/<id>/.")
    p.add_argument("assignments", nargs="+", metavar="ID")
    p.set_defaults(run=cmd_release)

    p = verbs.add_parser("check", help="for students: run the public tests on your notebook",
                         description="Run the public tests of an assignment on a notebook and print a table of "
                                     "results. Exit status 0 when all pass.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("notebook", nargs="?", type=Path, help="default: assignments/<ID>/<notebook> from course.yml")
    p.set_defaults(run=cmd_check)

    p = verbs.add_parser("grade", help="for instructors: grade a folder of submissions with the hidden suite",
                         description="Grade every submission in SUBMISSIONS (one folder per student, nbgrader's "
                                     "submitted/<student>/<ID>/ layout, or <student>.ipynb / <student>.zip files). "
                                     "Writes OUT/<student>/results.json (Gradescope's schema) and updates the "
                                     "gradebook.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, help="output folder (default: grades/<ID>)")
    p.add_argument("--gradebook", type=Path, default=GRADEBOOK, help=f"SQLite gradebook (default: {GRADEBOOK.relative_to(ROOT)})")
    _grading_options(p)
    p.set_defaults(run=cmd_grade)

    p = verbs.add_parser("report", help="summary of an assignment's grades from the gradebook")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("--gradebook", type=Path, default=GRADEBOOK)
    p.set_defaults(run=cmd_report)

    p = verbs.add_parser("export", help="write the gradebook as CSV: one row per student, one column per assignment")
    p.add_argument("--csv", type=Path, default=GRADES / "grades.csv", help="default: grades/grades.csv")
    p.add_argument("--gradebook", type=Path, default=GRADEBOOK)
    p.set_defaults(run=cmd_export)

    p = verbs.add_parser("demo", help="grade the sample class of every assignment and show the gradebook")
    p.add_argument("--gradebook", type=Path, default=GRADEBOOK)
    _grading_options(p)
    p.set_defaults(run=cmd_demo)
    return parser


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="grader processes in parallel (default: cores)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code without bubblewrap (unsafe: only for trusted code)")


def _sandbox(args) -> bool:
    if args.no_sandbox:
        report.errors.print("[bold red]warning:[/] --no-sandbox: student code runs unconfined, with your "
                            "permissions, files and network. Use it only for code you trust.")
        return False
    require_sandbox()
    if args.jobs < 1:
        raise UsageProblem(f"--jobs must be at least 1, got {args.jobs}")
    return True


def cmd_validate(args) -> int:
    from autograder.validate import validate
    course = load_course(args.course)
    problems = validate(course, args.assignments or None, _sandbox(args), args.jobs,
                        log=lambda text: report.errors.print(text, markup=False))
    for problem in problems:
        report.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
    if not problems:
        report.console.print("✓ the course is consistent", style="green")
    return 1 if problems else 0


def cmd_release(args) -> int:
    course = load_course(args.course)
    for assignment_id in args.assignments:
        course.assignment(assignment_id)
        path = release.generate(assignment_id)
        leaks = release.leaks(assignment_id)
        for problem in leaks:
            report.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
        report.console.print(f"released {assignment_id} -> {path.relative_to(ROOT)}")
        if leaks:
            return 1
    return 0


def cmd_check(args) -> int:
    course = load_course(args.course)
    assignment = course.assignment(args.assignment)
    notebook = (args.notebook or ROOT / "assignments" / assignment.id / assignment.notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"{notebook}: no such notebook")
    sandbox = bwrap_path() is not None
    if not sandbox:
        report.errors.print("note: bubblewrap is not installed; your notebook runs without a sandbox.")
    with tempfile.TemporaryDirectory(prefix="check-") as tmp:
        folder = Path(tmp) / "submission"  # the notebook alone: its folder may hold anything
        folder.mkdir()
        shutil.copyfile(notebook, folder / assignment.notebook)
        submission = Submission("you", folder, folder / assignment.notebook, None, content_hash(folder))
        batch = Batch(assignment, public_suite(assignment.id), Path(tmp) / "out", sandbox)
        [result] = grade(batch, [submission])
    report.show_check(result)
    return 0 if result.score == result.max_score else 1


def cmd_grade(args) -> int:
    course = load_course(args.course)
    assignment = course.assignment(args.assignment)
    sandbox = _sandbox(args)
    out = args.out or GRADES / assignment.id
    results = _grade_and_record(assignment, args.submissions, out, sandbox, args.jobs, args.gradebook)
    statuses = {status: sum(r.status == status for r in results) for status in ("graded", "not_loaded", "crashed")}
    report.console.print(f"graded {len(results)} submissions of {assignment.id} into {out}: "
                         + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in statuses.items() if n))
    return 0


def _grade_and_record(assignment, submissions: Path, out: Path, sandbox: bool, jobs: int, gradebook_path: Path):
    batch = Batch(assignment, hidden_suite(assignment.id), out, sandbox, max(1, jobs))
    started = time.monotonic()
    with report.progress_bar(f"grading {assignment.id}") as update:
        results = grade_folder(batch, submissions, on_progress=update)
    with Gradebook(gradebook_path) as gradebook:
        gradebook.record(results)
    report.errors.print(f"{len(results)} submissions in {time.monotonic() - started:.1f} s")
    return results


def cmd_report(args) -> int:
    course = load_course(args.course)
    course.assignment(args.assignment)
    with Gradebook(args.gradebook) as gradebook:
        report.show_gradebook(gradebook, args.assignment)
    return 0


def cmd_export(args) -> int:
    course = load_course(args.course)
    with Gradebook(args.gradebook) as gradebook:
        gradebook.export_csv(args.csv, [a.id for a in course.assignments])
    report.console.print(f"wrote {args.csv}")
    return 0


def cmd_demo(args) -> int:
    course = load_course(args.course)
    sandbox = _sandbox(args)
    for assignment in course.assignments:
        if not samples.has_samples(assignment.id):
            continue
        folder = ROOT / "build" / "class" / assignment.id
        samples.build_class(assignment.id, assignment.notebook, folder)
        _grade_and_record(assignment, folder, GRADES / assignment.id, sandbox, args.jobs, args.gradebook)
        with Gradebook(args.gradebook) as gradebook:
            report.show_gradebook(gradebook, assignment.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
