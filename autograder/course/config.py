"""``course.yml``: the one file an instructor edits, loaded into typed, validated objects.

Every problem is reported as ``<file>: <key path>: <what was expected>, got <what was there>``,
all of them at once, and the CLI exits with status 2.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PositiveFloat, PositiveInt, ValidationError, \
    model_validator

from autograder.course.layout import COURSE_FILE
from autograder.sandbox.limits import Limits

STUDENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")  # a student id: a folder and file name anywhere


class ConfigError(Exception):
    """course.yml (or another configuration file) is not what the kit expects."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class StrictModel(BaseModel):
    """A configuration file's model: unknown keys are errors, objects are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class LimitsSpec(StrictModel):
    call_seconds: PositiveFloat = Limits.call_seconds
    cell_seconds: PositiveFloat | None = Limits.cell_seconds
    submission_seconds: PositiveFloat = Limits.submission_seconds
    memory_mb: PositiveInt = Limits.memory_mb
    processes: PositiveInt = Limits.processes
    file_size_mb: PositiveInt = Limits.file_size_mb
    open_files: PositiveInt = Limits.open_files
    disk_mb: PositiveInt = Limits.disk_mb
    output_kb: PositiveInt = Limits.output_kb

    def to_limits(self) -> Limits:
        return Limits(**self.model_dump())


class LatePolicy(StrictModel):
    grace_minutes: int = Field(0, ge=0)
    penalty_per_day: float = Field(0.0, ge=0, le=1, description="fraction of the score lost per late day")
    max_days_late: int = Field(0, ge=0, description="after this many days a submission scores zero")


class Extension(StrictModel):
    """A student's extension: a new due date, or extra hours after the assignment's due date."""
    due: AwareDatetime | None = None
    hours: PositiveFloat | None = None

    @model_validator(mode="after")
    def _one_of(self):
        if (self.due is None) == (self.hours is None):
            raise ValueError("give exactly one of 'due' (a new due date) and 'hours' (extra hours)")
        return self

    def new_due(self, due: datetime) -> datetime:
        return self.due if self.due is not None else due + timedelta(hours=self.hours)


class Assignment(StrictModel):
    id: str = Field(pattern=r"^[0-9]{2}_[a-z0-9_]+$")
    title: str = Field(min_length=1)
    notebook: str = Field(pattern=r"^[A-Za-z0-9_.-]+\.ipynb$")
    release: AwareDatetime
    due: AwareDatetime
    points: PositiveFloat | None = None  # the suite's total when absent (the tests' points markers decide)
    late_policy: LatePolicy = LatePolicy()
    limits: LimitsSpec = LimitsSpec()
    gpu: Literal["never", "optional", "preferred"] = "never"  # see autograder/sandbox/devices.py
    gpu_limits: LimitsSpec | None = None  # on a GPU, these keys replace those of `limits`
    keras_backend: Literal["tensorflow", "jax", "torch"] = "tensorflow"  # see autograder/sandbox/backends.py
    hidden_visibility: Literal["hidden", "after_due_date", "after_published", "visible"] = "after_published"
    extensions: dict[str, Extension] = {}

    @model_validator(mode="after")
    def _due_after_release(self):
        if self.due <= self.release:
            raise ValueError(f"due ({self.due.isoformat()}) must come after release ({self.release.isoformat()})")
        return self

    @model_validator(mode="after")
    def _extensions_after_due(self):
        for student, extension in self.extensions.items():
            if not STUDENT_NAME.match(student):
                raise ValueError(f"extensions: {student!r} is not a student id (letters, digits and _.@+- only)")
            if extension.new_due(self.due) <= self.due:
                raise ValueError(f"extensions.{student}: the new due date must come after the assignment's due "
                                 f"date ({self.due.isoformat()}), got {extension.new_due(self.due).isoformat()}")
        return self

    @model_validator(mode="after")
    def _gpu_limits_need_a_gpu(self):
        if self.gpu_limits is not None and self.gpu == "never":
            raise ValueError("gpu_limits is set but gpu is 'never', so they would never apply; set gpu to "
                             "'optional' or 'preferred', or remove gpu_limits")
        return self

    def limits_on(self, device: str) -> Limits:
        """The worker's limits on ``device`` (``cpu`` or ``gpu``)."""
        if device == "gpu" and self.gpu_limits is not None:
            return self.limits.model_copy(update=self.gpu_limits.model_dump(exclude_unset=True)).to_limits()
        return self.limits.to_limits()

    def due_for(self, student: str) -> datetime:
        """The student's due date: the assignment's, or their extension's."""
        extension = self.extensions.get(student)
        return extension.new_due(self.due) if extension else self.due


class CourseInfo(StrictModel):
    name: str = Field(min_length=1)
    term: str = Field(min_length=1)


class Course(StrictModel):
    course: CourseInfo
    assignments: list[Assignment] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self):
        seen = set()
        for assignment in self.assignments:
            if assignment.id in seen:
                raise ValueError(f"assignment id {assignment.id!r} appears more than once; ids must be unique")
            seen.add(assignment.id)
        return self

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.id == assignment_id:
                return assignment
        known = ", ".join(a.id for a in self.assignments)
        raise ConfigError([f"course.yml: no assignment with id {assignment_id!r} (known: {known})"])


def load_course(path: Path = COURSE_FILE) -> Course:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{path}: is not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping with keys 'course' and 'assignments', got {type(data).__name__}"])
    return validate_model(Course, data, path.name)


def validate_model(model: type[BaseModel], data, filename: str):
    """``model`` from ``data``, or a :class:`ConfigError` with one line per problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError([_describe(filename, error) for error in exc.errors()]) from None


_EXPECTED = {
    "missing": "this key is required",
    "extra_forbidden": "unknown key (check the spelling; see the README for the keys course.yml accepts)",
    "timezone_aware": "expected a date-time with a time zone, in ISO 8601 (e.g. 2026-09-21T23:59:00+03:00)",
    "datetime_type": "expected a date-time with a time zone, in ISO 8601 (e.g. 2026-09-21T23:59:00+03:00)",
    "datetime_from_date_parsing": "expected a date-time with a time zone, in ISO 8601 (e.g. 2026-09-21T23:59:00+03:00)",
    "datetime_parsing": "expected a date-time with a time zone, in ISO 8601 (e.g. 2026-09-21T23:59:00+03:00)",
}


def _describe(filename: str, error: dict) -> str:
    location = _path(error["loc"])
    kind = error["type"]
    expected = _EXPECTED.get(kind) or _lower_first(error["msg"].removeprefix("Value error, "))
    where = f"{filename}: {location}" if location else filename
    if kind in ("missing",) or "input" not in error or kind == "value_error":
        return f"{where}: {expected}"
    got = error["input"]
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    return f"{where}: {expected}, got {shown}"


def _path(loc) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in ("function-after",) or str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            text += ("." if text else "") + str(part)
    return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]

