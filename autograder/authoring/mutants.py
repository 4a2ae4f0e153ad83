"""``python -m autograder mutants <id>``: how many slips in the reference solution does the hidden suite catch?

Each mutant (``mutate.py``) is the reference submission, as ``validate`` grades it (``samples.solution_notebook``
and ``samples/<id>/reference/*``), with one solution cell changed by one operator. The reference and every mutant
are graded as one class through the real pipeline and sandbox, in ``build/mutants/<id>/``; the reference is the
control and must get full marks. A mutant is

- *killed* when it scores below full marks, *timed out* when it did and a call of its ran out of time (counted as
  killed, shown apart);
- *equivalent* when it gets full marks and ``solutions/<id>/hidden/equivalent.yml`` lists it with the reason it is
  harmless; otherwise a *survivor*: a mistake no test catches, to be killed by a new test or listed.

Score = (killed + timed out) / (mutants - equivalent). Grading is resumable for free: the pipeline keeps a result
whose submission and suite are unchanged (``force=False``), so a stopped run goes on where it stopped and a run
after a new test grades every mutant again (the suite's digest changed). At most ``limit`` mutants per cell are
graded (``mutate.sample``).
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from pydantic import Field

from autograder import pipeline
from autograder.authoring import mutate, samples
from autograder.course.config import Assignment, ConfigError, StrictModel, validate_model
from autograder.course.layout import BUILD, GRADES, ROOT, hidden_suite_dir, source_notebook
from autograder.grading.results import SubmissionResult, write_json_atomically
from autograder.grading.suite import Suite, hidden_suite
from autograder.sandbox.devices import CPU, Device

WORK = BUILD / "mutants"
REPORT = GRADES / "mutants.json"
EQUIVALENTS = "equivalent.yml"
REFERENCE = "reference-solution"  # the control; no mutant's id is without a dot
PER_CELL = 40
PASSING = 0.9  # `validate --mutants` fails an assignment that kills less of its mutants
KILLED, TIMED_OUT, SURVIVED, EQUIVALENT, UNFINISHED = "killed", "timed out", "survived", "equivalent", "unfinished"
OUTCOMES = (KILLED, TIMED_OUT, SURVIVED, EQUIVALENT, UNFINISHED)


class MutantsError(Exception):
    """Mutation testing cannot be done as asked (an unknown cell; a reference that does not get full marks)."""


class Equivalent(StrictModel):
    """An entry of equivalent.yml: a mutant the suite need not kill, and why."""
    id: str = Field(min_length=1)
    reason: str = Field(min_length=1, pattern=r"^[^\n]+$")


@dataclass(frozen=True)
class Graded:
    mutant: mutate.Mutant
    outcome: str  # KILLED, TIMED_OUT, SURVIVED, EQUIVALENT or UNFINISHED (the grader stopped: run again)
    score: float
    max_score: float


@dataclass(frozen=True)
class Report:
    assignment: str
    graded: tuple[Graded, ...]
    not_viable: int
    left_out: int  # viable mutants over the per-cell limit
    warnings: tuple[str, ...]  # entries of equivalent.yml that match no mutant, or one the suite kills
    seconds: float
    tests: tuple[str, ...] = ()  # the suite's test files that graded them; () the whole suite

    def count(self, outcome: str) -> int:
        return sum(g.outcome == outcome for g in self.graded)

    @property
    def score(self) -> float | None:
        judged = len(self.graded) - self.count(EQUIVALENT)
        return (self.count(KILLED) + self.count(TIMED_OUT)) / judged if judged else None

    @property
    def survivors(self) -> tuple[Graded, ...]:
        return tuple(g for g in self.graded if g.outcome == SURVIVED)


def equivalents_file(assignment: str) -> Path:
    return hidden_suite_dir(assignment) / EQUIVALENTS


def load_equivalents(path: Path) -> dict[str, str]:
    """id -> reason, from an equivalent.yml (a list of ``- id: ...`` / ``reason: ...``); {} when there is none.
    Every problem in one :class:`ConfigError`, each naming the file and the entry."""
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError([f"{where}: is not valid YAML: {exc}"]) from None
    if data is None:
        return {}
    if not isinstance(data, list):
        raise ConfigError([f"{where}: expected a list of entries, each `- id: <mutant id>` and `reason: <one line>`, "
                           f"got {type(data).__name__}"])
    found, problems = {}, []
    for number, entry in enumerate(data):
        try:
            equivalent = validate_model(Equivalent, entry, f"{where}: [{number}]")
        except ConfigError as exc:
            problems += exc.problems
            continue
        if equivalent.id in found:
            problems.append(f"{where}: [{number}]: {equivalent.id} is listed twice")
        found[equivalent.id] = equivalent.reason
    if problems:
        raise ConfigError(problems)
    return found


def run_assignment(assignment: Assignment, sandbox: bool = True, jobs: int = 1, device: Device = CPU,
                   cells: list[str] | None = None, limit: int = PER_CELL, work: Path = WORK,
                   on_progress: Callable[[int, int], None] | None = None, tests: list[str] | None = None) -> Report:
    """Mutate the reference solution's cells (``cells``: only these grade ids), grade the mutants with the hidden
    suite (``tests``: only these of its files, by name: what survives them is a bound from below, for a suite too
    slow to run whole on every mutant, as 05's training), and judge them against solutions/<id>/hidden/equivalent.yml."""
    started = time.monotonic()
    suite = suite_files(hidden_suite(assignment.id), tests) if tests else hidden_suite(assignment.id)
    source = source_notebook(assignment.id, assignment.notebook)
    notebook = json.loads(source.read_text())
    names = list(mutate.solution_cells(notebook))
    unknown = sorted(set(cells or []) - set(names))
    if unknown:
        raise MutantsError(f"{assignment.id}: no solution cell {', '.join(unknown)} in solutions/{assignment.id}/"
                           f"{assignment.notebook} (its solution cells: {', '.join(names)})")
    try:
        chosen = mutate.notebook_mutants(notebook, cells)
    except mutate.MutationError as exc:
        raise MutantsError(f"solutions/{assignment.id}/{assignment.notebook}: {exc}") from None
    mutants = [m for c in chosen for m in mutate.sample(c.mutants, limit)]
    equivalents = load_equivalents(equivalents_file(assignment.id))
    results = grade_mutants(assignment, suite, samples.solution_notebook(source), mutants,
                            work / assignment.id, sandbox, jobs, device, on_progress)
    graded = tuple(judge(m, results[m.id], m.id in equivalents) for m in mutants)
    return Report(assignment.id, graded, sum(c.not_viable for c in chosen),
                  sum(len(c.mutants) for c in chosen) - len(mutants), stale(equivalents, chosen, graded),
                  round(time.monotonic() - started, 1), tuple(p.stem for p in suite.paths) if tests else ())


def suite_files(suite: Suite, names: list[str]) -> Suite:
    """``suite`` with only the test files named (``test_data`` or ``test_data.py``)."""
    files = {path.stem: path for place in suite.paths for path in sorted(place.glob("test_*.py"))}
    wanted = [name.removesuffix(".py") for name in names]
    unknown = sorted(set(wanted) - set(files))
    if unknown:
        raise MutantsError(f"{suite.assignment}: no test file {', '.join(unknown)} in its suite (its test files: "
                           f"{', '.join(sorted(files))})")
    return Suite(suite.assignment, tuple(files[name] for name in dict.fromkeys(wanted)))


def grade_mutants(assignment: Assignment, suite: Suite, reference: dict, mutants: list[mutate.Mutant], work: Path,
                  sandbox: bool = True, jobs: int = 1, device: Device = CPU,
                  on_progress: Callable[[int, int], None] | None = None) -> dict[str, SubmissionResult]:
    """Each mutant's result (by id), graded with the reference as one class in ``work``; results of an earlier run
    for the same submission and suite are kept. :class:`MutantsError` if the reference misses full marks."""
    folder, out = work / "class", work / "results"
    if folder.exists():
        shutil.rmtree(folder)
    for name, notebook in [(REFERENCE, reference), *((m.id, submission(reference, m)) for m in mutants)]:
        (folder / name).mkdir(parents=True)
        (folder / name / assignment.notebook).write_text(json.dumps(notebook, indent=1))
        samples.add_reference_files(assignment.id, folder / name)
    outcome = pipeline.grade(pipeline.Request(assignment, suite, folder, out, sandbox, jobs, device, force=False),
                             on_progress)
    results = {r.student: r for r in outcome.results}
    control = results[REFERENCE]
    if control.status != "graded" or control.score < control.max_score:
        failing = [t.name for t in control.tests if t.score < t.max_score]
        why = control.output.splitlines()[0] if control.status != "graded" and control.output else (
            f"failing: {', '.join(failing[:5])}" + (f" and {len(failing) - 5} more" if len(failing) > 5 else ""))
        raise MutantsError(f"{assignment.id}: the reference solution scores {control.score:g}/{control.max_score:g} "
                           f"({why}), so no mutant can be judged; see {out / REFERENCE / 'results.json'}")
    for old in out.iterdir():  # results of mutants that are no longer made
        if old.is_dir() and old.name not in results and not old.name.startswith("."):
            shutil.rmtree(old)
    return results


def submission(reference: dict, mutant: mutate.Mutant) -> dict:
    """The reference notebook with the mutant's cell in place of its own."""
    notebook = copy.deepcopy(reference)
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == mutant.cell:
            cell["source"] = mutant.source
    return notebook


def judge(mutant: mutate.Mutant, result: SubmissionResult, listed: bool) -> Graded:
    if result.status == "crashed":
        outcome = UNFINISHED
    elif result.score < result.max_score:
        outcome = TIMED_OUT if (result.extra.get("worker") or {}).get("timeouts") else KILLED
    else:
        outcome = EQUIVALENT if listed else SURVIVED
    return Graded(mutant, outcome, result.score, result.max_score)


def stale(equivalents: dict[str, str], cells: list[mutate.CellMutants], graded: tuple[Graded, ...]) -> tuple[str, ...]:
    """Entries of equivalent.yml to remove: for a mutant of these cells that is made no more, or that is killed."""
    made, mutated = {m.id for c in cells for m in c.mutants}, tuple(f"{c.cell}." for c in cells)
    return tuple([f"{EQUIVALENTS}: {i} matches no mutant any more: remove it" for i in equivalents
                  if i.startswith(mutated) and i not in made]
                 + [f"{EQUIVALENTS}: {g.mutant.id} is listed as equivalent, but the suite kills it: remove it"
                    for g in graded if g.mutant.id in equivalents and g.outcome in (KILLED, TIMED_OUT)])


def problems(report: Report, passing: float = PASSING) -> list[str]:
    """What `validate --mutants` fails on: a low score, each survivor, mutants whose grading did not finish."""
    found = []
    if report.score is not None and report.score < passing:
        found.append(f"{report.assignment}: the suite kills {report.score:.1%} of its mutants, less than "
                     f"{passing:.0%}")
    unfinished = report.count(UNFINISHED)
    if unfinished:
        found.append(f"{report.assignment}: grading of {unfinished} mutants did not finish; run again to grade them")
    for g in report.survivors:
        found.append(f"{report.assignment}: mutant {g.mutant.id} survives (cell {g.mutant.cell}, line "
                     f"{g.mutant.line}): {_one_line(g.mutant.before)} -> {_one_line(g.mutant.after)}; kill it with "
                     f"a test, or list it in solutions/{report.assignment}/hidden/{EQUIVALENTS} with a reason")
    return found


def summary(report: Report) -> str:
    score = "n/a" if report.score is None else f"{report.score:.1%}"
    return (f"{report.assignment}: {len(report.graded)} mutants: {report.count(KILLED)} killed, "
            f"{report.count(TIMED_OUT)} timed out, {report.count(SURVIVED)} survived, {report.count(EQUIVALENT)} "
            f"equivalent; score {score}; {report.not_viable} not viable, {report.left_out} over the limit per cell; "
            f"{report.seconds:.0f} s")


def to_json(report: Report, jobs: int, limit: int) -> dict:
    cells = {}
    for g in report.graded:
        figures = cells.setdefault(g.mutant.cell, dict.fromkeys(["mutants", *(_key(o) for o in OUTCOMES)], 0))
        figures["mutants"] += 1
        figures[_key(g.outcome)] += 1
    return {"mutants": len(report.graded), **{_key(o): report.count(o) for o in OUTCOMES},
            "score": None if report.score is None else round(report.score, 4), "not_viable": report.not_viable,
            "left_out": report.left_out, "max_per_cell": limit, "jobs": jobs, "seconds": report.seconds,
            "cores": os.cpu_count(), "load_average": [round(x, 1) for x in os.getloadavg()],
            "survivors": [{"id": g.mutant.id, "cell": g.mutant.cell, "line": g.mutant.line,
                           "operator": g.mutant.operator, "diff": g.mutant.diff} for g in report.survivors],
            "warnings": list(report.warnings), "cells": cells, "tests": list(report.tests) or "all"}


def write_report(path: Path, report: Report, jobs: int, limit: int) -> None:
    """Put the assignment's figures into ``path`` (grades/mutants.json), keeping the other assignments'."""
    try:
        figures = json.loads(path.read_text())
    except (OSError, ValueError):
        figures = {}
    figures.setdefault("assignments", {})[report.assignment] = to_json(report, jobs, limit)
    figures["assignments"] = dict(sorted(figures["assignments"].items()))
    write_json_atomically(path, figures)


def show(reports: list[Report]) -> None:
    from rich import box
    from rich.table import Table

    from autograder.reports.terminal import console
    table = Table(title="mutants of the reference solutions, graded by the hidden suites", title_justify="left",
                  box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for column in ("assignment", "mutants", "killed", "timed out", "survived", "equivalent", "score", "time"):
        table.add_column(column, justify="left" if column == "assignment" else "right", no_wrap=True)
    for r in reports:
        table.add_row(r.assignment, str(len(r.graded)), str(r.count(KILLED)), str(r.count(TIMED_OUT)),
                      str(r.count(SURVIVED)), str(r.count(EQUIVALENT)),
                      "n/a" if r.score is None else f"{r.score:.1%}", f"{r.seconds:.0f} s")
    console.print(table)
    for r in reports:
        console.print(f"{r.assignment}: {r.not_viable} mutants not viable (no different, or not Python), "
                      f"{r.left_out} over the limit per cell not graded", markup=False)
        if r.tests:
            console.print(f"{r.assignment}: graded with {', '.join(r.tests)} only: the score is a bound from below",
                          markup=False)
        for warning in r.warnings:
            console.print(f"warning: {r.assignment}: {warning}", style="yellow", markup=False, soft_wrap=True)


def _key(outcome: str) -> str:
    return outcome.replace(" ", "_")


def _one_line(text: str) -> str:
    """The first line, spaces squeezed, and how many more there are (a dropped block spans several)."""
    first, *more = text.splitlines() or [""]
    return f"`{' '.join(first.split())}`" + (f" (and {len(more)} more lines)" if more else "")
