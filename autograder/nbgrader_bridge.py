"""nbgrader as the backbone for release, manual grading, gradebook and feedback; the hidden suites as the grade.

Each assignment's autograded nbgrader cells are its notebook's locked ``check`` cells, one per part.
``autograder/suites/<id>/cells.yml`` is the one place that says which tests (public and hidden) score
which cell; a cell's points in the source notebook must equal the sum of its tests' points, and
:func:`problems` (run by ``validate``) says so when they do not.

The round trip, with nbgrader's own commands (``python -m autograder nbgrader autograde`` runs them in order):
record the assignment and its cells in nbgrader's database, ``nbgrader autograde`` (sanitises each
submission: restores locked cells, points, grade ids and checksums from the source), grade the same
submissions with the hidden suite in the sandbox, then **merge**: each autograded cell's ``auto_score``
in nbgrader's gradebook becomes the sum of its tests' scores, and the cell's output in the autograded
notebook lists its tests' results at the visibility course.yml allows. Manual grades are nbgrader's
(formgrader) and are left alone, so ``nbgrader export`` and ``generate_feedback`` add both up.

Why overwrite nbgrader's scores rather than let nbgrader run tests: the hidden suites stay in the grader
process and student code stays in the sandbox (see docs/nbgrader.md), while everything nbgrader users
know (formgrader, manual grading, late penalties, export, feedback) keeps working on nbgrader's own data.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import yaml

from autograder.config import ROOT, Assignment, ConfigError, load_course
from autograder.grading import SUITES, hidden_suite, suite_tests
from autograder.results import PASSED, SubmissionResult, TestResult, read_result

OUTPUT_MARK = "autograder_kit"  # metadata key of the output merge writes, so merging again replaces it
PENDING = "AwaitingCourseTests"  # the error nbgrader_hooks.AwaitSuiteScores leaves until merge replaces it


class NbgraderFailed(Exception):
    """An nbgrader command could not do its work; the message carries its output."""


# ---------------------------------------------------------------- the cell map and its checks
@dataclass(frozen=True)
class NotebookCell:
    grade_id: str
    points: float
    manual: bool  # graded by hand in formgrader (a solution cell with points)


@dataclass(frozen=True)
class CellScore:
    grade_id: str
    tests: tuple[TestResult, ...]

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


def cell_map_path(assignment_id: str) -> Path:
    return SUITES / assignment_id / "cells.yml"


def load_cell_map(assignment_id: str) -> dict[str, tuple[str, ...]]:
    """grade_id -> test names or patterns, from ``cells.yml``; a :class:`ConfigError` if malformed."""
    path = cell_map_path(assignment_id)
    where = path.relative_to(ROOT)
    if not path.is_file():
        raise ConfigError([f"{where}: missing; it maps each test of the suite to an autograded nbgrader cell "
                           "(see docs/nbgrader.md)"])
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: is not valid YAML: {exc}"]) from None
    if not isinstance(data, dict) or not data:
        raise ConfigError([f"{where}: expected a mapping of grade_id to a list of test names, got {type(data).__name__}"])
    bad = [f"{where}: {key}: expected a non-empty list of test names, got {value!r}" for key, value in data.items()
           if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value)]
    if bad:
        raise ConfigError(bad)
    return {str(key): tuple(value) for key, value in data.items()}


def notebook_cells(notebook: dict) -> dict[str, NotebookCell]:
    """The graded cells of an nbgrader notebook (autograded tests and manually graded answers), by grade_id."""
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            cells[meta["grade_id"]] = NotebookCell(meta["grade_id"], float(meta.get("points", 0)),
                                                   manual=bool(meta.get("solution")))
    return cells


def _matches(pattern: str, name: str) -> bool:
    """``*`` matches any characters; everything else literally (test names contain brackets)."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), name) is not None


def assign_tests(cell_map: dict[str, tuple[str, ...]], tests: list[TestResult]) -> tuple[list[CellScore], list[str]]:
    """Group ``tests`` by the cell they score; and the problems: a test in no cell or two, a pattern that matches nothing."""
    grouped: dict[str, list[TestResult]] = {grade_id: [] for grade_id in cell_map}
    problems = []
    for test in tests:
        owners = [grade_id for grade_id, patterns in cell_map.items() if any(_matches(p, test.name) for p in patterns)]
        if not owners:
            problems.append(f"test {test.name} is in no cell")
        elif len(owners) > 1:
            problems.append(f"test {test.name} is in more than one cell ({', '.join(owners)})")
        else:
            grouped[owners[0]].append(test)
    for grade_id, patterns in cell_map.items():
        for pattern in patterns:
            if not any(_matches(pattern, t.name) for t in tests):
                problems.append(f"{grade_id}: {pattern!r} matches no test of the suite")
    return [CellScore(grade_id, tuple(found)) for grade_id, found in grouped.items()], problems


