"""The gradebook: SQLite, one row per student × assignment × test.

Recording a student's result for an assignment replaces everything recorded for that
pair in one transaction, so grading again never duplicates rows, and a crash midway
leaves the previous grades as they were.
"""
from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.results import SubmissionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL, assignment TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
    execution_time REAL NOT NULL, content_hash TEXT NOT NULL, suite_hash TEXT NOT NULL,
    device TEXT NOT NULL, graded_at TEXT NOT NULL,
    PRIMARY KEY (student, assignment)
);
CREATE TABLE IF NOT EXISTS tests (
    student TEXT NOT NULL, assignment TEXT NOT NULL, test TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
    visibility TEXT NOT NULL, output TEXT NOT NULL,
    PRIMARY KEY (student, assignment, test),
    FOREIGN KEY (student, assignment) REFERENCES submissions (student, assignment) ON DELETE CASCADE
);
"""


@dataclass(frozen=True)
class Row:
    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    execution_time: float


class Gradebook:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record(self, results: list[SubmissionResult]) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.db:
            for result in results:
                key = (result.student, result.assignment)
                self.db.execute("DELETE FROM submissions WHERE student = ? AND assignment = ?", key)
                self.db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                (*key, result.score, result.max_score, result.status, result.execution_time,
                                 result.content_hash, result.suite_hash, result.device, now))
                self.db.executemany("INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    [(*key, t.name, t.score, t.max_score, t.status, t.visibility, t.output)
                                     for t in result.tests])

    def rows(self, assignment: str | None = None) -> list[Row]:
        query = "SELECT student, assignment, score, max_score, status, execution_time FROM submissions"
        args: tuple = ()
        if assignment:
            query += " WHERE assignment = ?"
            args = (assignment,)
        return [Row(*r) for r in self.db.execute(query + " ORDER BY assignment, student", args)]

    def pass_rates(self, assignment: str) -> list[tuple[str, float, float, int]]:
        """(test, max score, share of students who passed, students) for each test, hardest first."""
        return list(self.db.execute(
            "SELECT test, MAX(max_score), AVG(status = 'passed'), COUNT(*) FROM tests WHERE assignment = ? "
            "GROUP BY test ORDER BY AVG(status = 'passed'), test", (assignment,)))

    def count_tests(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM tests").fetchone()[0]

    def problems(self) -> list[str]:
        """Integrity check: SQLite's own, and every submission's score equal to the sum of its tests."""
        found = [r[0] for r in self.db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for student, assignment, score, total, count in self.db.execute(
                "SELECT s.student, s.assignment, s.score, COALESCE(SUM(t.score), 0), COUNT(t.test) FROM submissions s "
                "LEFT JOIN tests t USING (student, assignment) GROUP BY s.student, s.assignment"):
            if count == 0 or abs(score - total) > 1e-6:
                found.append(f"{student}/{assignment}: score {score} but its {count} tests add up to {total}")
        return found

    def export_csv(self, path: Path, assignments: list[str]) -> None:
        """One row per student: their score on each assignment (blank if not graded) and the total."""
        scores: dict[str, dict[str, float]] = {}
        for row in self.rows():
            scores.setdefault(row.student, {})[row.assignment] = row.score
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(["student", *assignments, "total"])
            for student in sorted(scores):
                mine = scores[student]
                writer.writerow([student, *[_number(mine.get(a)) for a in assignments],
                                 _number(sum(mine.get(a, 0.0) for a in assignments))])


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
