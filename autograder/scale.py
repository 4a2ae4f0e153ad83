"""Grading a class at scale: resume a stopped batch, split a batch over runners, merge their results.

- **Resume.** A student whose ``results.json`` already records the same submission (content hash) graded
  by the same suite (suite hash) is not graded again; ``--force`` grades everyone. A result that says
  grading did not finish (status ``crashed``, written when a grader process stopped) is always graded
  again, and so is one whose worker timed out or crashed: the machine (load, a kill) may have caused it,
  and grading it again costs little. Results are written atomically (``results.write_json_atomically``),
  so a batch stopped at any moment leaves each student with the old result, the new one, or none.
- **Shards.** ``--shard K/N`` keeps the students whose id hashes to K modulo N: a partition that depends
  on nothing but the id, so every runner computes the same split without talking to the others.
- **Merge.** The shards' result folders become one: every student exactly once; two different results
  for one student are an error that names both files.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from autograder.config import ROOT
from autograder.grading import Batch, grade, with_late
from autograder.results import SubmissionResult, read_result, write_result
from autograder.submissions import Submission, discover

SHARD_INDEX_VARIABLES = (  # where `--shard auto/N` finds K, first match wins
    ("AUTOGRADER_SHARD_INDEX", 0),  # anything: set it yourself (0-based)
    ("JOB_COMPLETION_INDEX", 0),    # Kubernetes indexed Jobs (0-based)
    ("CI_NODE_INDEX", 1),           # GitLab CI `parallel: N` (1-based)
)
RESUMABLE = ("graded", "not_loaded")
GRADES = ROOT / "grades"
GRADEBOOK = GRADES / "gradebook.sqlite"


class ScaleError(Exception):
    """A shard specification or a set of results cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    def owns(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def shard_of(student: str, count: int) -> int:
    """The shard of a student: a hash of the id alone, so it never moves when others join or leave."""
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % count


def parse_shard(text: str, environ: dict[str, str] | None = None) -> Shard:
    """``K/N`` (0 <= K < N), or ``auto/N`` with K from the environment (see SHARD_INDEX_VARIABLES)."""
    environ = os.environ if environ is None else environ
    match = re.fullmatch(r"\s*(auto|\d+)\s*/\s*(\d+)\s*", text)
    if not match:
        raise ScaleError(f"--shard: expected K/N (for example 0/4) or auto/N, got {text!r}")
    count = int(match.group(2))
    if count < 1:
        raise ScaleError(f"--shard: N must be at least 1, got {text!r}")
    if match.group(1) != "auto":
        index = int(match.group(1))
    else:
        found = [(name, environ[name], base) for name, base in SHARD_INDEX_VARIABLES if environ.get(name, "").strip()]
        if not found:
            raise ScaleError(f"--shard auto/{count}: none of {', '.join(n for n, _ in SHARD_INDEX_VARIABLES)} is set; "
                             f"set one, or give the index as --shard K/{count}")
        name, value, base = found[0]
        if not value.strip().isdigit():
            raise ScaleError(f"--shard auto/{count}: {name}={value!r} is not a whole number")
        index = int(value) - base
    if not 0 <= index < count:
        raise ScaleError(f"--shard: K must be between 0 and {count - 1} for N = {count}, got {index}")
    return Shard(index, count)


# ---------------------------------------------------------------- resume
@dataclass(frozen=True)
class Plan:
    """What a run grades, and what it keeps from an earlier run."""
    to_grade: tuple[Submission, ...]
    kept: tuple[SubmissionResult, ...]


def plan(submissions: list[Submission], out_dir: Path, suite_hash: str, device: str, force: bool = False) -> Plan:
    to_grade, kept = [], []
    for submission in submissions:
        earlier = None if force else earlier_result(out_dir, submission, suite_hash, device)
        if earlier is None:
            to_grade.append(submission)
        else:
            kept.append(earlier)
    return Plan(tuple(to_grade), tuple(kept))


def earlier_result(out_dir: Path, submission: Submission, suite_hash: str, device: str) -> SubmissionResult | None:
    """The student's result from an earlier run, if it is complete and for this very submission, suite and device."""
    path = out_dir / submission.student / "results.json"
    try:
        result = read_result(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    same = (result.student == submission.student and result.content_hash == submission.content_hash
            and result.suite_hash == suite_hash and result.device == device and result.status in RESUMABLE)
    worker = result.extra.get("worker") or {}
    incident = worker.get("timeouts") or worker.get("crashes")  # perhaps the machine's doing (load, a kill): try again
    return result if same and submission.content_hash and not incident else None


def grade_class(batch: Batch, root: Path, on_progress=None, shard: Shard | None = None,
                force: bool = False) -> tuple[list[SubmissionResult], Plan]:
    """Grade the submissions in ``root`` that this shard owns and that are not graded already; all their results."""
    submissions = discover(root, batch.assignment.id, batch.assignment.notebook, batch.out_dir / ".work" / "unpacked")
    if shard is not None:
        submissions = [s for s in submissions if shard.owns(s.student)]
    work = plan(submissions, batch.out_dir, batch.suite.digest, batch.device.kind, force)
    fresh = grade(batch, list(work.to_grade), on_progress) if work.to_grade else []
    kept = {r.student: r for r in work.kept}
    by_student = {r.student: r for r in fresh} | {s.student: _late_again(batch, s, kept[s.student])
                                                   for s in submissions if s.student in kept}
    return [by_student[s.student] for s in submissions], work


def _late_again(batch: Batch, submission: Submission, result: SubmissionResult) -> SubmissionResult:
    """A kept result's late penalty as course.yml says now (an extension granted since), not as it said then."""
    bare = result
    if result.late is not None:
        line = result.late.describe(result.score, result.max_score)
        bare = replace(result, late=None, output=result.output.removeprefix(line).lstrip("\n"))
    again = with_late(batch, submission, bare)
    if again != result:
        write_result(batch.out_dir, again)
    return again


# ---------------------------------------------------------------- summary
def summary(results: list[SubmissionResult]) -> str:
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


# ---------------------------------------------------------------- merge
@dataclass(frozen=True)
class Merged:
    results: tuple[SubmissionResult, ...]
    duplicates: int  # identical results found in more than one folder (a shard run twice), kept once


def merge_folders(folders: list[Path]) -> Merged:
    """Every ``<student>/results.json`` under ``folders``, one per (assignment, student)."""
    found: dict[tuple[str, str], tuple[Path, SubmissionResult]] = {}
    conflicts, duplicates = [], 0
    for folder in folders:
        if not folder.is_dir():
            raise ScaleError(f"{folder}: no such folder of results")
        paths = sorted(p for p in folder.glob("*/results.json") if not p.parent.name.startswith("."))
        if not paths:
            raise ScaleError(f"{folder}: holds no <student>/results.json")
        for path in paths:
            try:
                result = read_result(path)
            except (ValueError, KeyError, TypeError) as exc:
                raise ScaleError(f"{path}: not a results.json written by the kit ({exc})") from None
            key = (result.assignment, result.student)
            if key in found:
                other, earlier = found[key]
                if _fingerprint(earlier) != _fingerprint(result):
                    conflicts.append(f"{result.student} ({result.assignment}) has different results in {other} "
                                     f"and {path}")
                else:
                    duplicates += 1
                continue
            found[key] = (path, result)
    if conflicts:
        raise ScaleError("conflicting results; grade these students in one shard only, or remove one file:\n"
                         + "\n".join(conflicts))
    return Merged(tuple(result for _, result in sorted(found.values(), key=lambda f: (f[1].assignment, f[1].student))),
                  duplicates)


def _fingerprint(result: SubmissionResult) -> str:
    """What must agree for two copies to be the same result (the time it took may differ)."""
    data = result.to_gradescope()
    data.pop("execution_time", None)
    data["kit"] = {k: v for k, v in data["kit"].items() if k != "worker"}
    return json.dumps(data, sort_keys=True)


def write_merged(merged: Merged, out_dir: Path) -> list[Path]:
    """``out_dir/<assignment>/<student>/results.json`` for each merged result."""
    return [write_result(out_dir / result.assignment, result) for result in merged.results]


# ---------------------------------------------------------------- the command
def add_parser(verbs) -> None:
    """``python -m autograder merge``: registered by cli.py."""
    p = verbs.add_parser("merge", help="combine the results folders of shards into one set of results, gradebook and CSV",
                         description="Read every <student>/results.json in the FOLDERS (the --out folders of "
                                     "`grade --shard K/N` runs), check that no student has two different results, "
                                     "and write them to OUT/<ID>/<student>/results.json, the gradebook and a CSV.")
    p.add_argument("folders", nargs="+", type=Path, metavar="FOLDER")
    p.add_argument("--out", type=Path, default=GRADES, help="where the merged results go (default: grades/)")
    p.add_argument("--gradebook", type=Path, default=GRADEBOOK, help="SQLite gradebook (default: grades/gradebook.sqlite)")
    p.add_argument("--csv", type=Path, default=GRADES / "grades.csv", help="default: grades/grades.csv")
    p.set_defaults(run=cmd_merge)


def cmd_merge(args) -> int:
    from autograder import export, report
    from autograder.config import load_course
    from autograder.gradebook import Gradebook
    course = load_course(args.course)
    merged = merge_folders(args.folders)
    write_merged(merged, args.out)
    with Gradebook(args.gradebook) as gradebook:
        gradebook.record(list(merged.results))
        grades = gradebook.grades()
    export.write(args.csv, export.table("csv", course.assignments, grades, {}))
    students = {r.student for r in merged.results}
    report.console.print(f"merged {len(merged.results)} results of {len(students)} students from {len(args.folders)} "
                         f"folders into {args.out}, {args.gradebook} and {args.csv}"
                         + (f"; identical duplicates counted once: {merged.duplicates}" if merged.duplicates else ""))
    return 0
