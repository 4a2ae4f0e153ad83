"""python -m autograder: the commands students, instructors and CI run.

Every command and its options are in the table :data:`VERBS` at the end of this file; options shared by
several commands are defined once above it. Each command's function is a few lines that call the stage
that does the work (grading always goes through :func:`autograder.pipeline.grade`).

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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from autograder import pipeline
from autograder.course.config import ConfigError, Course, load_course
from autograder.course.layout import BUILD, COURSE_FILE, GRADEBOOK, GRADES, RELEASES, ROOT
from autograder.grading.merge import MergeError
from autograder.grading.plan import ShardError, parse_shard
from autograder.grading.run import default_jobs
from autograder.grading.suite import hidden_suite, public_suite, suite_points
from autograder.integrations.gradescope import CONFINEMENTS, ENV_CONFINEMENT, GRADESCOPE_ROOT
from autograder.reports import terminal
from autograder.reports.export import FORMATS
from autograder.reports.gradebook import Gradebook
from autograder.sandbox.backends import BACKENDS
from autograder.sandbox.devices import ENV_REQUEST, REQUESTS, Device, DeviceUnavailable, choose
from autograder.sandbox.limits import SandboxUnavailable, bwrap_path, require_sandbox

ROSTER = ROOT / "roster.csv"


class UsageProblem(Exception):
    """The command cannot be carried out as asked; exit status 2."""


def main(argv: list[str] | None = None) -> int:
    from autograder.authoring.release import ReleaseError
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ConfigError as exc:
        terminal.errors.print("\n".join(exc.problems), markup=False)
        return 2
    except (UsageProblem, SandboxUnavailable, DeviceUnavailable, ReleaseError, FileNotFoundError, ShardError,
            MergeError) as exc:
        terminal.errors.print(f"error: {exc}", markup=False)
        return 2
    except OSError as exc:  # a full disk, a read-only or unwritable output folder: say which path, and why
        terminal.errors.print(f"error: {_os_problem(exc)}", markup=False)
        return 2


def _os_problem(exc: OSError) -> str:
    """'<path>: <reason>', also for shutil.copytree's error, which carries a list of (source, target, reason)."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _, target, reason = exc.args[0][0]
        return f"{target}: {reason}"
    return f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)


# ---------------------------------------------------------------- what the commands share
def _course(args) -> Course:
    return load_course(args.course)


def _course_with_points(args) -> Course:
    """The course with each assignment's points: course.yml's, or the sum of its suite's tests' points."""
    course = _course(args)
    return course.model_copy(update={"assignments": [
        a if a.points is not None else a.model_copy(update={"points": suite_points(hidden_suite(a.id))})
        for a in course.assignments]})


def _device(assignment, request: str) -> Device:
    choice = choose(assignment.id, assignment.gpu, request)
    if choice.note:
        terminal.errors.print(f"note: {choice.note}", markup=False)
    return choice.device


def _sandbox(no_sandbox: bool, jobs: int) -> bool:
    if no_sandbox:
        terminal.errors.print("[bold red]warning:[/] --no-sandbox: student code runs unconfined, with your "
                              "permissions, files and network. Use it only for code you trust.")
        return False
    require_sandbox()
    if jobs < 1:
        raise UsageProblem(f"--jobs must be at least 1, got {jobs}")
    return True


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"expected a date-time with a time zone (e.g. 2026-09-21T23:59:00+03:00), "
                                         f"got {text!r}")
    return moment


def _share(text: str) -> float:
    try:
        share = float(text)
    except ValueError:
        share = None
    if share is None or not 0 <= share <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return share


def _confinement(text: str) -> str:
    if text not in CONFINEMENTS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(CONFINEMENTS)} (from the option or "
                                         f"${ENV_CONFINEMENT}), got {text!r}")
    return text


def _device_request(text: str) -> str:
    if text not in REQUESTS:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(REQUESTS)} (from the option or "
                                         f"${ENV_REQUEST}), got {text!r}")
    return text


