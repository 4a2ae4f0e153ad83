"""nbgrader as the backbone for release, manual grading, gradebook and feedback; the hidden suites as the grade.

Each assignment's autograded nbgrader cells are its notebook's locked ``check`` cells, one per part.
``solutions/<id>/hidden/cells.yml`` is the one place that says which tests (public and hidden) score
which cell (see ``course/cells.py``); a cell is worth the sum of its tests' points, and :func:`problems`
(run by ``validate``) says so when the notebook disagrees.

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
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

from autograder import pipeline
from autograder.course.cells import cell_problems, group, load_cell_map, notebook_cells
from autograder.course.config import Assignment, ConfigError
from autograder.course.layout import ROOT, cell_map_file, source_notebook
from autograder.grading.results import PASSED, SubmissionResult, TestResult, read_result
from autograder.grading.suite import hidden_suite, suite_tests
from autograder.integrations.nbgrader_hooks import PENDING

OUTPUT_MARK = "autograder_kit"  # metadata key of the output merge writes, so merging again replaces it


class NbgraderFailed(Exception):
    """An nbgrader command could not do its work; the message carries its output."""


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


def cell_scores(assignment_id: str, tests: list[TestResult]) -> tuple[list[CellScore], list[str]]:
    """A student's tests grouped by the autograded cell they score, and the tests in no cell or two."""
    grouped, problems = group(load_cell_map(assignment_id), tests)
    return [CellScore(grade_id, tuple(found)) for grade_id, found in grouped.items()], problems


def problems(assignment: Assignment) -> list[str]:
    """``validate``'s check of the nbgrader side of an assignment (no student code runs)."""
    source = source_notebook(assignment.id, assignment.notebook)
    try:
        cell_map = load_cell_map(assignment.id)
    except ConfigError as exc:
        return exc.problems
    cells = notebook_cells(json.loads(source.read_text()))
    where = cell_map_file(assignment.id).relative_to(ROOT)
    return [f"{where}: {p}" for p in cell_problems(cell_map, cells, suite_tests(hidden_suite(assignment.id)),
                                                   f"solutions/{assignment.id}/{assignment.notebook}", assignment.id)]


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


def nbgrader_environment() -> dict[str, str]:
    """This interpreter's scripts first on PATH: nbgrader's gradebook runs the `alembic` script by name."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}


def scripts_on_path():
    """``nbgrader_environment``'s PATH for this process, while nbgrader's gradebook is open."""
    return mock.patch.dict(os.environ, {"PATH": nbgrader_environment()["PATH"]})


def run_nbgrader(root: Path, *args: str, allow_failure: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, capture_output=True, text=True,
                          env=nbgrader_environment())
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
            cells, unmapped = cell_scores(assignment.id, list(result.tests) if result else [])
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
            if result and result.status != "graded" and result.message:
                text += result.message.strip() + "\n"
            _with_report(by_id[cell.grade_id], text)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # nbgrader leaves the file read-only
    with os.fdopen(fd, "w") as stream:
        nbformat.write(notebook, stream)
    os.chmod(tmp, path.stat().st_mode)
    os.replace(tmp, path)


def autograde(assignment: Assignment, root: Path, force: bool, jobs: int, sandbox: bool, device,
              log) -> MergeReport | None:
    """The round trip's automatic part, in order: record the assignment, ``nbgrader autograde``, grade the same
    submissions with the hidden suite in the sandbox, merge; None when nobody submitted."""
    record_assignment(assignment, root)
    done = run_nbgrader(root, "autograde", assignment.id, *(["--force"] if force else []), allow_failure=True)
    if done.returncode != 0:  # nbgrader goes on past a notebook it cannot process and says so at the end
        log(f"nbgrader autograde reported problems:\n{(done.stdout + done.stderr)[-3000:]}")
    results = root / "grades" / assignment.id
    with tempfile.TemporaryDirectory(prefix="nbgrader-submitted-") as staging:
        if not stage_submissions(assignment, root, Path(staging)):
            return None
        pipeline.grade(pipeline.Request(assignment, hidden_suite(assignment.id), Path(staging), results, sandbox,
                                        jobs, device, force=False, gradebook=root / "grades" / "gradebook.sqlite"))
    return merge(assignment, root, results)
