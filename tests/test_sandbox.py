"""The trust boundary, tested by grading a hostile notebook through the real sandbox.

Each probe test attacks from inside the worker; here we assert on the results.json the grader
wrote: which tests passed, and that each failure says what happened.
"""
import os
import subprocess
import sys

import pytest

from autograder.course.config import load_course
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT, grade_folder, notebook, read_results, run_cli, write_notebook

PROBE = ROOT / "tests" / "fixtures" / "probe_sandbox.py"

SPY = r'''
import os, socket, time
import numpy as np

def add(a, b):
    return a + b

def read(path):
    try:
        with open(path) as f:
            return f.read(100)
    except Exception:
        return None

def listdir(path):
    try:
        return sorted(os.listdir(path))
    except Exception:
        return None

def environ():
    return dict(os.environ)

def uid():
    return os.getuid()

def connect():
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=1)
        return True
    except OSError:
        return False

def write(path):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write('{"score": 1000}')
        return True
    except OSError:
        return False

def fork_bomb(n):
    started = 0
    for _ in range(n):
        try:
            if os.fork() == 0:
                time.sleep(30)
                os._exit(0)
            started += 1
        except OSError:
            break
    return started

def spin():
    while True:
        pass

def exit_now():
    os._exit(0)

def allocate_gigabytes(n):
    return np.ones(n * 2**27).sum()

class Liar(float):
    def __eq__(self, other):
        return True

def liar():
    return Liar(5.0)

def flood(megabytes):
    chunk = "x" * 2**20
    for _ in range(megabytes):
        print(chunk)
    return megabytes
'''

pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sandbox")
    root, out = tmp / "submissions", tmp / "out"
    write_notebook(root / "spy" / "bayes.ipynb", notebook(
        SPY,
        "while True:\n    pass",                       # hangs while loading: skipped on a restart
        "import os\nos._exit(3)",                      # kills the worker while loading: skipped too
        "raise RuntimeError('cell failed')\ndef defined_after_crash():\n    return 1",
        "import sys\nsys.exit(0)",                     # sys.exit in a cell: the cell stops, the rest goes on
    ))
    write_notebook(root / "ana" / "bayes.ipynb", notebook("def add(a, b):\n    return a + b"))
    os.environ.update(AG_PROBE_SECRET="hunter2", AG_PROBE_REPO=str(ROOT),
                      AG_PROBE_OTHER=str(root / "ana" / "bayes.ipynb"), AG_PROBE_OUT=str(out))
    assignment = load_course().assignment("01_bayes")
    assignment = assignment.model_copy(update={"limits": assignment.limits.model_copy(
        update={"call_seconds": 3, "cell_seconds": 1, "submission_seconds": 60, "memory_mb": 1024})})
    results = grade_folder(assignment, PROBE, root, out, jobs=2)
    return {r.student: r for r in results}, out


def outcome(result, name):
    [test] = [t for t in result.tests if t.name == f"probe_sandbox::{name}"]
    return test.status, test.output


@pytest.mark.parametrize("name", ["test_honest_work_counts", "test_cannot_read_the_hidden_suite",
                                  "test_cannot_read_another_student", "test_environment_has_no_secrets",
                                  "test_not_root", "test_no_network", "test_cannot_forge_results",
                                  "test_fork_bomb_is_contained", "test_work_goes_on_after_the_exit",
                                  "test_output_flood_is_capped"])
def test_sandbox_promise_holds(graded, name):
    results, _ = graded
    status, output = outcome(results["spy"], name)
    assert status == "passed", output


@pytest.mark.parametrize("name, message", [
    ("test_hang_hits_the_call_limit", "did not finish within 3 s, the time limit for one call"),
    ("test_exit_fails_only_its_test", "process stopped during this call: it exited with status 0"),
    ("test_memory_limit", "MemoryError"),
    ("test_lying_float_is_not_a_number", "liar(): expected a number or an array of numbers, got <Liar object in the student's notebook>"),
    ("test_cells_that_failed_to_load_are_named", "cell 3: RuntimeError: cell failed"),
])
def test_student_failures_are_explained(graded, name, message):
    results, _ = graded
    status, output = outcome(results["spy"], name)
    assert status == "failed" and message in output, output


def test_load_report_names_the_cells_that_hung_or_crashed(graded):
    results, _ = graded
    report = results["spy"].output
    assert "cell 1: the cell did not finish within 1 s, the time limit for one cell while your notebook loads" \
        in report  # cell_seconds, not the call limit of 3 s
    assert "cell 2: the notebook's process stopped: it exited with status 3" in report
    assert "cell 4: the cell called sys.exit(0)" in report


def test_hostile_student_cannot_touch_anyone_elses_result(graded):
    results, out = graded
    ana = read_results(out, "ana")
    assert ana["score"] == 2 and results["ana"].score == 2  # add() tests pass, the rest fail honestly
    spy = read_results(out, "spy")
    assert spy["score"] == results["spy"].score == 10  # the ten promises; the five attacks fail
    assert spy["max_score"] == 16 and len(spy["tests"]) == 15


def test_grade_refuses_without_bubblewrap(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path)}  # no bwrap on this PATH
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "01_bayes", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and "bubblewrap (bwrap) is not installed" in done.stderr


def test_no_sandbox_warns_on_every_run(tmp_path):
    write_notebook(tmp_path / "in" / "ana" / "bayes.ipynb", notebook("x = 1"))
    done = run_cli("grade", "01_bayes", tmp_path / "in", "--out", tmp_path / "out", "--no-sandbox",
                   "--gradebook", tmp_path / "g.sqlite", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "warning: --no-sandbox: student code runs unconfined" in done.stderr
    assert read_results(tmp_path / "out", "ana")["score"] == 0