def _grade_and_record(args, assignment, submissions: Path, out: Path, force: bool = True, shard=None,
                      late_by_mtime: bool = False) -> pipeline.Outcome:
    """Grade a folder with the hidden suite through the pipeline, with a progress bar and a closing line."""
    request = pipeline.Request(assignment, hidden_suite(assignment.id), submissions, out,
                               _sandbox(args.no_sandbox, args.jobs), max(1, args.jobs),
                               _device(assignment, args.device), late_by_mtime, shard, force, args.gradebook)
    started = time.monotonic()
    with terminal.progress_bar(f"grading {assignment.id}") as update:
        outcome = pipeline.grade(request, update)
    kept = len(outcome.results) - len(outcome.graded)
    terminal.errors.print(f"{len(outcome.graded)} submissions graded in {time.monotonic() - started:.1f} s"
                          + (f"; {kept} unchanged since the last run kept (--force grades them again)" if kept else ""))
    return outcome


# ---------------------------------------------------------------- the commands
def cmd_validate(args) -> int:
    from autograder.authoring.validate import validate
    problems = validate(_course(args), args.assignments or None, _sandbox(args.no_sandbox, args.jobs), args.jobs,
                        log=lambda text: terminal.errors.print(text, markup=False),
                        device_for=lambda assignment: _device(assignment, args.device), mutants=args.mutants)
    for problem in problems:
        terminal.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
    if not problems:
        terminal.console.print("✓ the course is consistent", style="green")
    return 1 if problems else 0


def cmd_mutants(args) -> int:
    from autograder.authoring import mutants
    if args.max_per_cell < 1:
        raise UsageProblem(f"--max-per-cell must be at least 1, got {args.max_per_cell}")
    course, sandbox, jobs = _course(args), _sandbox(args.no_sandbox, args.jobs), max(1, args.jobs)
    reports = []
    for assignment in [course.assignment(a) for a in args.assignments]:
        with terminal.progress_bar(f"mutants of {assignment.id}") as update:
            try:
                report = mutants.run_assignment(assignment, sandbox, jobs, _device(assignment, args.device),
                                                args.cells, args.max_per_cell, args.work, update, args.tests)
            except mutants.MutantsError as exc:
                raise UsageProblem(str(exc)) from None
        mutants.write_report(args.out, report, jobs, args.max_per_cell)
        reports.append(report)
    mutants.show(reports)
    problems = [p for r in reports for p in mutants.problems(r)]
    for problem in problems:
        terminal.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
    terminal.console.print(f"wrote {args.out}")
    return 1 if problems else 0


def cmd_release(args) -> int:
    from autograder.authoring import release
    course = _course(args)
    for assignment_id in args.assignments:
        assignment = course.assignment(assignment_id)
        if release.write_cell_points(assignment.id, assignment.notebook):
            terminal.console.print(f"wrote each autograded cell's points from its tests into "
                                   f"solutions/{assignment.id}/{assignment.notebook}")
        path = release.generate(assignment_id)
        leaks = release.leaks(assignment_id)
        for problem in leaks:
            terminal.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
        terminal.console.print(f"released {assignment_id} -> {path.relative_to(ROOT)}")
        if leaks:
            return 1
    return 0


def cmd_check(args) -> int:
    from autograder.reports import feedback
    assignment = _course(args).assignment(args.assignment)
    notebook = (args.notebook or RELEASES / assignment.id / assignment.notebook).resolve()
    if not notebook.is_file():
        raise FileNotFoundError(f"{notebook}: no such notebook")
    sandbox = bwrap_path() is not None
    if not sandbox:
        terminal.errors.print("note: bubblewrap is not installed; your notebook runs without a sandbox.")
    with tempfile.TemporaryDirectory(prefix="check-") as tmp:
        folder = Path(tmp) / "class" / "you"  # the notebook alone: its folder may hold anything
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / assignment.notebook)
        [result] = pipeline.grade(pipeline.Request(assignment, public_suite(assignment.id), folder.parent,
                                                   Path(tmp) / "out", sandbox, in_process=True)).results
    terminal.show_check(result)
    if args.summary_md:
        with args.summary_md.open("a") as summary:
            summary.write(feedback.check_markdown(result))
    return 0 if result.score == result.max_score else 1


