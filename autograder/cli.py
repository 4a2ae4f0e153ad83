"""python -m autograder: the commands students, instructors and CI run.

Exit status: 0 success; 1 the work was done and found problems (failing tests, an inconsistent
course); 2 the command could not be carried out (bad configuration or arguments, no sandbox).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from autograder import bench, export, feedback, nbgrader_bridge, release, report, samples, scale
from autograder.config import ROOT, ConfigError, load_course
from autograder.grading import (Batch, SandboxUnavailable, default_jobs, grade_here, hidden_suite,
                                public_suite, require_sandbox)
from autograder.gradebook import Gradebook
from autograder.solution_release import release_solution
from autograder.status import course_status
from autograder.sandbox.devices import ENV_REQUEST, REQUESTS, Device, DeviceUnavailable, choose
from autograder.sandbox.limits import bwrap_path
from autograder.submissions import Submission, content_hash

GRADES = ROOT / "grades"
GRADEBOOK = GRADES / "gradebook.sqlite"
ROSTER = ROOT / "roster.csv"


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
    except (UsageProblem, SandboxUnavailable, DeviceUnavailable, release.ReleaseError, FileNotFoundError,
            scale.ScaleError) as exc:
        report.errors.print(f"error: {exc}", markup=False)
        return 2
    except OSError as exc:  # a full disk, a read-only or unwritable output folder: say which path, and why
        report.errors.print(f"error: {_os_problem(exc)}", markup=False)
        return 2


def _os_problem(exc: OSError) -> str:
    """'<path>: <reason>', also for shutil.copytree's error, which carries a list of (source, target, reason)."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _, target, reason = exc.args[0][0]
        return f"{target}: {reason}"
    return f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)


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
    p.add_argument("--summary-md", type=Path, metavar="FILE",
                   help="also append the results as Markdown to FILE (in CI: $GITHUB_STEP_SUMMARY)")
    p.set_defaults(run=cmd_check)

    p = verbs.add_parser("grade", help="for instructors: grade a folder of submissions with the hidden suite",
                         description="Grade every submission in SUBMISSIONS (one folder per student, nbgrader's "
                                     "submitted/<student>/<ID>/ layout, or <student>.ipynb / <student>.zip files). "
                                     "Writes OUT/<student>/results.json (Gradescope's schema) and updates the "
                                     "gradebook.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("submissions", type=Path)
    p.add_argument("--out", type=Path, help="output folder (default: grades/<ID>)")
    _gradebook_option(p)
    p.add_argument("--late-by-mtime", action="store_true",
                   help="without nbgrader's timestamp.txt, take the notebook's modification time as the submission "
                        "time for late penalties (default: no penalty without timestamp.txt)")
    p.add_argument("--shard", metavar="K/N", help="grade only the students of shard K of N (stable by student id); "
                                                  "auto/N takes K from $AUTOGRADER_SHARD_INDEX, $JOB_COMPLETION_INDEX "
                                                  "or $CI_NODE_INDEX")
    p.add_argument("--force", action="store_true", help="grade everyone again, also students whose submission and "
                                                        "suite are unchanged since their results.json was written")
    _grading_options(p)
    p.set_defaults(run=cmd_grade)

    p = verbs.add_parser("report", help="an assignment's grades, or the course's, in the terminal and as HTML",
                         description="With ID: the assignment's gradebook and hardest tests, and an HTML report with "
                                     "figures (default grades/<ID>/report.html). Without ID (or with "
                                     "--course-summary): the whole course (default grades/report.html).")
    p.add_argument("assignment", metavar="ID", nargs="?")
    p.add_argument("--course-summary", action="store_true", help="the whole course (what no ID means)")
    p.add_argument("--html", type=Path, help="where to write the HTML report")
    _now_option(p)
    _gradebook_option(p)
    p.set_defaults(run=cmd_report)

    p = verbs.add_parser("export", help="write the grades as CSV, for Canvas, Moodle or a spreadsheet",
                         description="One row per student, one column per assignment, grades after late penalties. "
                                     "--format canvas or moodle writes the columns those systems import; "
                                     "identifiers come from the roster (see README).")
    p.add_argument("--format", choices=export.FORMATS, default="csv", help="default: csv")
    p.add_argument("--csv", "--out", dest="csv", type=Path, help="default: grades/<format>.csv (grades/grades.csv for csv)")
    p.add_argument("--roster", type=Path, help=f"students' names and ids (default: {ROSTER.name} if it exists)")
    _gradebook_option(p)
    p.set_defaults(run=cmd_export)

    p = verbs.add_parser("status", help="per assignment: released, due, open for late work, graded")
    _now_option(p)
    _gradebook_option(p)
    p.set_defaults(run=cmd_status)

    p = verbs.add_parser("release-solution", help="write an assignment's reference solution for students",
                         description="Write the reference notebook, solutions in place and solution markers removed, "
                                     "to OUT/<notebook>. Refused until no submission can earn points any more: the "
                                     "due date (and the latest extension), the grace period and max_days_late days.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("--out", type=Path, help="default: build/solutions/<ID>/")
    p.add_argument("--force", action="store_true", help="release it even before late submissions close")
    _now_option(p)
    p.set_defaults(run=cmd_release_solution)

    p = verbs.add_parser("feedback", help="write each student's feedback (Markdown and HTML) from their results",
                         description="For each RESULTS/<student>/results.json write OUT/<student>.md and .html: "
                                     "their tests, why the failing ones failed and the hints, as much as course.yml's "
                                     "hidden_visibility allows; never the expected values of hidden tests.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("--results", type=Path, help="graded results (default: grades/<ID>)")
    p.add_argument("--out", type=Path, help="output folder (default: grades/feedback/<ID>)")
    p.set_defaults(run=cmd_feedback)

    p = verbs.add_parser("classroom", help="assemble a student template repository (GitHub Classroom) for an assignment",
                         description="Write a repository a student can start from: the release, the public tests, "
                                     "the engine that runs `check`, the datasets it needs, pinned requirements and a "
                                     "GitHub Actions workflow that runs the public tests on every push. No hidden "
                                     "tests, solutions or samples.")
    p.add_argument("assignment", metavar="ID")
    p.add_argument("--out", type=Path, help="an absent or empty folder (default: build/classroom/<ID>, rebuilt)")
    p.set_defaults(run=cmd_classroom)

    nbgrader_bridge.add_parser(verbs)
    scale.add_parser(verbs)
    bench.add_parser(verbs)

    p = verbs.add_parser("demo", help="grade the sample class of every assignment and show the gradebook")
    _gradebook_option(p)
    _grading_options(p)
    p.set_defaults(run=cmd_demo)
    return parser


def _gradebook_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gradebook", type=Path, default=GRADEBOOK,
                        help=f"SQLite gradebook (default: {GRADEBOOK.relative_to(ROOT)})")


def _now_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", type=_moment, default=None,
                        help="the moment to judge dates by (ISO 8601 with a time zone; default: now)")


def _grading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="grader processes in parallel (default: cores + 1)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code without bubblewrap (unsafe: only for trusted code)")
    parser.add_argument("--device", type=_device_request, default=os.environ.get(ENV_REQUEST, "auto"),
                        metavar="{auto,cpu,gpu}",
                        help=f"auto: a GPU when the assignment allows one (course.yml `gpu`) and this machine has "
                             f"one; cpu: never a GPU; gpu: require one (default: ${ENV_REQUEST}, else auto)")


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"expected a date-time with a time zone (e.g. 2026-09-21T23:59:00+03:00), "
                                         f"got {text!r}")
    return moment


