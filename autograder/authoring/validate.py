"""``validate``: is the course consistent? Every problem found, in words an instructor can act on.

For each assignment: the source notebook exists; the committed release is what nbgrader makes
of it today and leaks nothing; the suite's points add up to course.yml's; and, graded through
the real sandbox, the reference solution gets full marks, the untouched stub zero, every sample
student exactly their expected score, and every known mistake loses points. With ``mutants``, also that the
suite kills the mutants of the reference solution (see mutants.py), once everything else holds.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from autograder import pipeline
from autograder.authoring import mutants as mutation, release, samples
from autograder.course.config import Assignment, Course
from autograder.course.layout import released_notebook, source_notebook
from autograder.grading.suite import hidden_suite, suite_points
from autograder.integrations import nbgrader_bridge
from autograder.sandbox.devices import CPU, Device

REFERENCE, STUB = "reference-solution", "untouched-stub"


def validate(course: Course, only: list[str] | None = None, sandbox: bool = True, jobs: int = 1,
             log=print, device_for=lambda assignment: CPU, mutants: bool = False) -> list[str]:
    problems: list[str] = []
    for assignment in course.assignments:
        if only and assignment.id not in only:
            continue
        log(f"validating {assignment.id} ...")
        found = validate_assignment(assignment, sandbox, jobs, device_for(assignment))
        if mutants and not found:  # mutants of a reference that fails its own checks would say nothing
            found = _mutation_problems(assignment, sandbox, jobs, device_for(assignment), log)
        problems += found
    return problems


def validate_assignment(assignment: Assignment, sandbox: bool, jobs: int, device: Device = CPU) -> list[str]:
    source = source_notebook(assignment.id, assignment.notebook)
    if not source.is_file():
        return [f"solutions/{assignment.id}/{assignment.notebook} is missing (course.yml names it)"]
    problems = release.out_of_sync(assignment.id) + release.leaks(assignment.id)
    problems += nbgrader_bridge.problems(assignment)
    total = suite_points(hidden_suite(assignment.id))
    if assignment.points is not None and abs(total - assignment.points) > 1e-9:
        problems.append(f"{assignment.id}: the suite's tests are worth {total:g} points, course.yml says "
                        f"{assignment.points:g}")
    if problems:
        return problems  # grading a release that is out of date would only add noise
    return problems + _grade_class(assignment, sandbox, jobs, device)


def _grade_class(assignment: Assignment, sandbox: bool, jobs: int, device: Device) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="validate-") as tmp:
        folder = Path(tmp) / "class"
        expected = samples.build_class(assignment.id, assignment.notebook, folder) if samples.has_samples(assignment.id) else {}
        folder.mkdir(exist_ok=True)
        for name, base in ((REFERENCE, samples.solution_notebook(source_notebook(assignment.id, assignment.notebook))),
                           (STUB, json.loads(released_notebook(assignment.id, assignment.notebook).read_text()))):
            (folder / name).mkdir()
            (folder / name / assignment.notebook).write_text(json.dumps(base))
        samples.add_reference_files(assignment.id, folder / REFERENCE)
        outcome = pipeline.grade(pipeline.Request(assignment, hidden_suite(assignment.id), folder, Path(tmp) / "out",
                                                  sandbox, jobs, device))
        results = {r.student: r for r in outcome.results}
    problems = []
    reference, stub = results[REFERENCE], results[STUB]
    if reference.score != reference.max_score:
        failed = [f"{t.name} ({t.output.splitlines()[0] if t.output else 'no message'})"
                  for t in reference.tests if t.score < t.max_score]
        problems.append(f"{assignment.id}: the reference solution scores {reference.score:g}/{reference.max_score:g}; "
                        f"failing: {'; '.join(failed)[:2000]}")
    if stub.score != 0:
        passed = [t.name for t in stub.tests if t.score > 0]
        problems.append(f"{assignment.id}: the untouched stub scores {stub.score:g}; it passes {', '.join(passed)}")
    for name, student in expected.items():
        got = results[name].score
        if abs(got - student.score) > 1e-9:
            problems.append(f"samples/{assignment.id}: {name} scores {got:g}, class.yml expects {student.score:g}")
        if student.mistake and got >= results[name].max_score:
            problems.append(f"samples/{assignment.id}: {name} ({student.mistake}) is not caught: it gets full marks")
    return problems


def _mutation_problems(assignment: Assignment, sandbox: bool, jobs: int, device: Device, log) -> list[str]:
    """Grade the assignment's mutants; their figures go to grades/mutants.json as `mutants` writes them."""
    log(f"grading mutants of {assignment.id} ...")
    try:
        report = mutation.run_assignment(assignment, sandbox, jobs, device)
    except mutation.MutantsError as exc:
        return [str(exc)]
    mutation.write_report(mutation.REPORT, report, jobs, mutation.PER_CELL)
    log(mutation.summary(report))
    for warning in report.warnings:
        log(f"warning: {assignment.id}: {warning}")
    return mutation.problems(report)