def cmd_grade(args) -> int:
    assignment = _course(args).assignment(args.assignment)
    if args.keras_backend:
        assignment = assignment.model_copy(update={"keras_backend": args.keras_backend})
    out = args.out or GRADES / assignment.id
    shard = parse_shard(args.shard) if args.shard else None
    outcome = _grade_and_record(args, assignment, args.submissions, out, args.force, shard, args.late_by_mtime)
    terminal.console.print(f"{assignment.id}{f' shard {shard}' if shard else ''} into {out}: "
                           f"{terminal.batch_summary(list(outcome.results))}")
    return 0


def cmd_similarity(args) -> int:
    from autograder.reports import similarity  # copydetect imports matplotlib's pyplot: only where it is needed
    assignment = _course(args).assignment(args.assignment)
    threshold = similarity.THRESHOLD if args.threshold is None else args.threshold
    found = similarity.run(assignment.id, assignment.notebook, args.submissions, threshold)
    similarity.show(found)
    for path in similarity.write(found, args.out or GRADES / assignment.id / "similarity"):
        terminal.console.print(f"wrote {path}")
    return 0


def cmd_demo(args) -> int:
    from autograder.authoring import samples
    for assignment in _course(args).assignments:
        if not samples.has_samples(assignment.id):
            continue
        folder = BUILD / "class" / assignment.id
        samples.build_class(assignment.id, assignment.notebook, folder)
        _grade_and_record(args, assignment, folder, GRADES / assignment.id)
        with Gradebook(args.gradebook) as gradebook:
            terminal.show_gradebook(gradebook, assignment.id)
    return 0


def cmd_report(args) -> int:
    from autograder.reports import html, pages  # matplotlib: imported only where it is needed
    from autograder.reports.status import course_status
    course = _course_with_points(args)
    now = args.now or datetime.now(timezone.utc)
    if args.assignment and args.course_summary:
        raise UsageProblem("give an assignment ID or --course-summary, not both")
    with Gradebook(args.gradebook) as gradebook:
        rows = gradebook.rows(args.assignment)
        if args.assignment:
            assignment = course.assignment(args.assignment)
            terminal.show_gradebook(gradebook, assignment.id)
            page = html.assignment_report(course, assignment, rows, gradebook.pass_rates(assignment.id), now)
        else:
            statuses = course_status(course, rows, now)
            terminal.show_status(statuses)
            page = html.course_report(course, statuses, rows, now)
    default = GRADES / args.assignment / "report.html" if args.assignment else GRADES / "report.html"
    terminal.console.print(f"wrote {pages.write(args.html or default, page)}")
    return 0


def cmd_export(args) -> int:
    from autograder.reports import export
    course = _course_with_points(args)
    roster_path = args.roster or (ROSTER if ROSTER.is_file() else None)
    roster = export.load_roster(roster_path) if roster_path else {}
    with Gradebook(args.gradebook) as gradebook:
        grades = gradebook.grades()
    unlisted = sorted(set(grades) - set(roster)) if roster else []
    if unlisted:
        terminal.errors.print(f"warning: {len(unlisted)} graded students are not in {roster_path}: "
                              f"{', '.join(unlisted)}", markup=False)
    out = args.csv or GRADES / f"{'grades' if args.format == 'csv' else args.format}.csv"
    export.write(out, export.table(args.format, course.assignments, grades, roster))
    terminal.console.print(f"wrote {out}")
    return 0


def cmd_status(args) -> int:
    from autograder.reports.status import course_status
    course = _course_with_points(args)
    with Gradebook(args.gradebook) as gradebook:
        terminal.show_status(course_status(course, gradebook.rows(), args.now or datetime.now(timezone.utc)))
    return 0


def cmd_release_solution(args) -> int:
    from autograder.authoring.solution_release import release_solution
    assignment = _course(args).assignment(args.assignment)
    path = release_solution(assignment, args.out or BUILD / "solutions" / assignment.id,
                            args.now or datetime.now(timezone.utc), args.force)
    terminal.console.print(f"wrote the solution of {assignment.id} to {path}")
    return 0


def cmd_feedback(args) -> int:
    from autograder.reports import feedback
    assignment = _course(args).assignment(args.assignment)
    out = args.out or GRADES / "feedback" / assignment.id
    written = feedback.write_feedback(args.results or GRADES / assignment.id, out, assignment)
    terminal.console.print(f"wrote feedback for {len(written) // 2} students into {out}")
    return 0


