"""Results as plain data, and their one serialisation: Gradescope's ``results.json`` schema.

https://gradescope-autograders.readthedocs.io/en/latest/specs/ — top level ``score``,
``execution_time``, ``output``, ``tests``; each test ``name``, ``score``, ``max_score``,
``output``, ``visibility``, ``status``. We add ``max_score`` at the top (the schema allows
extra keys) and a ``kit`` object with what this kit needs to resume and audit a batch.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from autograder.course.late import Late
from autograder.sandbox.backends import DEFAULT_BACKEND

PASSED, FAILED = "passed", "failed"
SKIPPED = "skipped"  # a needs_gpu test on a CPU run, another Keras backend's test: worth 0 of 0 points, with the reason
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class, despite the name

    name: str
    max_score: float
    score: float = 0.0
    status: str = FAILED
    output: str = ""
    visibility: str = "visible"
    number: str = ""
    hint: str = ""  # the author's hint (@pytest.mark.hint), kept in Gradescope's per-test extra_data

    def to_gradescope(self) -> dict:
        entry = {"name": self.name, "score": round(self.score, 4), "max_score": self.max_score,
                 "output": self.output, "visibility": self.visibility, "status": self.status}
        if self.number:
            entry["number"] = self.number
        if self.hint:
            entry["extra_data"] = {"hint": self.hint}
        return entry


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    assignment: str
    tests: tuple[TestResult, ...]
    status: str = "graded"  # graded | not_loaded | crashed | timed_out
    output: str = ""  # what grading says about the submission (cells that failed to load, tests not run)
    execution_time: float = 0.0
    content_hash: str = ""
    suite_hash: str = ""
    device: str = "cpu"
    keras_backend: str = DEFAULT_BACKEND
    extra: dict = field(default_factory=dict)
    late: Late | None = None

    @property
    def score(self) -> float:
        """The tests' points, before any late penalty."""
        return sum(test.score for test in self.tests)

    @property
    def final_score(self) -> float:
        """The grade: the score after the late penalty (Gradescope's ``score``)."""
        return self.late.apply(self.score) if self.late else self.score

    @property
    def max_score(self) -> float:
        return sum(test.max_score for test in self.tests)

    @property
    def message(self) -> str:
        """What the student reads about the whole submission (Gradescope's ``output``): lateness, then grading's."""
        return "\n\n".join(filter(None, [self._late_line(), self.output]))

    def _late_line(self) -> str:
        return self.late.describe(self.score, self.max_score) if self.late else ""

    def to_gradescope(self) -> dict:
        return {
            "score": round(self.final_score, 4),
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": self.message,
            "visibility": "visible",
            "tests": [test.to_gradescope() for test in self.tests],
            "kit": {"student": self.student, "assignment": self.assignment, "status": self.status,
                    "content_hash": self.content_hash, "suite_hash": self.suite_hash, "device": self.device,
                    "keras_backend": self.keras_backend, "raw_score": round(self.score, 4),
                    "late": self.late.to_json() if self.late else None, **self.extra},
        }

    @classmethod
    def from_gradescope(cls, data: dict) -> "SubmissionResult":
        kit = dict(data["kit"])
        tests = tuple(TestResult(name=t["name"], max_score=t["max_score"], score=t["score"], status=t["status"],
                                 output=t.get("output", ""), visibility=t.get("visibility", "visible"),
                                 number=t.get("number", ""), hint=t.get("extra_data", {}).get("hint", ""))
                      for t in data["tests"])
        known = {"student", "assignment", "status", "content_hash", "suite_hash", "device", "keras_backend", "raw_score",
                 "late"}
        result = cls(student=kit["student"], assignment=kit["assignment"], tests=tests, status=kit["status"],
                     output=data.get("output", ""), execution_time=data.get("execution_time", 0.0),
                     content_hash=kit.get("content_hash", ""), suite_hash=kit.get("suite_hash", ""),
                     device=kit.get("device", "cpu"), keras_backend=kit.get("keras_backend", DEFAULT_BACKEND),
                     extra={k: v for k, v in kit.items() if k not in known},
                     late=Late.from_json(kit["late"]) if kit.get("late") else None)
        # ``message`` put the late line first: what follows it is grading's own output
        return replace(result, output=result.output.removeprefix(result._late_line()).lstrip("\n"))


def failed_everywhere(student: str, assignment: str, tests: list[TestResult], status: str, message: str,
                      **kwargs) -> SubmissionResult:
    """A submission that could not be graded at all still lists every test, each at zero, with the reason."""
    return SubmissionResult(student=student, assignment=assignment, status=status, output=message,
                            tests=tuple(replace(t, score=0.0, status=FAILED, output=message) for t in tests),
                            **kwargs)


def write_json_atomically(path: Path, data: dict) -> None:
    """Write to a temporary file beside ``path`` and rename it: a reader sees the old file or the new one. The
    temporary files of writers killed before their rename (SIGKILL, power loss) are removed then."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as stream:
            json.dump(data, stream, indent=2)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename is None:  # a full disk: say which file could not be written
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def write_result(out_dir: Path, result: SubmissionResult) -> Path:
    path = out_dir / result.student / "results.json"
    write_json_atomically(path, result.to_gradescope())
    return path


def read_result(path: Path) -> SubmissionResult:
    return SubmissionResult.from_gradescope(json.loads(path.read_text()))

