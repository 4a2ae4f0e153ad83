"""The pytest plugin that runs a suite against many submissions in one grader process.

Every test is parametrized over the submissions of the batch by a session-scoped fixture,
so pytest groups a student's tests together and starts their sandboxed worker once. The
``student`` fixture hands each test a proxy of that student's notebook.

Test metadata is read here and nowhere else: ``@pytest.mark.points(n)`` (default 1),
``@pytest.mark.visible`` (the message may show expected values), ``@pytest.mark.needs_gpu``.

When the last test of a student has run, their ``results.json`` is written (atomically),
with every test of the suite in it, whatever happened. Messages are built from the
exception, never from pytest's report, which would show the hidden test's source.
"""
from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import checks
from autograder.results import FAILED, PASSED, SubmissionResult, TestResult, write_result
from autograder.sandbox.client import LoadReport, Session, StudentNotebook
from autograder.sandbox.errors import CallTimeout, ProtocolError, StudentError, SubmissionTimeLimit, WorkerFailure
from autograder.sandbox.limits import Limits
from autograder.submissions import NotebookError, code_cells, read_notebook, tags_by_cell_id

MARKERS = (
    "points(n): the test is worth n points (default 1)",
    "visible: students see this test's expected values in its message",
    "needs_gpu: the test needs a GPU and runs where one is visible",
)


class SubmissionNotLoaded(Exception):
    """The notebook could not be read or started; every test of the student fails with this message."""


@dataclass(frozen=True)
class TestSpec:
    name: str
    points: float
    visible: bool


@dataclass
class StudentState:
    spec: dict
    remaining: int = 0
    outcomes: dict[str, tuple[bool, str]] = field(default_factory=dict)
    session: Session | None = None
    load: LoadReport | None = None
    load_error: str | None = None
    started: float = 0.0
    elapsed: float = 0.0
    written: bool = False


class Batch:
    """What the plugin knows about the batch it grades (read from the manifest)."""

    def __init__(self, manifest: dict):
        self.assignment = manifest["assignment"]
        self.out_dir = Path(manifest["out_dir"])
        self.sandbox = bool(manifest["sandbox"])
        self.datasets = Path(manifest["datasets"]) if manifest.get("datasets") else None
        self.limits = Limits(**manifest["limits"])
        self.hidden_visibility = manifest.get("hidden_visibility", "after_published")
        self.suite_hash = manifest.get("suite_hash", "")
        self.source_tags = tags_by_cell_id(read_notebook(Path(manifest["source_notebook"]))) \
            if manifest.get("source_notebook") else {}
        self.students = {s["student"]: StudentState(s) for s in manifest["submissions"]}
        self.tests: dict[str, TestSpec] = {}
        self.log = (self.out_dir / "grader.log").open("a")

    # ------------------------------------------------------------ sessions
    def open_session(self, student: str) -> Session:
        state = self.students[student]
        state.started = time.monotonic()
        spec = state.spec
        if spec.get("problem"):
            raise SubmissionNotLoaded(spec["problem"])
        try:
            cells = code_cells(read_notebook(Path(spec["notebook"])), self.source_tags)
        except (NotebookError, OSError) as exc:
            raise SubmissionNotLoaded(str(exc)) from None
        session = Session(self.assignment, Path(spec["directory"]), cells, self.limits, self.sandbox,
                          self.datasets, slot=int(spec.get("slot", 0)))
        state.session = session
        try:
            state.load = session.start()
        except WorkerFailure as exc:
            session.close()
            raise SubmissionNotLoaded(str(exc)) from None
        return session

    def close_session(self, student: str) -> None:
        state = self.students[student]
        if state.session is not None:
            state.session.close()
            state.session = None
        if not state.elapsed:
            state.elapsed = time.monotonic() - state.started

    # ------------------------------------------------------------ results
    def record(self, student: str, test: str, passed: bool, message: str) -> None:
        previous = self.students[student].outcomes.get(test)
        if previous is None or previous[0]:  # the first failure (setup, call or teardown) is the one that counts
            self.students[student].outcomes[test] = (passed, message)

    def finish(self, student: str) -> None:
        state = self.students[student]
        if state.written:
            return
        self.close_session(student)  # no more tests for this student: free the worker, stop the clock
        results = []
        for name, spec in self.tests.items():
            passed, message = state.outcomes.get(name, (False, "This test did not run (grading stopped early)."))
            results.append(TestResult(name=name, max_score=spec.points, score=spec.points if passed else 0.0,
                                      status=PASSED if passed else FAILED, output=message,
                                      visibility="visible" if spec.visible else self.hidden_visibility))
        status = "not_loaded" if state.load_error else "graded"
        result = SubmissionResult(student=student, assignment=self.assignment, tests=tuple(results), status=status,
                                  output=state.load_error or describe_load(state.load),
                                  execution_time=state.elapsed, content_hash=state.spec.get("content_hash", ""),
                                  suite_hash=self.suite_hash)
        write_result(self.out_dir, result)
        state.written = True


def pytest_addoption(parser):
    parser.addoption("--ag-manifest", help="JSON manifest of the batch to grade (written by `autograder grade`)")
    parser.addoption("--ag-list", action="store_true", help="print each collected test's name, points and visibility")


def pytest_configure(config):
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    path = config.getoption("--ag-manifest")
    config._ag_batch = Batch(json.loads(Path(path).read_text())) if path else None


