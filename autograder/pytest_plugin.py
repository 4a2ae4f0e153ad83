"""The pytest plugin that runs a suite against many submissions in one grader process.

Every test is parametrized over the submissions of the batch by a session-scoped fixture,
so pytest groups a student's tests together and starts their sandboxed worker once. The
``student`` fixture hands each test a proxy of that student's notebook.

Test metadata is read here and nowhere else: ``@pytest.mark.points(n)`` (default 1),
``@pytest.mark.visible`` (the message may show expected values), ``@pytest.mark.needs_gpu``,
``@pytest.mark.hint("...")`` (what a student should look at when the test fails).

When the last test of a student has run, their ``results.json`` is written (atomically),
with every test of the suite in it, whatever happened. Messages are built from the
exception, never from pytest's report, which would show the hidden test's source.
"""
from __future__ import annotations

import ast
import json
import time
from concurrent.futures import Future, ThreadPoolExecutor
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autograder import checks
from autograder.results import FAILED, PASSED, SKIPPED, SubmissionResult, TestResult, write_result
from autograder.sandbox.client import LoadReport, Session, StudentNotebook, Zygote
from autograder.sandbox.devices import Device
from autograder.sandbox.errors import CallTimeout, ProtocolError, StudentError, SubmissionTimeLimit, WorkerFailure
from autograder.sandbox.limits import Limits, worker_argv
from autograder.submissions import NotebookError, code_cells, read_notebook, tags_by_cell_id

MARKERS = (
    "points(n): the test is worth n points (default 1)",
    "visible: students see this test's expected values in its message",
    "needs_gpu: the test runs only when the batch runs on a GPU; elsewhere it is skipped and left out of the score",
    "hint(text): a hint for students, shown with the test when it fails (never the expected value)",
)


NOT_RUN_WITHOUT_GPU = ("This test needs a GPU, and this grading ran on a machine without one, so it was not run. "
                       "It counts neither for nor against you: it is left out of this score.")


MAX_CELLS_LISTED = 20  # a notebook of 20,000 failing cells must not make a 6 MB result


SPEC = pytest.StashKey["TestSpec"]()  # each test's spec, read from its markers once, at collection


class SubmissionNotLoaded(Exception):
    """The notebook could not be read or started; every test of the student fails with this message."""


@dataclass(frozen=True)
class TestSpec:
    name: str
    points: float
    visible: bool
    hint: str = ""
    needs_gpu: bool = False


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
    worker: dict = field(default_factory=dict)  # starts, time-outs, crashes, peak memory (sandbox/usage.py)


class Batch:
    """What the plugin knows about the batch it grades (read from the manifest)."""

    def __init__(self, manifest: dict):
        self.assignment = manifest["assignment"]
        self.out_dir = Path(manifest["out_dir"])
        self.sandbox = bool(manifest["sandbox"])
        self.datasets = Path(manifest["datasets"]) if manifest.get("datasets") else None
        self.limits = Limits(**manifest["limits"])
        self.device = Device.from_json(manifest.get("device"))
        self.hidden_visibility = manifest.get("hidden_visibility", "after_published")
        self.suite_hash = manifest.get("suite_hash", "")
        self.source_tags = tags_by_cell_id(read_notebook(Path(manifest["source_notebook"]))) \
            if manifest.get("source_notebook") else {}
        self.students = {s["student"]: StudentState(s) for s in manifest["submissions"]}
        self.tests: dict[str, TestSpec] = {}
        self.log = (self.out_dir / ".work" / "grader.log").open("a")  # never a student's name
        self.prewarmed: dict[str, Future] = {}
        self.zygote = zygote_for(self.assignment, self.datasets, self.limits, self.sandbox, self.device,
                                 Path(manifest["source_notebook"]) if manifest.get("source_notebook") else None)

    # ------------------------------------------------------------ sessions
    def prewarm(self, student: str) -> None:
        """Start ``student``'s worker in the background, so it loads while pytest collects the suite."""
        # Keep the pool: its thread must outlive the worker, which bwrap --die-with-parent kills with SIGKILL when
        # the thread that started it exits (an unreferenced pool's thread exits right after the task).
        self.prewarm_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="prewarm")
        self.prewarmed[student] = self.prewarm_pool.submit(self._start_session, student)

    def open_session(self, student: str) -> Session:
        future = self.prewarmed.pop(student, None)
        return future.result() if future is not None else self._start_session(student)

    def _start_session(self, student: str) -> Session:
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
                          self.datasets, device=self.device, zygote=self.zygote)
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
            state.worker = state.session.usage.to_json()
            state.session = None
        if not state.elapsed:
            state.elapsed = time.monotonic() - state.started

    # ------------------------------------------------------------ results
    def record(self, student: str, test: str, passed: bool, message: str) -> None:
        previous = self.students[student].outcomes.get(test)
        if previous is None or previous[0]:  # the first failure (setup, call or teardown) is the one that counts
            self.students[student].outcomes[test] = (passed, message)

    def visibility(self, spec: TestSpec) -> str:
        return "visible" if spec.visible else self.hidden_visibility

    def skips(self, spec: TestSpec) -> bool:
        """A test that needs a GPU is not run on the CPU, and is left out of the score (see NOT_RUN_WITHOUT_GPU)."""
        return spec.needs_gpu and self.device.kind == "cpu"

    def skipped_note(self) -> str:
        skipped = [spec for spec in self.tests.values() if self.skips(spec)]
        if not skipped:
            return ""
        return (f"{len(skipped)} test(s) worth {sum(s.points for s in skipped):g} points need a GPU and were not run, "
                f"because this grading ran on the CPU; this score leaves them out.")

    def finish(self, student: str) -> None:
        state = self.students[student]
        if state.written:
            return
        self.close_session(student)  # no more tests for this student: free the worker, stop the clock
        results = []
        for name, spec in self.tests.items():
            if self.skips(spec):
                results.append(TestResult(name=name, max_score=0.0, status=SKIPPED, output=NOT_RUN_WITHOUT_GPU,
                                          visibility=self.visibility(spec), hint=spec.hint))
                continue
            passed, message = state.outcomes.get(name, (False, "This test did not run (grading stopped early)."))
            results.append(TestResult(name=name, max_score=spec.points, score=spec.points if passed else 0.0,
                                      status=PASSED if passed else FAILED, output=message,
                                      visibility=self.visibility(spec), hint=spec.hint))
        status = "not_loaded" if state.load_error else "graded"
        result = SubmissionResult(student=student, assignment=self.assignment, tests=tuple(results), status=status,
                                  output="\n\n".join(filter(None, [state.load_error or describe_load(state.load),
                                                                    self.skipped_note()])),
                                  execution_time=state.elapsed, content_hash=state.spec.get("content_hash", ""),
                                  suite_hash=self.suite_hash, device=self.device.kind,
                                  extra={"worker": state.worker} if state.worker else {})
        write_result(self.out_dir, result)
        state.written = True