def cell_problems(cell_map: dict[str, tuple[str, ...]], cells: dict[str, NotebookCell], tests: list[TestResult],
                  notebook_name: str) -> list[str]:
    """Everything that would make nbgrader's gradebook disagree with the suite."""
    scores, problems = assign_tests(cell_map, tests)
    autograded = {grade_id for grade_id, cell in cells.items() if not cell.manual}
    for grade_id in sorted(autograded - set(cell_map)):
        problems.append(f"{notebook_name}: the autograded cell {grade_id!r} has no tests in cells.yml (nbgrader would "
                        "score it by itself)")
    for score in scores:
        cell = cells.get(score.grade_id)
        if cell is None or cell.manual:
            problems.append(f"{score.grade_id}: no locked, autograded cell with this grade_id in {notebook_name}")
        elif abs(cell.points - score.max_score) > 1e-9:
            problems.append(f"{score.grade_id}: the cell in {notebook_name} carries {cell.points:g} points, its tests "
                            f"add up to {score.max_score:g}: set its nbgrader points to {score.max_score:g}")
    return problems


def problems(assignment: Assignment) -> list[str]:
    """``validate``'s check of the nbgrader side of an assignment (no student code runs)."""
    source = ROOT / "solutions" / assignment.id / assignment.notebook
    try:
        cell_map = load_cell_map(assignment.id)
    except ConfigError as exc:
        return exc.problems
    cells = notebook_cells(json.loads(source.read_text()))
    where = cell_map_path(assignment.id).relative_to(ROOT)
    return [f"{where}: {p}" for p in cell_problems(cell_map, cells, suite_tests(hidden_suite(assignment.id)),
                                                   f"solutions/{assignment.id}/{assignment.notebook}")]


# ---------------------------------------------------------------- what the student reads
def shown_now(visibility: str, due: datetime, now: datetime) -> bool:
    """Whether a test's own line may appear in feedback that is being written now (feedback is publication)."""
    return visibility in ("visible", "after_published") or (visibility == "after_due_date" and now >= due)


def cell_report(cell: CellScore, show) -> str:
    """The text under an autograded cell: its score, each test the student may see, the rest only as a count."""
    lines = [f"Graded by the course's tests: {cell.score:g} of {cell.max_score:g} points."]
    unseen = [t for t in cell.tests if not show(t)]
    for test in cell.tests:
        if show(test):
            mark = "✓" if test.status == PASSED else "✗"
            lines.append(f"{mark} {test.name}  {test.score:g}/{test.max_score:g}")
            if test.status != PASSED and test.output:
                lines += ["    " + line for line in test.output.strip().splitlines()]
    if unseen:
        lines.append(f"{len(unseen)} more test{'s' if len(unseen) > 1 else ''}, not shown: "
                     f"{sum(t.score for t in unseen):g} of {sum(t.max_score for t in unseen):g} points.")
    return "\n".join(lines) + "\n"


def _with_report(cell, text: str) -> None:
    import nbformat
    cell.outputs = [o for o in cell.get("outputs", [])
                    if OUTPUT_MARK not in o.get("metadata", {}) and o.get("ename") != PENDING]
    cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/plain": text},
                                               metadata={OUTPUT_MARK: True}))


# ---------------------------------------------------------------- nbgrader's course
def course_directory(root: Path):
    """nbgrader's CourseDirectory as ``root/nbgrader_config.py`` configures it."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return CourseDirectory(config=config)


def _environment() -> dict[str, str]:
    """This interpreter's scripts first on PATH: nbgrader's gradebook runs the `alembic` script by name."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


@contextmanager
def scripts_on_path():
    saved = os.environ.get("PATH")
    os.environ["PATH"] = _environment()["PATH"]
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PATH"]
        else:
            os.environ["PATH"] = saved


def run_nbgrader(root: Path, *args: str, allow_failure: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True,
                          env=_environment())
    if done.returncode != 0 and not allow_failure:
        raise NbgraderFailed(f"nbgrader {' '.join(args)} failed (exit {done.returncode}):\n"
                             f"{(done.stdout + done.stderr)[-4000:]}")
    return done


def record_assignment(assignment: Assignment, root: Path) -> None:
    """Put the assignment, its due date, notebooks and graded cells (with points) in nbgrader's database.

    ``generate_assignment`` is what records the cells; it writes into a scratch release folder so the
    committed ``assignments/`` is never touched here.
    """
    from nbgrader.api import Gradebook
    with scripts_on_path(), Gradebook(course_directory(root).db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment.id, duedate=assignment.due.astimezone(timezone.utc)
                                              .replace(tzinfo=None))
    with tempfile.TemporaryDirectory(prefix="nbgrader-release-") as scratch:
        run_nbgrader(root, "generate_assignment", assignment.id, "--force",
                     f"--CourseDirectory.release_directory={scratch}", "--log-level=WARN")