def _device_request(text: str) -> str:
    if text not in REQUESTS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(REQUESTS)} (from the option or "
                                         f"${ENV_REQUEST}), got {text!r}")
    return text


def _device(assignment, request: str) -> Device:
    choice = choose(assignment.id, assignment.gpu, request)
    if choice.note:
        report.errors.print(f"note: {choice.note}", markup=False)
    return choice.device


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
                        log=lambda text: report.errors.print(text, markup=False),
                        device_for=lambda assignment: _device(assignment, args.device))
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
        result = grade_here(batch, submission)
    report.show_check(result)
    if args.summary_md:
        with args.summary_md.open("a") as summary:
            summary.write(feedback.check_markdown(result))
    return 0 if result.score == result.max_score else 1


def cmd_grade(args) -> int:
    course = load_course(args.course)
    assignment = course.assignment(args.assignment)
    sandbox = _sandbox(args)
    out = args.out or GRADES / assignment.id
    shard = scale.parse_shard(args.shard) if args.shard else None
    results = _grade_and_record(assignment, args.submissions, out, sandbox, args.jobs, args.gradebook, args.device,
                                args.late_by_mtime, shard=shard, force=args.force)
    report.console.print(f"{assignment.id}{f' shard {shard}' if shard else ''} into {out}: {scale.summary(results)}")
    return 0