def cmd_classroom(args) -> int:
    from autograder.authoring import classroom
    course = _course(args)
    assignment = course.assignment(args.assignment)
    out = args.out or BUILD / "classroom" / assignment.id
    if args.out is None and out.exists():
        shutil.rmtree(out)
    try:
        classroom.assemble(course, assignment, out)
    except (FileExistsError, classroom.TemplateLeak) as exc:
        raise UsageProblem(str(exc)) from None
    terminal.console.print(f"wrote the student template of {assignment.id} into {out}")
    return 0


def cmd_gradescope(args) -> int:
    from autograder.authoring import gradescope
    course = _course(args)
    assignment = course.assignment(args.assignment)
    out = args.out or BUILD / "gradescope" / assignment.id / "autograder.zip"
    try:
        gradescope.build(course, assignment, out)
    except gradescope.AutograderLeak as exc:
        raise UsageProblem(str(exc)) from None
    terminal.console.print(f"wrote the Gradescope autograder of {assignment.id} to {out} "
                           f"({out.stat().st_size / 1e6:.1f} MB): upload it on the assignment's Configure Autograder "
                           f"page (README: \"Grading on Gradescope\")", markup=False)
    return 0


def cmd_gradescope_run(args) -> int:
    from autograder.integrations import gradescope
    course = _course(args)
    if len(course.assignments) != 1:
        raise UsageProblem(f"{args.course} lists {len(course.assignments)} assignments; the course.yml of a Gradescope "
                           f"autograder (python -m autograder gradescope <id>) lists one")
    results = gradescope.grade(course.assignments[0], args.root, args.confinement)
    terminal.console.print(f"wrote {args.root / 'results' / 'results.json'}: {results['score']:g} points", markup=False)
    return 0


def cmd_merge(args) -> int:
    from autograder.grading.merge import merge_folders, write_merged
    from autograder.reports import export
    course = _course_with_points(args)
    merged = merge_folders(args.folders)
    write_merged(merged, args.out)
    with Gradebook(args.gradebook) as gradebook:
        gradebook.record(list(merged.results))
        grades = gradebook.grades()
    export.write(args.csv, export.table("csv", course.assignments, grades, {}))
    students = {r.student for r in merged.results}
    terminal.console.print(f"merged {len(merged.results)} results of {len(students)} students from "
                           f"{len(args.folders)} folders into {args.out}, {args.gradebook} and {args.csv}"
                           + (f"; identical duplicates counted once: {merged.duplicates}" if merged.duplicates else ""))
    return 0


def cmd_bench(args) -> int:
    from autograder.authoring import bench
    if args.students < 1 or args.nbgrader < 0:
        raise UsageProblem("--students must be at least 1 and --nbgrader at least 0")
    if not args.no_sandbox:
        require_sandbox()
    figures = bench.bench(args.course, args.students, min(args.nbgrader, args.students), args.jobs or default_jobs(),
                          not args.no_sandbox, args.assignments, args.out, args.work,
                          log=lambda text: terminal.errors.print(text, markup=False), similar=args.similarity,
                          otter=not args.no_otter)
    bench.show(figures)
    terminal.console.print(f"wrote {args.out}")
    return 0


def _nbgrader_step(step: Callable) -> Callable:
    """An nbgrader step: nbgrader's stack is imported only here (`check` must run without it), and an nbgrader
    command that fails is a command that could not run (its output, exit status 2)."""
    def run(args) -> int:
        from autograder.integrations import nbgrader_bridge as bridge
        try:
            return step(args, bridge, _course(args).assignment(args.assignment), args.course_dir.resolve())
        except bridge.NbgraderFailed as exc:
            raise UsageProblem(str(exc)) from None
    return run


def _merged(bridge, assignment, outcome) -> int:
    for problem in outcome.problems:
        terminal.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
    terminal.console.print(f"merged the suite's scores of {len(outcome.merged)} students into nbgrader's gradebook; "
                           f"grade the written answers in formgrader, then run "
                           f"`python -m autograder nbgrader feedback {assignment.id}`", markup=False)
    return 1 if outcome.problems else 0


