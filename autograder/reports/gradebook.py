"""The gradebook: SQLite, one row per student × assignment × test.

Recording a student's result for an assignment replaces everything recorded for that
pair in one transaction, so grading again never duplicates rows, and a crash midway
leaves the previous grades as they were.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from autograder.grading.results import SubmissionResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL, assignment TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
    execution_time REAL NOT NULL, content_hash TEXT NOT NULL, suite_hash TEXT NOT NULL,
    device TEXT NOT NULL, graded_at TEXT NOT NULL,
    final_score REAL, days_late INTEGER NOT NULL DEFAULT 0, penalty REAL NOT NULL DEFAULT 0, submitted_at TEXT,
    keras_backend TEXT NOT NULL DEFAULT 'tensorflow',
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


# Columns added after the first gradebooks were written: an older gradebook gets them on opening (its results were
# graded before Keras had another backend than TensorFlow).
ADDED_COLUMNS = {"final_score": "REAL", "days_late": "INTEGER NOT NULL DEFAULT 0",
                 "penalty": "REAL NOT NULL DEFAULT 0", "submitted_at": "TEXT",
                 "keras_backend": "TEXT NOT NULL DEFAULT 'tensorflow'"}


@dataclass(frozen=True)
class Row:
    student: str
    assignment: str
    score: float  # the tests' points
    max_score: float
    status: str
    execution_time: float
    final_score: float  # after the late penalty: the grade
    days_late: int
    penalty: float
    submitted_at: str | None
    device: str
    keras_backend: str


class Gradebook:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.executescript(SCHEMA)
        present = {row[1] for row in self.db.execute("PRAGMA table_info(submissions)")}
        for column, kind in ADDED_COLUMNS.items():
            if column not in present:
                self.db.execute(f"ALTER TABLE submissions ADD COLUMN {column} {kind}")

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
                late = result.late
                self.db.execute(
                    "INSERT INTO submissions (student, assignment, score, max_score, status, execution_time, "
                    "content_hash, suite_hash, device, graded_at, final_score, days_late, penalty, submitted_at, "
                    "keras_backend) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*key, result.score, result.max_score, result.status, result.execution_time, result.content_hash,
                     result.suite_hash, result.device, now, result.final_score, late.days_late if late else 0,
                     late.penalty if late else 0.0, late.submitted_at if late else None, result.keras_backend))
                self.db.executemany("INSERT INTO tests VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                    [(*key, t.name, t.score, t.max_score, t.status, t.visibility, t.output)
                                     for t in result.tests])

    def rows(self, assignment: str | None = None) -> list[Row]:
        query = ("SELECT student, assignment, score, max_score, status, execution_time, COALESCE(final_score, score), "
                 "days_late, penalty, submitted_at, device, keras_backend FROM submissions")
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

    def grades(self) -> dict[str, dict[str, float]]:
        """Each student's grade (after any late penalty) on each assignment they were graded on."""
        scores: dict[str, dict[str, float]] = {}
        for row in self.rows():
            scores.setdefault(row.student, {})[row.assignment] = row.final_score
        return scores

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
