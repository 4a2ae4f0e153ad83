"""The pytest plugin of a grader process: runs a suite against many submissions (stage 3, run, in the pytest
process it starts; see run.py).

:class:`Grader` is a plugin object, registered for one batch (``--ag-manifest`` from ``run.py``, or handed to
``pytest.main`` by ``check``). Every test is parametrized over the submissions of the batch by a session-scoped
fixture, so pytest groups a student's tests together and starts their sandboxed worker once. The ``student``
fixture hands each test a proxy of that student's notebook.

Test metadata is read here and nowhere else (:func:`test_spec`): ``@pytest.mark.points(n)`` (default 1),
``@pytest.mark.visible`` (the message may show expected values), ``@pytest.mark.needs_gpu``,
``@pytest.mark.backends("tensorflow", ...)`` (the Keras backends that can run the test),
``@pytest.mark.hint("...")`` (what a student should look at when the test fails). A test this batch cannot run (a
GPU's on the CPU, another backend's) is listed as skipped, worth 0 of 0 points, with a message that says why.

When the last test of a student has run, their raw result (every test of the suite, whatever happened) is
delivered to the run stage, which finishes it and writes ``results.json``. Messages are built from the
exception, never from pytest's report, which would show the hidden test's source.
"""
from __future__ import annotations

import ast
import json
import os
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from autograder import checks
from autograder.grading.discover import NotebookError, code_cells, read_notebook, tags_by_cell_id
from autograder.grading.results import FAILED, PASSED, SKIPPED, SubmissionResult, TestResult
from autograder.grading.suite import LISTED
from autograder.sandbox.backends import BACKENDS, DEFAULT_BACKEND
from autograder.sandbox.devices import Device
from autograder.sandbox.errors import CallTimeout, ProtocolError, StudentError, SubmissionTimeLimit, WorkerFailure
from autograder.sandbox.limits import Limits, worker_argv
from autograder.sandbox.processes import Zygote
from autograder.sandbox.proxies import StudentNotebook
from autograder.sandbox.session import LoadReport, Session

MARKERS = (
    "points(n): the test is worth n points (default 1)",
    "visible: students see this test's expected values in its message",
    "needs_gpu: the test runs only when the batch runs on a GPU; elsewhere it is skipped and left out of the score",
    "backends(*names): the test runs only on these Keras backends (tensorflow, jax, torch); on another it is skipped "
    "and left out of the score",
    "hint(text): a hint for students, shown with the test when it fails (never the expected value)",
)


NOT_RUN_WITHOUT_GPU = ("This test needs a GPU, and this grading ran on a machine without one, so it was not run. "
                       "It counts neither for nor against you: it is left out of this score.")


def left_out(skipped: list[TestSpec], what: str, ran: str) -> str:
    if not skipped:
        return ""
    return (f"{len(skipped)} test(s) worth {sum(s.points for s in skipped):g} points need {what} and were not run, "
            f"because this grading ran {ran}; this score leaves them out.")


def not_run_on_backend(backends: tuple[str, ...], backend: str) -> str:
    return (f"This test needs Keras on {' or '.join(backends)}, and this grading ran Keras on {backend}, so it was "
            f"not run. It counts neither for nor against you: it is left out of this score.")


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
    backends: tuple[str, ...] = ()  # the Keras backends that can run it; () is any


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
    delivered: bool = False
    worker: dict = field(default_factory=dict)  # starts, time-outs, crashes, peak memory (sandbox/usage.py)