@_nbgrader_step
def cmd_nbgrader_autograde(args, bridge, assignment, root) -> int:
    jobs = args.jobs or default_jobs()
    outcome = bridge.autograde(assignment, root, args.force, jobs, _sandbox(args.no_sandbox, jobs),
                               _device(assignment, os.environ.get(ENV_REQUEST, "auto")),
                               log=lambda text: terminal.errors.print(text, markup=False))
    if outcome is None:
        terminal.errors.print(f"no submissions of {assignment.id} in nbgrader's submitted/ folder", markup=False)
        return 1
    return _merged(bridge, assignment, outcome)


@_nbgrader_step
def cmd_nbgrader_merge(args, bridge, assignment, root) -> int:
    return _merged(bridge, assignment, bridge.merge(assignment, root, args.results or root / "grades" / assignment.id))


@_nbgrader_step
def cmd_nbgrader_feedback(args, bridge, assignment, root) -> int:
    csv = (args.csv or root / "grades" / "nbgrader" / "grades.csv").resolve()
    csv.parent.mkdir(parents=True, exist_ok=True)
    bridge.run_nbgrader(root, "generate_feedback", assignment.id, "--force")
    bridge.run_nbgrader(root, "export", f"--to={csv}")
    coursedir = bridge.course_directory(root)
    terminal.console.print(f"feedback in {coursedir.format_path(coursedir.feedback_directory, '*', assignment.id)}; "
                           f"grades in {csv}", markup=False)
    return 0


# ---------------------------------------------------------------- the table of commands
@dataclass(frozen=True)
class Arg:
    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)


def arg(*flags: str, **options) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Verb:
    name: str
    help: str
    run: Callable[[argparse.Namespace], int] | None = None
    args: tuple[Arg, ...] = ()
    description: str | None = None
    steps: tuple["Verb", ...] = ()  # sub-commands (`nbgrader autograde`)


ID = arg("assignment", metavar="ID")
GRADEBOOK = arg("--gradebook", type=Path, default=GRADEBOOK,
                help=f"SQLite gradebook (default: {GRADEBOOK.relative_to(ROOT)})")
NOW = arg("--now", type=_moment, default=None,
          help="the moment to judge dates by (ISO 8601 with a time zone; default: now)")
NO_SANDBOX = arg("--no-sandbox", action="store_true",
                 help="run student code without bubblewrap (unsafe: only for trusted code)")
GRADING = (
    arg("--jobs", type=int, default=default_jobs(), help="grader processes in parallel (default: cores + 1)"),
    NO_SANDBOX,
    arg("--device", type=_device_request, default=os.environ.get(ENV_REQUEST, "auto"), metavar="{auto,cpu,gpu}",
        help=f"auto: a GPU when the assignment allows one (course.yml `gpu`) and this machine has one; cpu: never "
             f"a GPU; gpu: require one (default: ${ENV_REQUEST}, else auto)"),
)
COURSE_DIR = arg("--course-dir", type=Path, default=ROOT,
                 help="the nbgrader course (the folder of its nbgrader_config.py; default: the kit)")
BENCH_DESCRIPTION = ("Grade a synthetic class with the kit, `nbgrader autograde` and `otter run`, and time them. Each "
                     "assignment's synthetic class is built from its sample class the same way every time (see "
                     "autograder/authoring/bench.py); nbgrader grades the first --nbgrader students of each "
                     "assignment, the kit grades everyone, in the sandbox, and the same N on their own (the speed-up compares "
                     "equal numbers); Otter-Grader grades the same N from its own virtualenv (`make otter`: "
                     "build/otter-venv; skipped with a message without it), each assignment ported to Otter tests "
                     "on the fly; pass/fail is compared per autograded nbgrader cell.")