def submitted_students(assignment: Assignment, root: Path) -> list[str]:
    coursedir = course_directory(root)
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, ".", ".")).resolve()
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment.id}") if p.is_dir())


def stage_submissions(assignment: Assignment, root: Path, target: Path) -> list[str]:
    """Copy ``submitted/<student>/<id>/`` of each student who submitted this assignment into ``target``."""
    coursedir = course_directory(root)
    students = submitted_students(assignment, root)
    for student in students:
        shutil.copytree(coursedir.format_path(coursedir.submitted_directory, student, assignment.id),
                        target / student / assignment.id, symlinks=True)
    return students


@dataclass(frozen=True)
class MergeReport:
    merged: tuple[str, ...]
    problems: tuple[str, ...]


def merge(assignment: Assignment, root: Path, results_dir: Path, now: datetime | None = None) -> MergeReport:
    """Write the hidden-suite scores of every student in ``results_dir`` into nbgrader's gradebook and notebooks."""
    from nbgrader.api import Gradebook
    cell_map = load_cell_map(assignment.id)
    coursedir = course_directory(root)
    merged, found = [], []
    with scripts_on_path(), Gradebook(coursedir.db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment.id):
            student = submission.student.id
            path = results_dir / student / "results.json"
            result = read_result(path) if path.is_file() else None
            if result is None:
                found.append(f"{student}: autograded by nbgrader but not graded by the suite (no {path}); "
                             "their autograded cells score 0")
            cells, unmapped = assign_tests(cell_map, list(result.tests) if result else [])
            found += [f"{student}: {p}" for p in (unmapped if result else [])]
            problems = _set_scores(gradebook, assignment, student, cells, result is not None)
            found += [f"{student}: {p}" for p in problems]
            if problems:
                continue
            notebook = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment.id)) / assignment.notebook
            if notebook.is_file():
                _write_reports(notebook, cells, result, assignment, now or datetime.now(timezone.utc))
            else:
                found.append(f"{student}: nbgrader could not autograde the notebook (its log says why: corrupted "
                             "nbgrader metadata such as a changed grade_id; with RUN_STUDENT_CODE, a kernel that "
                             "died), so formgrader and the feedback lack it; the suite's scores are in the gradebook. "
                             "Fix the notebook in submitted/ (e.g. restore the cell metadata from the release) and run "
                             f"`python -m autograder nbgrader autograde {assignment.id} --force`")
            merged.append(student)
    return MergeReport(tuple(merged), tuple(found))


def _set_scores(gradebook, assignment: Assignment, student: str, cells: list[CellScore], graded: bool) -> list[str]:
    """Each autograded cell's auto_score := its tests' score (0 when the suite did not grade the student)."""
    from nbgrader.api import MissingEntry
    notebook_id = Path(assignment.notebook).stem
    try:
        grades = {c.grade_id: gradebook.find_grade(c.grade_id, notebook_id, assignment.id, student) for c in cells}
    except MissingEntry as exc:
        return [f"{exc}; run `python -m autograder nbgrader autograde {assignment.id}` again"]
    problems = []
    for cell in cells:
        grade = grades[cell.grade_id]
        if graded and abs(grade.max_score - cell.max_score) > 1e-9:
            problems.append(f"cell {cell.grade_id} is worth {grade.max_score:g} in nbgrader's gradebook but its "
                            f"tests {cell.max_score:g}; run `python -m autograder nbgrader autograde` again")
        grade.auto_score = cell.score if graded else 0.0
        grade.needs_manual_grade = False
    gradebook.db.commit()
    return problems


def _write_reports(path: Path, cells: list[CellScore], result: SubmissionResult | None, assignment: Assignment,
                   now: datetime) -> None:
    import nbformat  # here, not at the top: `check` (cli.py) must not need nbgrader's stack
    notebook = nbformat.read(path, as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in notebook.cells}
    for cell in cells:
        if cell.grade_id in by_id:
            text = (cell_report(cell, lambda t: shown_now(t.visibility, assignment.due, now)) if result else
                    "This part was not graded by the course's tests; please ask your instructor.\n")
            if result and result.status != "graded" and result.output:
                text += result.output.strip() + "\n"
            _with_report(by_id[cell.grade_id], text)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # nbgrader leaves the file read-only
    with os.fdopen(fd, "w") as stream:
        nbformat.write(notebook, stream)
    os.chmod(tmp, path.stat().st_mode)
    os.replace(tmp, path)