class Grader:
    """The plugin object of one grader process: the batch it grades (read from the manifest that run.py writes)
    and the hooks and fixtures that grade it. ``deliver`` receives each student's raw result."""

    def __init__(self, manifest: dict, deliver: Callable[[SubmissionResult], None]):
        self.assignment = manifest["assignment"]
        self.deliver = deliver
        self.sandbox = bool(manifest["sandbox"])
        self.datasets = Path(manifest["datasets"]) if manifest.get("datasets") else None
        self.limits = Limits(**manifest["limits"])
        self.device = Device.from_json(manifest.get("device"))
        self.keras_backend = manifest.get("keras_backend", DEFAULT_BACKEND)
        self.hidden_visibility = manifest.get("hidden_visibility", "after_published")
        self.worker_uid = manifest.get("worker_uid")
        source = Path(manifest["source_notebook"]) if manifest.get("source_notebook") else None
        self.source_tags = tags_by_cell_id(read_notebook(source)) if source else {}
        self.students = {s["student"]: StudentState(s) for s in manifest["submissions"]}
        self.tests: dict[str, TestSpec] = {}
        self.log = Path(manifest["log"]).open("a")  # in the run's work folder: never a student's name
        self.prewarmed: dict[str, Future] = {}
        self.zygote = zygote_for(self.assignment, self.datasets, self.limits, self.sandbox, self.device, source,
                                 self.worker_uid, self.keras_backend)
        if self.students:
            self.prewarm(min(self.students))

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
                          self.datasets, device=self.device, zygote=self.zygote, worker_uid=self.worker_uid,
                          keras_backend=self.keras_backend)
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
    def visibility(self, spec: TestSpec) -> str:
        return "visible" if spec.visible else self.hidden_visibility

    def needs_a_gpu(self, spec: TestSpec) -> bool:
        return spec.needs_gpu and self.device.kind == "cpu"

    def needs_another_backend(self, spec: TestSpec) -> bool:
        return bool(spec.backends) and self.keras_backend not in spec.backends

    def skip_reason(self, spec: TestSpec) -> str:
        """Why this batch does not run a test, which is then left out of the score; "" when it runs it."""
        if self.needs_a_gpu(spec):
            return NOT_RUN_WITHOUT_GPU
        if self.needs_another_backend(spec):
            return not_run_on_backend(spec.backends, self.keras_backend)
        return ""

    def skipped_note(self) -> str:
        """A sentence for each reason that left tests out of the score (each test counted once)."""
        gpu = [spec for spec in self.tests.values() if self.needs_a_gpu(spec)]
        backend = [spec for spec in self.tests.values() if self.needs_another_backend(spec) and spec not in gpu]
        return " ".join(filter(None, [left_out(gpu, "a GPU", "on the CPU"),
                                      left_out(backend, "another Keras backend", f"Keras on {self.keras_backend}")]))

    def finish(self, student: str) -> None:
        """The student's raw result, every test of the suite in it, handed to ``deliver`` once."""
        state = self.students[student]
        if state.delivered:
            return
        self.close_session(student)  # no more tests for this student: free the worker, stop the clock
        results = []
        for name, spec in self.tests.items():
            if reason := self.skip_reason(spec):
                results.append(TestResult(name=name, max_score=0.0, status=SKIPPED, output=reason,
                                          visibility=self.visibility(spec), hint=spec.hint))
                continue
            passed, message = state.outcomes.get(name, (False, "This test did not run (grading stopped early)."))
            results.append(TestResult(name=name, max_score=spec.points, score=spec.points if passed else 0.0,
                                      status=PASSED if passed else FAILED, output=message,
                                      visibility=self.visibility(spec), hint=spec.hint))
        status = "not_loaded" if state.load_error else "graded"
        self.deliver(SubmissionResult(student=student, assignment=self.assignment, tests=tuple(results), status=status,
                                      output="\n\n".join(filter(None, [state.load_error or describe_load(state.load),
                                                                        self.skipped_note()])),
                                      execution_time=state.elapsed, extra={"worker": state.worker} if state.worker else {}))
        state.delivered = True

    # ------------------------------------------------------------ pytest's hooks
    def pytest_configure(self, config):
        # Messages come from the exception (message_for), never from pytest's report; its default "long"
        # traceback parses the source of every frame of every failing test, most of a stub's grading time.
        # "value" keeps only the exception's text. (Here, so that `check`'s pytest in-process gets it too.)
        config.option.tbstyle = "value"

    def pytest_generate_tests(self, metafunc):
        if "submission" in metafunc.fixturenames:
            students = sorted(self.students)
            metafunc.parametrize("submission", students, ids=students, indirect=True, scope="session")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            spec = item.stash[SPEC] = test_spec(item)
            self.tests.setdefault(spec.name, spec)
            if reason := self.skip_reason(spec):
                item.add_marker(pytest.mark.skip(reason=reason))
            self.students[item.callspec.params["submission"]].remaining += 1

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """The report, and the test's outcome recorded from it. Built here rather than by pytest, whose report
        formats a failure's traceback and copies the test's keywords, thousands of times per batch: what a student
        reads is built from the exception (message_for), never from the report."""
        report = bare_report(item, call)
        state = self.students[item.callspec.params["submission"]]
        record(state.outcomes, item, report, call, state.load, self.log)
        return report

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        yield
        student = item.callspec.params["submission"]
        state = self.students[student]
        state.remaining -= 1
        if state.remaining == 0:
            self.finish(student)

    def pytest_sessionfinish(self, session):
        for student in list(self.prewarmed):  # collection failed before their first test: stop the worker
            try:
                self.open_session(student)
            except SubmissionNotLoaded as exc:
                self.students[student].load_error = str(exc)
        for student in self.students:
            self.finish(student)
        if self.zygote is not None:
            self.zygote.kill()
        self.log.close()

    # ------------------------------------------------------------ fixtures
    @pytest.fixture(scope="session", autouse=True)
    def submission(self, request):
        """The student whose tests run now; starts (and finally stops) their sandboxed worker."""
        student = request.param
        try:
            session = self.open_session(student)
        except SubmissionNotLoaded as exc:
            self.students[student].load_error = str(exc)
            self.close_session(student)
            raise
        try:
            yield session
        finally:
            self.close_session(student)

    @pytest.fixture
    def student(self, submission, request):
        """A proxy of the student's notebook: ``student.posterior(prior, likelihood)`` runs in the worker."""
        token = checks.show_expected.set(request.node.stash[SPEC].visible)
        yield StudentNotebook(submission)
        checks.show_expected.reset(token)

    @pytest.fixture
    def submitted_files(self, submission, request) -> Path:
        """The folder of the student's submission (the notebook and the files beside it), as the grader sees it:
        for checking names and sizes from outside the sandbox; nothing in it is ever imported or unpickled here."""
        return Path(self.students[request.node.callspec.params["submission"]].spec["directory"])


