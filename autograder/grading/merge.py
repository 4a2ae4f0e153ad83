"""Merge: the results folders of shards (``grade --shard K/N --out DIR`` on several runners) become one set of
results, every student exactly once; two different results for one student are an error naming both files."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.grading.results import SubmissionResult, read_result, write_result


class MergeError(Exception):
    """A set of results cannot be merged; the message says which files and why."""


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
            raise MergeError(f"{folder}: no such folder of results")
        paths = sorted(p for p in folder.glob("*/results.json") if not p.parent.name.startswith("."))
        if not paths:
            raise MergeError(f"{folder}: holds no <student>/results.json")
        for path in paths:
            try:
                result = read_result(path)
            except (ValueError, KeyError, TypeError) as exc:
                raise MergeError(f"{path}: not a results.json written by the kit ({exc})") from None
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
        raise MergeError("conflicting results; grade these students in one shard only, or remove one file:\n"
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