def zygote_for(assignment: str, datasets: Path | None, limits: Limits, sandbox: bool, device: Device,
               source: Path | None) -> Zygote | None:
    """The fork server that starts this grader's workers, where it can: in the sandbox, on the CPU. Without a
    sandbox there is no namespace of its own to clean between students; on a GPU each worker keeps a sandbox of
    its own, as the driver's state is per process. It imports what the reference notebook imports."""
    if not sandbox or device.kind != "cpu":
        return None
    argv, _ = worker_argv(assignment, None, datasets, limits, sandbox, device)
    modules = imported_modules(read_notebook(source)) if source is not None else []
    return Zygote(argv + (["--preload", ",".join(modules)] if modules else []), limits, device)


def imported_modules(notebook: dict) -> list[str]:
    """The modules that a notebook's top-level import statements name (``from a import b``: a, and a.b in case it
    is a module)."""
    modules = []
    for cell in code_cells(notebook):
        try:
            statements = ast.parse(cell.source).body
        except SyntaxError:
            continue
        for node in statements:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(modules))


def pytest_addoption(parser):
    parser.addoption("--ag-manifest", help="JSON manifest of the batch to grade (written by `autograder grade`)")
    parser.addoption("--ag-list", action="store_true", help="print each collected test's name, points and visibility")


def pytest_configure(config):
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    path = config.getoption("--ag-manifest")
    config._ag_batch = Batch(json.loads(Path(path).read_text())) if path else None
    if config._ag_batch is not None:
        # Messages come from the exception (message_for), never from pytest's report; its default "long"
        # traceback parses the source of every frame of every failing test, most of a stub's grading time.
        # "value" keeps only the exception's text.
        config.option.tbstyle = "value"
    if config._ag_batch is not None and config._ag_batch.students and not config.getoption("--ag-list"):
        config._ag_batch.prewarm(min(config._ag_batch.students))


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
        spec = item.stash[SPEC] = test_spec(item)
        batch.tests.setdefault(spec.name, spec)
        if batch.skips(spec):
            item.add_marker(pytest.mark.skip(reason="needs a GPU; this batch runs on the CPU"))
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
    return TestSpec(name, points, item.get_closest_marker("visible") is not None, _hint(item),
                    needs_gpu=item.get_closest_marker("needs_gpu") is not None)


def _hint(item) -> str:
    marker = item.get_closest_marker("hint")
    if marker is None:
        return ""
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], str) or not marker.args[0].strip():
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.hint takes one non-empty string, "
                                f"got {marker.args!r} {marker.kwargs!r}")
    return " ".join(marker.args[0].split())


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


@pytest.fixture
def submitted_files(submission, request) -> Path:
    """The folder of the student's submission (the notebook and the files beside it), as the grader sees it:
    for checking names and sizes from outside the sandbox; nothing in it is ever imported or unpickled here."""
    spec = request.config._ag_batch.students[request.node.callspec.params["submission"]].spec
    return Path(spec["directory"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    batch = item.config._ag_batch
    if batch is None:
        return
    report = outcome.get_result()
    student = item.callspec.params["submission"]
    name = item.stash[SPEC].name
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
    for student in list(batch.prewarmed):  # collection failed before their first test: stop the worker
        try:
            batch.open_session(student)
        except SubmissionNotLoaded as exc:
            batch.students[student].load_error = str(exc)
    for student in batch.students:
        batch.finish(student)
    if batch.zygote is not None:
        batch.zygote.kill()
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
    failed = load.failed()
    lines = ["These cells of your notebook failed while it was loading, so what they define is missing:"]
    for cell in failed[:MAX_CELLS_LISTED]:
        lines.append(f"- cell {cell.index}: {(cell.error or cell.status).strip().splitlines()[-1][:300]}")
    if len(failed) > MAX_CELLS_LISTED:
        lines.append(f"- and {len(failed) - MAX_CELLS_LISTED} more cells")
    return "\n".join(lines)