VERBS = (
    Verb("validate", "check that the course is consistent (exit 1 if not)", cmd_validate,
         (arg("assignments", nargs="*", help="only these assignment ids (default: all)"),
          arg("--mutants", action="store_true",
              help="also grade mutants of the reference solutions (see `mutants`): fail an assignment whose suite "
                   "kills less than 90%% of them, or lets one survive that equivalent.yml does not list"),
          *GRADING),
         "Check course.yml, that assignments/ is in sync with solutions/ and leaks nothing, that the reference "
         "solution scores full marks, the stub zero, and each sample student exactly their expected score."),
    Verb("mutants", "mutation testing: grade mutants of the reference solution with the hidden suite", cmd_mutants,
         (arg("assignments", nargs="+", metavar="ID"),
          arg("--cells", nargs="+", metavar="GRADE_ID", help="only the solution cells with these grade ids"),
          arg("--tests", nargs="+", metavar="FILE", help="grade with only these test files of the suite (e.g. "
              "test_data): the mutants they kill, a bound from below, for a suite too slow to run whole"),
          arg("--max-per-cell", type=int, default=40, metavar="N",
              help="grade at most N mutants of a cell, the same N every run (default: 40)"),
          arg("--out", type=Path, default=GRADES / "mutants.json", help="default: grades/mutants.json"),
          arg("--work", type=Path, default=BUILD / "mutants",
              help="where the mutants and their results go; a run goes on where the last one stopped "
                   "(default: build/mutants)"),
          *GRADING),
         "Change each solution cell of the reference solution by one operator at a time (comparison, boundary, "
         "arithmetic, constant, axis, range, swapped arguments, return of an input, += and =, dropped statement; "
         "see autograder/authoring/mutate.py), grade every mutant with the hidden suite in the sandbox, and print "
         "per assignment how many were killed, timed out, survived or are listed in "
         "solutions/<ID>/hidden/equivalent.yml, and each survivor. Exit status 1 when a survivor is not listed "
         "or the suite kills less than 90% of the mutants."),
    Verb("release", "regenerate the student version of an assignment with nbgrader", cmd_release,
         (arg("assignments", nargs="+", metavar="ID"),),
         "Write each autograded cell's points from its tests into the source notebook, then run nbgrader "
         "generate_assignment: solutions/<id>/ -> assignments/<id>/."),
    Verb("check", "for students: run the public tests on your notebook", cmd_check,
         (ID, arg("notebook", nargs="?", type=Path, help="default: assignments/<ID>/<notebook> from course.yml"),
          arg("--summary-md", type=Path, metavar="FILE",
              help="also append the results as Markdown to FILE (in CI: $GITHUB_STEP_SUMMARY)")),
         "Run the public tests of an assignment on a notebook and print a table of results. Exit status 0 when "
         "all pass."),
    Verb("grade", "for instructors: grade a folder of submissions with the hidden suite", cmd_grade,
         (ID, arg("submissions", type=Path), arg("--out", type=Path, help="output folder (default: grades/<ID>)"),
          GRADEBOOK,
          arg("--late-by-mtime", action="store_true",
              help="without nbgrader's timestamp.txt, take the notebook's modification time as the submission "
                   "time for late penalties (default: no penalty without timestamp.txt)"),
          arg("--shard", metavar="K/N", help="grade only the students of shard K of N (stable by student id); "
                                             "auto/N takes K from $AUTOGRADER_SHARD_INDEX, $JOB_COMPLETION_INDEX "
                                             "or $CI_NODE_INDEX"),
          arg("--force", action="store_true", help="grade everyone again, also students whose submission and "
                                                   "suite are unchanged since their results.json was written"),
          arg("--keras-backend", choices=BACKENDS, help="run Keras on this backend in the workers (default: the "
                                                        "assignment's keras_backend in course.yml, else tensorflow)"),
          *GRADING),
         "Grade every submission in SUBMISSIONS (one folder per student, nbgrader's submitted/<student>/<ID>/ "
         "layout, or <student>.ipynb / <student>.zip files). Writes OUT/<student>/results.json (Gradescope's "
         "schema) and updates the gradebook."),
    Verb("report", "an assignment's grades, or the course's, in the terminal and as HTML", cmd_report,
         (arg("assignment", metavar="ID", nargs="?"),
          arg("--course-summary", action="store_true", help="the whole course (what no ID means)"),
          arg("--html", type=Path, help="where to write the HTML report"), NOW, GRADEBOOK),
         "With ID: the assignment's gradebook and hardest tests, and an HTML report with figures (default "
         "grades/<ID>/report.html). Without ID (or with --course-summary): the whole course (default "
         "grades/report.html)."),
    Verb("export", "write the grades as CSV, for Canvas, Moodle or a spreadsheet", cmd_export,
         (arg("--format", choices=FORMATS, default="csv", help="default: csv"),
          arg("--csv", "--out", dest="csv", type=Path,
              help="default: grades/<format>.csv (grades/grades.csv for csv)"),
          arg("--roster", type=Path, help=f"students' names and ids (default: {ROSTER.name} if it exists)"),
          GRADEBOOK),
         "One row per student, one column per assignment, grades after late penalties. --format canvas or moodle "
         "writes the columns those systems import; identifiers come from the roster (see README)."),
    Verb("status", "per assignment: released, due, open for late work, graded", cmd_status, (NOW, GRADEBOOK)),
    Verb("release-solution", "write an assignment's reference solution for students", cmd_release_solution,
         (ID, arg("--out", type=Path, help="default: build/solutions/<ID>/"),
          arg("--force", action="store_true", help="release it even before late submissions close"), NOW),
         "Write the reference notebook, solutions in place and solution markers removed, to OUT/<notebook>. "
         "Refused until no submission can earn points any more: the due date (and the latest extension), the "
         "grace period and max_days_late days."),
    Verb("feedback", "write each student's feedback (Markdown and HTML) from their results", cmd_feedback,
         (ID, arg("--results", type=Path, help="graded results (default: grades/<ID>)"),
          arg("--out", type=Path, help="output folder (default: grades/feedback/<ID>)")),
         "For each RESULTS/<student>/results.json write OUT/<student>.md and .html: their tests, why the failing "
         "ones failed and the hints, as much as course.yml's hidden_visibility allows; never the expected values "
         "of hidden tests."),
    Verb("similarity", "which submissions look copied from each other (evidence, never a grade)", cmd_similarity,
         (ID, arg("submissions", type=Path), arg("--out", type=Path, help="output folder (default: grades/<ID>/similarity)"),
          arg("--threshold", type=_share, metavar="T",
              help="flag the pairs whose similarity is at least T, from 0 to 1 (default: the report's, 0.5)")),
         "Compare the graded cells of every two submissions in SUBMISSIONS (found as grade finds them) by winnowed "
         "fingerprints (MOSS), the release's code left out and names, layout and constants normalised. Writes "
         "OUT/similarity.json and OUT/similarity.html; nothing goes into results or feedback."),
    Verb("classroom", "assemble a student template repository (GitHub Classroom) for an assignment", cmd_classroom,
         (ID, arg("--out", type=Path, help="an absent or empty folder (default: build/classroom/<ID>, rebuilt)")),
         "Write a repository a student can start from: the release, the public tests, the engine that runs "
         "`check`, the datasets it needs, pinned requirements and a GitHub Actions workflow that runs the public "
         "tests on every push. No hidden tests, solutions or samples."),
    Verb("gradescope", "build the Gradescope autograder (autograder.zip) of an assignment", cmd_gradescope,
         (ID, arg("--out", type=Path, metavar="FILE",
                  help="where to write the zip (default: build/gradescope/<ID>/autograder.zip)")),
         "Write the zip to upload to a Gradescope programming assignment: setup.sh (bubblewrap, Python 3.11, the "
         "pinned packages grading needs), run_autograder, the engine, this assignment's public tests and hidden "
         "suite, its release and the datasets it names. Nothing of another assignment, no reference solution."),
    Verb("gradescope-run", "inside Gradescope's container: grade the submission, write results.json", cmd_gradescope_run,
         (arg("--root", type=Path, default=GRADESCOPE_ROOT,
              help=f"Gradescope's folder: submission/ in, results/results.json out (default: {GRADESCOPE_ROOT})"),
          arg("--confinement", type=_confinement, default=os.environ.get(ENV_CONFINEMENT, "auto"),
              metavar="{" + ",".join(CONFINEMENTS) + "}",
              help=f"auto: bubblewrap where it starts, else the separate-user mode; separate-user: that mode even "
                   f"where bubblewrap would start (default: ${ENV_CONFINEMENT}, else auto)")),
         "What run_autograder runs, from the autograder's kit/ folder: find the notebook in ROOT/submission/ (also "
         "in a zip, or under another name), grade it with the hidden suite and write ROOT/results/results.json in "
         "Gradescope's schema. See SECURITY.md for the two modes."),
    Verb("nbgrader", "the nbgrader round trip: autograde with the hidden suites, feedback, export", None, (),
         "Run nbgrader's own commands in the right order, with the hidden suites as the automatic grade. See "
         "docs/nbgrader.md.",
         steps=(
             Verb("autograde", "record the assignment, nbgrader autograde, grade with the suite, merge",
                  cmd_nbgrader_autograde,
                  (ID, COURSE_DIR,
                   arg("--force", action="store_true",
                       help="autograde again students nbgrader has already autograded"),
                   arg("--jobs", type=int, default=None, help="grader processes for the suite (default: cores + 1)"),
                   arg("--no-sandbox", action="store_true", help="run student code without bubblewrap (unsafe)"))),
             Verb("merge", "only write existing suite results (grades/<ID>/) into nbgrader's gradebook",
                  cmd_nbgrader_merge,
                  (ID, COURSE_DIR, arg("--results", type=Path,
                                       help="folder of <student>/results.json (default: COURSE_DIR/grades/<ID>)"))),
             Verb("feedback", "nbgrader generate_feedback, then nbgrader export (after manual grading)",
                  cmd_nbgrader_feedback,
                  (ID, COURSE_DIR, arg("--csv", type=Path, help="where nbgrader export writes (default: "
                                                                "COURSE_DIR/grades/nbgrader/grades.csv)"))),
         )),
    Verb("merge", "combine the results folders of shards into one set of results, gradebook and CSV", cmd_merge,
         (arg("folders", nargs="+", type=Path, metavar="FOLDER"),
          arg("--out", type=Path, default=GRADES, help="where the merged results go (default: grades/)"),
          GRADEBOOK, arg("--csv", type=Path, default=GRADES / "grades.csv", help="default: grades/grades.csv")),
         "Read every <student>/results.json in the FOLDERS (the --out folders of `grade --shard K/N` runs), check "
         "that no student has two different results, and write them to OUT/<ID>/<student>/results.json, the "
         "gradebook and a CSV."),
    Verb("bench", "time the kit against nbgrader autograde and otter run on a synthetic class", cmd_bench,
         (arg("--students", type=int, default=200, help="submissions per assignment (default: 200)"),
          arg("--nbgrader", type=int, default=20, metavar="N",
              help="how many of them nbgrader and Otter grade per assignment (default: 20; 0: skip both)"),
          arg("--no-otter", action="store_true", help="leave Otter-Grader out (it grades the same N as nbgrader)"),
          arg("--assignments", nargs="*", default=[], metavar="ID", help="only these (default: all with samples)"),
          arg("--out", type=Path, default=GRADES / "bench.json", help="default: grades/bench.json"),
          arg("--work", type=Path, default=BUILD / "bench", help="where the classes and results go "
                                                                 "(default: build/bench)"),
          arg("--jobs", type=int, default=None, help="grader processes (default: cores + 1)"),
          arg("--no-sandbox", action="store_true", help="grade without bubblewrap (unsafe; for comparison only)"),
          arg("--similarity", type=int, default=0, metavar="N",
              help="also time the similarity report on N synthetic submissions of each assignment (default: 0)")),
         BENCH_DESCRIPTION),
    Verb("demo", "grade the sample class of every assignment and show the gradebook", cmd_demo,
         (GRADEBOOK, *GRADING)),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    parser.add_argument("--course", type=Path, default=COURSE_FILE, help="the course file (default: course.yml)")
    _add_verbs(parser, VERBS, "verb", "COMMAND")
    return parser


def _add_verbs(parser: argparse.ArgumentParser, verbs: tuple[Verb, ...], dest: str, metavar: str) -> None:
    subparsers = parser.add_subparsers(dest=dest, required=True, metavar=metavar)
    for verb in verbs:
        sub = subparsers.add_parser(verb.name, help=verb.help, description=verb.description)
        for argument in verb.args:
            sub.add_argument(*argument.flags, **argument.options)
        if verb.steps:
            _add_verbs(sub, verb.steps, "step", "STEP")
        else:
            sub.set_defaults(run=verb.run)


if __name__ == "__main__":
    sys.exit(main())
