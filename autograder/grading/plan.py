"""Stage 2, plan: which of the discovered submissions this run grades, and which results it keeps.

- **Resume.** A student whose ``results.json`` already records the same submission (content hash) graded
  by the same suite (suite hash) on the same device and Keras backend is not graded again; ``--force`` grades everyone. A
  result that says grading did not finish (status ``crashed``) is always graded again, and so is one whose
  worker timed out or crashed: the machine (load, a kill) may have caused it, and grading it again costs
  little. Results are written atomically, so a batch stopped at any moment leaves each student with the old
  result, the new one, or none.
- **Shards.** ``--shard K/N`` keeps the students whose id hashes to K modulo N: a partition that depends
  on nothing but the id, so every runner computes the same split without talking to the others.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.discover import Submission
from autograder.grading.results import SubmissionResult, read_result

SHARD_INDEX_VARIABLES = (  # where `--shard auto/N` finds K, first match wins
    ("AUTOGRADER_SHARD_INDEX", 0),  # anything: set it yourself (0-based)
    ("JOB_COMPLETION_INDEX", 0),    # Kubernetes indexed Jobs (0-based)
    ("CI_NODE_INDEX", 1),           # GitLab CI `parallel: N` (1-based)
)
RESUMABLE = ("graded", "not_loaded")


class ShardError(Exception):
    """A shard specification cannot be used; the message says why."""


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
        raise ShardError(f"--shard: expected K/N (for example 0/4) or auto/N, got {text!r}")
    count = int(match.group(2))
    if count < 1:
        raise ShardError(f"--shard: N must be at least 1, got {text!r}")
    if match.group(1) != "auto":
        index = int(match.group(1))
    else:
        found = [(name, environ[name], base) for name, base in SHARD_INDEX_VARIABLES if environ.get(name, "").strip()]
        if not found:
            raise ShardError(f"--shard auto/{count}: none of {', '.join(n for n, _ in SHARD_INDEX_VARIABLES)} is set; "
                             f"set one, or give the index as --shard K/{count}")
        name, value, base = found[0]
        if not value.strip().isdigit():
            raise ShardError(f"--shard auto/{count}: {name}={value!r} is not a whole number")
        index = int(value) - base
    if not 0 <= index < count:
        raise ShardError(f"--shard: K must be between 0 and {count - 1} for N = {count}, got {index}")
    return Shard(index, count)


@dataclass(frozen=True)
class Plan:
    """What a run grades, and what it keeps from an earlier run (each with its submission)."""
    to_grade: tuple[Submission, ...]
    kept: tuple[tuple[Submission, SubmissionResult], ...]


def plan(submissions: list[Submission], out_dir: Path, suite_hash: str, device: str, keras_backend: str,
         force: bool = False, shard: Shard | None = None) -> Plan:
    """This shard's submissions (all without one), split into those to grade and those whose results stand."""
    to_grade, kept = [], []
    for submission in submissions:
        if shard is not None and not shard.owns(submission.student):
            continue
        earlier = None if force else earlier_result(out_dir, submission, suite_hash, device, keras_backend)
        if earlier is None:
            to_grade.append(submission)
        else:
            kept.append((submission, earlier))
    return Plan(tuple(to_grade), tuple(kept))


def earlier_result(out_dir: Path, submission: Submission, suite_hash: str, device: str,
                   keras_backend: str) -> SubmissionResult | None:
    """The student's result from an earlier run, if it is complete and for this very submission, suite, device and
    Keras backend."""
    path = out_dir / submission.student / "results.json"
    try:
        result = read_result(path)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    same = (result.student == submission.student and result.content_hash == submission.content_hash
            and result.suite_hash == suite_hash and result.device == device and result.keras_backend == keras_backend
            and result.status in RESUMABLE)
    worker = result.extra.get("worker") or {}
    incident = worker.get("timeouts") or worker.get("crashes")  # perhaps the machine's doing (load, a kill): try again
    return result if same and submission.content_hash and not incident else None