class Lister:
    """``--ag-list``: print each collected test's name, points, visibility and hint (see suite.suite_tests)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        seen = set()
        for item in items:
            spec = test_spec(item)
            if spec.name in seen:
                raise pytest.UsageError(f"{item.nodeid}: another test is also named {spec.name!r}")
            seen.add(spec.name)
            print(LISTED + json.dumps(spec.__dict__))


def zygote_for(assignment: str, datasets: Path | None, limits: Limits, sandbox: bool, device: Device,
               source: Path | None, uid: int | None = None, keras_backend: str = DEFAULT_BACKEND) -> Zygote | None:
    """The fork server that starts this grader's workers, where it can: in the sandbox, on the CPU. Without a
    sandbox there is no namespace of its own to clean between students; on a GPU each worker keeps a sandbox of
    its own, as the driver's state is per process. It imports what the reference notebook imports, Keras on
    ``keras_backend`` (its environment has KERAS_BACKEND before the preload)."""
    if not sandbox or device.kind != "cpu":
        return None
    argv, _ = worker_argv(assignment, None, datasets, limits, sandbox, device, uid, keras_backend)
    modules = imported_modules(read_notebook(source)) if source is not None else []
    return Zygote(argv + (["--preload", ",".join(modules)] if modules else []), limits, device, keras_backend)


def record(outcomes: dict[str, tuple[bool, str]], item, report, call, load: LoadReport | None, log) -> None:
    """A test's (passed, message) from one of its reports (setup, call, teardown): the first failure counts."""
    if report.passed and report.when == "call":
        passed, message = True, ""
    elif report.failed or report.skipped:
        passed = False
        message = message_for(call.excinfo, load, log, item) if call.excinfo else "This test was skipped."
    else:
        return
    name = item.stash[SPEC].name
    previous = outcomes.get(name)
    if previous is None or previous[0]:
        outcomes[name] = (passed, message)