# ---------------------------------------------------------------- the commands
def add_parser(verbs) -> None:
    """``python -m autograder nbgrader ...``: registered by cli.py."""
    parser = verbs.add_parser("nbgrader", help="the nbgrader round trip: autograde with the hidden suites, feedback, export",
                              description="Run nbgrader's own commands in the right order, with the hidden suites as "
                                          "the automatic grade. See docs/nbgrader.md.")
    steps = parser.add_subparsers(dest="step", required=True, metavar="STEP")

    def step(name: str, help: str, run):
        p = steps.add_parser(name, help=help)
        p.add_argument("assignment", metavar="ID")
        p.add_argument("--course-dir", type=Path, default=ROOT,
                       help="the nbgrader course (the folder of its nbgrader_config.py; default: the kit)")
        p.set_defaults(run=run)
        return p

    p = step("autograde", "record the assignment, nbgrader autograde, grade with the suite, merge", cmd_autograde)
    p.add_argument("--force", action="store_true", help="autograde again students nbgrader has already autograded")
    p.add_argument("--jobs", type=int, default=None, help="grader processes for the suite (default: cores)")
    p.add_argument("--no-sandbox", action="store_true", help="passed on to `grade` (unsafe)")
    p = step("merge", "only write existing suite results (grades/<ID>/) into nbgrader's gradebook", cmd_merge)
    p.add_argument("--results", type=Path, help="folder of <student>/results.json (default: COURSE_DIR/grades/<ID>)")
    p = step("feedback", "nbgrader generate_feedback, then nbgrader export (after manual grading)", cmd_feedback)
    p.add_argument("--csv", type=Path, help="where nbgrader export writes (default: COURSE_DIR/grades/nbgrader/grades.csv)")


def _reported(command):
    """An nbgrader command that fails is a command that could not run: its output, and exit status 2."""
    def run(args) -> int:
        from autograder import report
        try:
            return command(args)
        except NbgraderFailed as exc:
            report.errors.print(f"error: {exc}", markup=False)
            return 2
    return run


def _assignment(args) -> Assignment:
    return load_course(args.course).assignment(args.assignment)


@_reported
def cmd_autograde(args) -> int:
    from autograder import report
    assignment, root = _assignment(args), args.course_dir.resolve()
    record_assignment(assignment, root)
    force = ["--force"] if args.force else []
    done = run_nbgrader(root, "autograde", assignment.id, *force, allow_failure=True)
    if done.returncode != 0:  # nbgrader goes on past a notebook it cannot process and says so at the end
        report.errors.print(f"nbgrader autograde reported problems:\n{(done.stdout + done.stderr)[-3000:]}", markup=False)
    results = root / "grades" / assignment.id
    with tempfile.TemporaryDirectory(prefix="nbgrader-submitted-") as staging:
        students = stage_submissions(assignment, root, Path(staging))
        if not students:
            report.errors.print(f"no submissions of {assignment.id} in nbgrader's submitted/ folder", markup=False)
            return 1
        grade = [sys.executable, "-m", "autograder", "--course", str(args.course), "grade", assignment.id, staging,
                 "--out", str(results), "--gradebook", str(root / "grades" / "gradebook.sqlite"),
                 *(["--jobs", str(args.jobs)] if args.jobs else []),
                 *(["--no-sandbox"] if args.no_sandbox else [])]
        graded = subprocess.run(grade, cwd=ROOT)
        if graded.returncode != 0:
            return graded.returncode
    return _merge_and_say(assignment, root, results)


@_reported
def cmd_merge(args) -> int:
    assignment, root = _assignment(args), args.course_dir.resolve()
    return _merge_and_say(assignment, root, args.results or root / "grades" / assignment.id)


def _merge_and_say(assignment: Assignment, root: Path, results: Path) -> int:
    from autograder import report
    outcome = merge(assignment, root, results)
    for problem in outcome.problems:
        report.console.print("✗ " + problem, style="red", markup=False, soft_wrap=True)
    report.console.print(f"merged the suite's scores of {len(outcome.merged)} students into nbgrader's gradebook; "
                         f"grade the written answers in formgrader, then run "
                         f"`python -m autograder nbgrader feedback {assignment.id}`", markup=False)
    return 1 if outcome.problems else 0


@_reported
def cmd_feedback(args) -> int:
    from autograder import report
    assignment, root = _assignment(args), args.course_dir.resolve()
    csv = (args.csv or root / "grades" / "nbgrader" / "grades.csv").resolve()
    csv.parent.mkdir(parents=True, exist_ok=True)
    run_nbgrader(root, "generate_feedback", assignment.id, "--force")
    run_nbgrader(root, "export", f"--to={csv}")
    coursedir = course_directory(root)
    report.console.print(f"feedback in {coursedir.format_path(coursedir.feedback_directory, '*', assignment.id)}; "
                         f"grades in {csv}", markup=False)
    return 0
