"""Late submissions: when a submission was handed in, and what lateness costs.

The rule (course.yml's ``late_policy``, per assignment):

* the due date is the assignment's ``due``, or the student's extension (a new due date, or extra hours);
* a submission up to ``grace_minutes`` after the due date is on time;
* otherwise ``days_late = ceil((submitted - due - grace) / 24 h)``: one second past the grace is one day late;
* ``penalty = min(1, days_late * penalty_per_day)``, a fraction of the score earned;
* more than ``max_days_late`` days late scores zero (so ``max_days_late: 0`` accepts nothing late).

The submission time is nbgrader's ``timestamp.txt`` in the student's submission folder (written by
``nbgrader submit`` and kept by ``nbgrader collect``). Without one, ``grade --late-by-mtime`` takes the
notebook's (or the loose file's) modification time; otherwise no penalty applies, as in nbgrader, since
a downloaded or copied file's time says nothing about when it was handed in.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY = timedelta(days=1)
TIMESTAMP_FILE = "timestamp.txt"
# nbgrader's default timestamp_format is "%Y-%m-%d %H:%M:%S.%f %Z", e.g. "2026-09-22 07:00:00.000000 UTC"
_NBGRADER_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)\s*(\S+)?$")


@dataclass(frozen=True)
class Late:
    """How late a submission was and what it costs; ``penalty`` is the fraction of the score taken away."""
    submitted_at: str  # ISO 8601
    source: str        # "timestamp.txt" or "file modification time"
    due: str           # the due date that applied (ISO 8601), after any extension
    days_late: int
    penalty: float
    extended: bool = False

    def apply(self, score: float) -> float:
        return score * (1.0 - self.penalty)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Late":
        return cls(**data)

    def describe(self, raw: float, max_score: float) -> str:
        """One line for the student, in results.json's output."""
        when = f"Submitted {_show(self.submitted_at)} (from {self.source}); due {_show(self.due)}"
        when += " (your extension)" if self.extended else ""
        if not self.days_late:
            return when + ": on time."
        days = f"{self.days_late} day{'s' if self.days_late != 1 else ''} late"
        if self.penalty >= 1:
            return f"{when}: {days}, past the last day late work is accepted, so it scores 0 (tests: {raw:g}/{max_score:g})."
        return (f"{when}: {days}, a late penalty of {self.penalty:.0%}: "
                f"{raw:g}/{max_score:g} becomes {round(self.apply(raw), 4):g}/{max_score:g}.")


def assess(submitted: datetime, due: datetime, grace_minutes: int, penalty_per_day: float, max_days_late: int,
           source: str, extended: bool = False) -> Late:
    """The rule in the module docstring; ``due`` already includes any extension."""
    over = submitted - due - timedelta(minutes=grace_minutes)
    days_late = 0 if over <= timedelta(0) else math.ceil(over / DAY)
    penalty = 1.0 if days_late > max_days_late else min(1.0, days_late * penalty_per_day)
    return Late(submitted.astimezone(due.tzinfo).isoformat(), source, due.isoformat(), days_late, round(penalty, 6),
                extended)


def for_student(assignment, student: str, submitted: datetime, source: str) -> Late:
    """:func:`assess` with a course.yml assignment's policy and the student's extension, if any."""
    policy = assignment.late_policy
    return assess(submitted, assignment.due_for(student), policy.grace_minutes, policy.penalty_per_day,
                  policy.max_days_late, source, extended=student in assignment.extensions)


def closes_at(due: datetime, grace_minutes: int, max_days_late: int) -> datetime:
    """The last moment a submission still earns points."""
    return due + timedelta(minutes=grace_minutes) + max_days_late * DAY


def solution_opens_at(assignment) -> datetime:
    """When no submission can earn points any more (so the solution may be released): the latest due date,
    counting extensions, plus the grace period and ``max_days_late`` days."""
    latest_due = max([assignment.due, *(e.new_due(assignment.due) for e in assignment.extensions.values())])
    policy = assignment.late_policy
    return closes_at(latest_due, policy.grace_minutes, policy.max_days_late)


def parse_timestamp(text: str) -> datetime:
    """A time written by nbgrader (``2026-09-22 07:00:00.000000 UTC``, or with ``+0300``) or in ISO 8601."""
    text = text.strip()
    match = _NBGRADER_TIMESTAMP.match(text)
    if not match:
        raise ValueError(f"expected a time like '2026-09-22 07:00:00.000000 UTC', got {text[:60]!r}")
    moment, zone = match.groups()
    if zone is None or zone[0] in "+-":
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1).replace(" ", ""))
        if parsed.tzinfo is None:
            raise ValueError(f"the time {text!r} has no time zone")
        return parsed
    if zone in ("UTC", "GMT", "Z"):
        return datetime.fromisoformat(moment).replace(tzinfo=timezone.utc)
    try:
        return datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r} in {text!r}") from None


def submission_time(folder: Path | None, fallback_file: Path | None) -> tuple[datetime, str] | None:
    """When the submission was handed in, and where that came from; None if nothing tells."""
    stamp = folder / TIMESTAMP_FILE if folder is not None else None
    if stamp is not None and stamp.is_file() and not stamp.is_symlink():
        try:
            return parse_timestamp(stamp.read_text(errors="replace")[:200]), TIMESTAMP_FILE
        except ValueError as exc:
            reason = f"file modification time; {TIMESTAMP_FILE} was unreadable: {exc}"
            if fallback_file is not None:
                return _mtime(fallback_file), reason
            return None
    if fallback_file is not None and fallback_file.exists():
        return _mtime(fallback_file), "file modification time"
    return None


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(os.stat(path, follow_symlinks=False).st_mtime, timezone.utc)


def _show(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M %Z").replace("UTC+", "+").rstrip()
