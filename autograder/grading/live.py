"""Public tests run in this process against a live namespace: the in-notebook check (``autograder/notebook.py``).

A student's kernel already holds their functions, and the public tests are not secret, so no sandbox is needed.
The tests still reach the notebook through the same proxies and wire format as in grading: the worker's own code
(``sandbox/inside/worker.py``) answers each call here, in the kernel. So a test gets the same values (copies, never
the student's own objects) and fails with the same messages as in ``python -m autograder check``. No time limits
apply: interrupting the kernel stops the check (the tests not run yet say so).

Which tests belong to a part is read from the public test files themselves (:func:`names_used`): a test belongs
to every notebook name it reaches as ``student.<name>``, directly or through a fixture it asks for.
"""
from __future__ import annotations

import ast
import io
import os
from pathlib import Path
from unittest import mock

import pytest

from autograder import checks
from autograder.course.layout import ROOT
from autograder.grading.plugin import SPEC, record, test_spec
from autograder.grading.results import FAILED, PASSED, TestResult
from autograder.grading.suite import PYTEST_INI
from autograder.sandbox.errors import StudentError
from autograder.sandbox.inside import protocol
from autograder.sandbox.inside.worker import Worker
from autograder.sandbox.proxies import Remote, StudentNotebook, handle_of, plain_argument

NOT_RUN = "This test did not finish: the check was interrupted."


class TestsNotCollected(Exception):
    """The public test files could not be loaded; the message says why (pytest's report of the error)."""
    __test__ = False


class LiveSession:
    """What the proxies talk to (the role of sandbox/session.py's Session), answered by a worker in this process
    whose namespace is the notebook's own."""
    generation = 1  # the kernel never restarts under a test: every handle stays valid

    def __init__(self, namespace: dict):
        self.worker = Worker(None, None)
        self.worker.namespace = namespace

    def request(self, message: dict, generation: int | None = None):
        reply = protocol.unframe(protocol.frame(self.worker.answer(protocol.unframe(protocol.frame(message)))))
        if "error" in reply and reply["error"]["type"] == "KeyboardInterrupt":
            raise KeyboardInterrupt  # the student interrupted the kernel: stop the check, not just this test
        if "error" in reply:
            raise StudentError.from_reply(reply["error"])
        return protocol.decode(reply["ok"], lambda handle: Remote(self, handle, self.generation), reply.blob)

    def encode(self, value):
        return protocol.encode(plain_argument(value), lambda obj: handle_of(obj, self.generation))


class LiveChecker:
    """The pytest plugin of an in-notebook check: the ``student`` fixture is the live notebook; each test's first
    failure is its message, as in grading (plugin.Grader)."""

    def __init__(self, session: LiveSession, folder: Path):
        self.session, self.folder = session, folder
        self.specs: dict = {}
        self.outcomes: dict[str, tuple[bool, str]] = {}
        self.log = io.StringIO()  # message_for logs the grader's internal errors here; the student reads the message
        self.collection_errors: list[str] = []

    def pytest_collectreport(self, report):
        if report.failed:
            self.collection_errors.append(str(report.longrepr))

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        for item in items:
            spec = item.stash[SPEC] = test_spec(item)
            self.specs.setdefault(spec.name, spec)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        record(self.outcomes, item, (yield).get_result(), call, None, self.log)

    @pytest.fixture
    def student(self, request):
        token = checks.show_expected.set(request.node.stash[SPEC].visible)
        yield StudentNotebook(self.session)
        checks.show_expected.reset(token)

    @pytest.fixture
    def submitted_files(self) -> Path:
        return self.folder

    def results(self) -> tuple[TestResult, ...]:
        results = []
        for name, spec in self.specs.items():
            passed, message = self.outcomes.get(name, (False, NOT_RUN))
            results.append(TestResult(name=name, max_score=spec.points, score=spec.points if passed else 0.0,
                                      status=PASSED if passed else FAILED, output=message,
                                      visibility="visible" if spec.visible else "hidden", hint=spec.hint))
        return tuple(results)


def run_public_tests(tests: list[str], namespace: dict, folder: Path) -> tuple[TestResult, ...]:
    """Run ``tests`` (pytest node ids: ``path`` or ``path::name``) against ``namespace``; every test's result."""
    checker = LiveChecker(LiveSession(namespace), folder)
    # As in grading (suite.grader_env): a pytest plugin that happens to be installed must not change the check.
    with mock.patch.dict(os.environ, {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}):
        # pytest.ini leaves out the plugins no suite uses; the terminal too: results come from the checker
        pytest.main(["-c", str(PYTEST_INI), "--rootdir", str(ROOT), "-p", "no:terminal", *tests], plugins=[checker])
    if checker.collection_errors:
        raise TestsNotCollected("\n".join(checker.collection_errors))
    return checker.results()




def names_used(test_file: Path) -> dict[str, frozenset[str]]:
    """Each test function of ``test_file`` and the notebook names it reaches as ``student.<name>``, in its own body
    or in the fixtures of that file it asks for (``has`` and the other methods of the proxy are not names)."""
    tree = ast.parse(test_file.read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def reached(name: str, seen: frozenset[str]) -> frozenset[str]:
        node = functions[name]
        own = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
               and n.value.id == "student" and not hasattr(StudentNotebook, n.attr)}
        for argument in node.args.args:
            if argument.arg in functions and argument.arg not in seen:
                own |= reached(argument.arg, seen | {argument.arg})
        return frozenset(own)

    return {name: reached(name, frozenset({name})) for name in functions if name.startswith("test")}