def _grade_and_record(assignment, submissions: Path, out: Path, sandbox: bool, jobs: int, gradebook_path: Path,
                      device_request: str, late_by_mtime: bool = False, shard=None, force: bool = True):
    batch = Batch(assignment, hidden_suite(assignment.id), out, sandbox, max(1, jobs),
                  _device(assignment, device_request), late_by_mtime)
    started = time.monotonic()
    with report.progress_bar(f"grading {assignment.id}") as update:
        results, work = scale.grade_class(batch, submissions, update, shard, force)
    with Gradebook(gradebook_path) as gradebook:
        gradebook.record(results)
    report.errors.print(f"{len(work.to_grade)} submissions graded in {time.monotonic() - started:.1f} s"
                        + (f"; {len(work.kept)} unchanged since the last run kept (--force grades them again)"
                           if work.kept else ""))
    return results


def cmd_report(args) -> int:
    from autograder import html_report  # matplotlib: imported only where it is needed
    course = load_course(args.course)
    now = args.now or datetime.now(timezone.utc)
    if args.assignment and args.course_summary:
        raise UsageProblem("give an assignment ID or --course-summary, not both")
    with Gradebook(args.gradebook) as gradebook:
        rows = gradebook.rows(args.assignment)
        if args.assignment:
            assignment = course.assignment(args.assignment)
            report.show_gradebook(gradebook, assignment.id)
            page = html_report.assignment_report(course, assignment, rows, gradebook.pass_rates(assignment.id), now)
        else:
            statuses = course_status(course, rows, now)
            report.show_status(statuses)
            page = html_report.course_report(course, statuses, rows, now)
    default = GRADES / args.assignment / "report.html" if args.assignment else GRADES / "report.html"
    report.console.print(f"wrote {html_report.write(args.html or default, page)}")
    return 0


def cmd_export(args) -> int:
    course = load_course(args.course)
    roster_path = args.roster or (ROSTER if ROSTER.is_file() else None)
    roster = export.load_roster(roster_path) if roster_path else {}
    with Gradebook(args.gradebook) as gradebook:
        grades = gradebook.grades()
    unlisted = sorted(set(grades) - set(roster)) if roster else []
    if unlisted:
        report.errors.print(f"warning: {len(unlisted)} graded students are not in {roster_path}: {', '.join(unlisted)}",
                            markup=False)
    out = args.csv or GRADES / f"{'grades' if args.format == 'csv' else args.format}.csv"
    export.write(out, export.table(args.format, course.assignments, grades, roster))
    report.console.print(f"wrote {out}")
    return 0


def cmd_status(args) -> int:
    course = load_course(args.course)
    with Gradebook(args.gradebook) as gradebook:
        report.show_status(course_status(course, gradebook.rows(), args.now or datetime.now(timezone.utc)))
    return 0


def cmd_release_solution(args) -> int:
    assignment = load_course(args.course).assignment(args.assignment)
    path = release_solution(assignment, args.out or ROOT / "build" / "solutions" / assignment.id,
                            args.now or datetime.now(timezone.utc), args.force)
    report.console.print(f"wrote the solution of {assignment.id} to {path}")
    return 0


def cmd_feedback(args) -> int:
    assignment = load_course(args.course).assignment(args.assignment)
    out = args.out or GRADES / "feedback" / assignment.id
    written = feedback.write_feedback(args.results or GRADES / assignment.id, out, assignment)
    report.console.print(f"wrote feedback for {len(written) // 2} students into {out}")
    return 0


def cmd_classroom(args) -> int:
    from autograder import classroom
    course = load_course(args.course)
    assignment = course.assignment(args.assignment)
    out = args.out or ROOT / "build" / "classroom" / assignment.id
    if args.out is None and out.exists():
        shutil.rmtree(out)
    try:
        classroom.assemble(course, assignment, out)
    except (FileExistsError, classroom.TemplateLeak) as exc:
        raise UsageProblem(str(exc)) from None
    report.console.print(f"wrote the student template of {assignment.id} into {out}")
    return 0


def cmd_demo(args) -> int:
    course = load_course(args.course)
    sandbox = _sandbox(args)
    for assignment in course.assignments:
        if not samples.has_samples(assignment.id):
            continue
        folder = ROOT / "build" / "class" / assignment.id
        samples.build_class(assignment.id, assignment.notebook, folder)
        _grade_and_record(assignment, folder, GRADES / assignment.id, sandbox, args.jobs, args.gradebook, args.device)
        with Gradebook(args.gradebook) as gradebook:
            report.show_gradebook(gradebook, assignment.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