def bare_report(item, call) -> pytest.TestReport:
    """pytest's report of one phase of a test, without its keywords, captured sections or formatted traceback
    (its ``longrepr`` is the exception's type only)."""
    excinfo = call.excinfo
    if excinfo is None:
        outcome, longrepr = "passed", None
    elif isinstance(excinfo.value, pytest.skip.Exception):
        outcome, longrepr = "skipped", (str(item.path), item.location[1] or 0, str(excinfo.value))
    else:
        outcome, longrepr = "failed", excinfo.typename
    return pytest.TestReport(item.nodeid, item.location, {}, outcome, longrepr, call.when, [], call.duration,
                             call.start, call.stop, user_properties=item.user_properties)


def imported_modules(notebook: dict) -> list[str]:
    """The modules that a notebook's top-level import statements name (``from a import b``: a, and a.b in case it
    is a module)."""
    modules = []
    for _, source in code_cells(notebook):
        try:
            statements = ast.parse(source).body
        except SyntaxError:
            continue
        for node in statements:
            if isinstance(node, ast.Import):
                modules += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(modules))


def test_spec(item) -> TestSpec:
    """Points and visibility of a test, from its markers; a malformed marker is an error naming the test."""
    name = f"{item.path.stem}::{item.originalname}"
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
                    needs_gpu=item.get_closest_marker("needs_gpu") is not None, backends=_backends(item))


def _backends(item) -> tuple[str, ...]:
    marker = item.get_closest_marker("backends")
    if marker is None:
        return ()
    if not marker.args or marker.kwargs or any(name not in BACKENDS for name in marker.args):
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.backends takes one or more Keras backends of "
                                f"{', '.join(BACKENDS)}, got {marker.args!r} {marker.kwargs!r}")
    return tuple(marker.args)


def _hint(item) -> str:
    marker = item.get_closest_marker("hint")
    if marker is None:
        return ""
    if len(marker.args) != 1 or marker.kwargs or not isinstance(marker.args[0], str) or not marker.args[0].strip():
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.hint takes one non-empty string, "
                                f"got {marker.args!r} {marker.kwargs!r}")
    return " ".join(marker.args[0].split())


def pytest_addoption(parser):
    parser.addoption("--ag-manifest", help="JSON manifest of the batch to grade (written by run.py)")
    parser.addoption("--ag-results-fd", type=int, help="the pipe on which each student's raw result goes to run.py")
    parser.addoption("--ag-list", action="store_true", help="print each collected test's name, points and visibility")


def pytest_configure(config):
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    if config.getoption("--ag-list"):
        config.pluginmanager.register(Lister(), "autograder-lister")
    path = config.getoption("--ag-manifest")
    if path:
        manifest = json.loads(Path(path).read_text())
        config.pluginmanager.register(Grader(manifest, results_pipe(config.getoption("--ag-results-fd"),
                                                                    manifest["run_id"])), "autograder-grader")


def results_pipe(fd: int, run_id: str) -> Callable[[SubmissionResult], None]:
    """Each raw result as one line of JSON on ``fd``, tagged with the run it belongs to."""
    stream = os.fdopen(fd, "w", buffering=1)

    def deliver(result: SubmissionResult) -> None:
        stream.write(json.dumps({"run": run_id, "result": result.to_gradescope()}) + "\n")
    return deliver


def message_for(excinfo, load: LoadReport | None, log, item) -> str:
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
    log.write(f"internal error in {item.nodeid}:\n{''.join(traceback.format_exception(exc))}\n")
    log.flush()
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