def pytest_generate_tests(metafunc):
    batch = metafunc.config._ag_batch
    if batch is not None and "submission" in metafunc.fixturenames:
        students = sorted(batch.students)
        metafunc.parametrize("submission", students, ids=students, indirect=True, scope="session")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    batch = config._ag_batch
    if config.getoption("--ag-list"):
        seen = set()
        for item in items:
            spec = test_spec(item)
            if spec.name in seen:
                raise pytest.UsageError(f"{item.nodeid}: another test is also named {spec.name!r}")
            seen.add(spec.name)
            print("AG-TEST " + json.dumps(spec.__dict__))
    if batch is None:
        return
    for item in items:
        spec = test_spec(item)
        batch.tests.setdefault(spec.name, spec)
        batch.students[item.callspec.params["submission"]].remaining += 1


def test_spec(item) -> TestSpec:
    """Points and visibility of a test, from its markers; a malformed marker is an error naming the test."""
    name = f"{Path(str(item.fspath)).stem}::{item.originalname}"
    params = {k: v for k, v in getattr(item, "callspec", None).params.items() if k != "submission"} \
        if hasattr(item, "callspec") else {}
    if params:  # a parametrized test is one result per case, not one for all of them
        name += "[" + ",".join(f"{k}={v!r}" for k, v in params.items()) + "]"
    points_marker = item.get_closest_marker("points")
    points = 1.0
    if points_marker is not None:
        if len(points_marker.args) != 1 or points_marker.kwargs or isinstance(points_marker.args[0], bool) \
                or not isinstance(points_marker.args[0], (int, float)) or points_marker.args[0] <= 0:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.points takes one positive number, "
                                    f"got {points_marker.args!r} {points_marker.kwargs!r}")
        points = float(points_marker.args[0])
    return TestSpec(name, points, item.get_closest_marker("visible") is not None)


@pytest.fixture(scope="session", autouse=True)
def submission(request):
    """The student whose tests run now; starts (and finally stops) their sandboxed worker."""
    batch = request.config._ag_batch
    if batch is None:
        yield None
        return
    student = request.param
    try:
        session = batch.open_session(student)
    except SubmissionNotLoaded as exc:
        batch.students[student].load_error = str(exc)
        batch.close_session(student)
        raise
    try:
        yield session
    finally:
        batch.close_session(student)


@pytest.fixture
def student(submission, request):
    """A proxy of the student's notebook: ``student.posterior(prior, likelihood)`` runs in the worker."""
    if submission is None:
        pytest.fail("the `student` fixture needs a batch: run suites through `python -m autograder`")
    token = checks.show_expected.set(request.node.get_closest_marker("visible") is not None)
    yield StudentNotebook(submission)
    checks.show_expected.reset(token)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    batch = item.config._ag_batch
    if batch is None:
        return
    report = outcome.get_result()
    student = item.callspec.params["submission"]
    name = test_spec(item).name
    if report.passed and report.when == "call":
        batch.record(student, name, True, "")
    elif report.failed or report.skipped:
        state = batch.students[student]
        message = message_for(call.excinfo, state.load, batch, item) if call.excinfo else "This test was skipped."
        batch.record(student, name, False, message)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    yield
    batch = item.config._ag_batch
    if batch is None:
        return
    state = batch.students[item.callspec.params["submission"]]
    state.remaining -= 1
    if state.remaining == 0:
        batch.finish(item.callspec.params["submission"])


def pytest_sessionfinish(session):
    batch = session.config._ag_batch
    if batch is None:
        return
    for student in batch.students:
        batch.finish(student)
    batch.log.close()


def message_for(excinfo, load: LoadReport | None, batch: Batch, item) -> str:
    """What the student reads when a test fails."""
    exc = excinfo.value
    if isinstance(exc, checks.CheckFailed):
        return str(exc)
    if isinstance(exc, AssertionError):
        return str(exc) or "A check in this test failed."
    if isinstance(exc, SubmissionNotLoaded):
        return f"Your submission could not be graded: {exc}"
    if isinstance(exc, StudentError):
        return student_error_message(exc, load)
    if isinstance(exc, (CallTimeout, SubmissionTimeLimit)):
        return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    if isinstance(exc, ProtocolError):
        return f"{exc}."
    if isinstance(exc, WorkerFailure):
        return f"{str(exc)[:1].upper()}{str(exc)[1:]}."
    batch.log.write(f"internal error in {item.nodeid}:\n{''.join(traceback.format_exception(exc))}\n")
    batch.log.flush()
    return (f"The grader hit an internal error in this test ({type(exc).__name__}). This is not your fault; "
            "please tell your instructor.")


def student_error_message(exc: StudentError, load: LoadReport | None) -> str:
    if exc.type_name == "NotImplementedError":
        return ("This function is still the stub: replace `raise NotImplementedError()` with your implementation.")
    text = f"Your code raised {exc.type_name}: {exc.message}"
    if exc.student_traceback and "Traceback" in exc.student_traceback:
        text = f"Your code raised an exception.\n{exc.student_traceback}"
    if exc.type_name == "NameError" and load is not None and load.failed():
        text += "\n" + describe_load(load)
    return text


def describe_load(load: LoadReport | None) -> str:
    if load is None or not load.failed():
        return ""
    lines = ["These cells of your notebook failed while it was loading, so what they define is missing:"]
    for cell in load.failed():
        lines.append(f"- cell {cell.index}: {(cell.error or cell.status).strip().splitlines()[-1][:300]}")
    return "\n".join(lines)
