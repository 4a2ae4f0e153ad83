"""Faults around a batch: workers and graders killed midway, a full or read-only output folder, and grading
the same submissions twice. Each grades real notebooks through the real CLI and sandbox.

After a crash, grading again must leave every student with exactly one complete result and the gradebook
consistent; a folder that cannot be written is a clear error naming the path, with exit status 2 and no
half-written result.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.authoring import samples
from autograder.reports.gradebook import Gradebook
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT

pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small or read-only tmpfs needs root")

CLASS = {"ada": "solution", "bea": "solution", "cid": "release", "dov": "solution"}  # 01_bayes
SCORES = {"ada": 100, "bea": 100, "cid": 0, "dov": 100}


@pytest.fixture
def folder(tmp_path):
    """A class of four 01_bayes students (the reference three times, the stub once)."""
    bases = {"solution": samples.solution_notebook(ROOT / "solutions" / "01_bayes" / "bayes.ipynb"),
             "release": json.loads((ROOT / "assignments" / "01_bayes" / "bayes.ipynb").read_text())}
    for student, base in CLASS.items():
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "bayes.ipynb").write_text(json.dumps(bases[base]))
    return tmp_path


def grade_argv(tmp: Path, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "autograder", "grade", "01_bayes", str(tmp / "class"), "--out", str(tmp / "out"),
            "--gradebook", str(tmp / "g.sqlite"), "--jobs", str(jobs)]


def start(tmp: Path, jobs: int = 2) -> subprocess.Popen:
    return subprocess.Popen(grade_argv(tmp, jobs), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def grade(tmp: Path, *wrap: str) -> subprocess.CompletedProcess:
    return subprocess.run([*wrap, *grade_argv(tmp)], cwd=ROOT, capture_output=True, text=True, timeout=600)


def processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command line) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), args)
    return found


def wait_for(condition, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail("timed out waiting for the batch to get there")


def worker_of(tmp: Path):
    """The pid of a sandboxed worker of this batch (a python under a bwrap whose binds name our folder)."""
    table = processes()
    sandboxes = [pid for pid, (_, args) in table.items() if args.startswith(bwrap_path()) and str(tmp) in args]
    for pid, (_, args) in table.items():
        if "worker.py" in args and not args.startswith(bwrap_path()):
            parent = pid
            while parent in table and parent not in sandboxes:
                parent = table[parent][0]
            if parent in sandboxes:
                return pid
    return None


def results(tmp: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in (tmp / "out").glob("*/results.json")}


def assert_one_complete_result_each(tmp: Path) -> dict[str, dict]:
    found = results(tmp)
    assert set(found) == set(CLASS)
    names = {tuple(t["name"] for t in r["tests"]) for r in found.values()}
    assert len(names) == 1 and all(r["max_score"] == 100 for r in found.values())
    for student in CLASS:
        assert [p.name for p in (tmp / "out" / student).iterdir()] == ["results.json"], student
    with Gradebook(tmp / "g.sqlite") as gradebook:
        assert gradebook.problems() == []
        assert {row.student: row.score for row in gradebook.rows("01_bayes")} == {s: r["score"] for s, r in found.items()}
        assert gradebook.count_tests() == len(CLASS) * len(next(iter(names)))
    return found


def assert_nothing_left_running(tmp: Path) -> None:
    wait_for(lambda: not [args for _, args in processes().values() if str(tmp) in args], timeout=30)


def kill_a_worker(tmp: Path) -> None:
    """SIGKILL one sandboxed worker of the batch, whenever it is (loading, or in a test)."""
    def attempt():
        worker = worker_of(tmp)
        if worker is None:
            return False
        try:
            os.kill(worker, signal.SIGKILL)
        except ProcessLookupError:  # it finished first: take the next one
            return False
        return True
    wait_for(attempt)


def test_worker_killed_mid_batch_costs_only_its_student_and_a_rerun_restores_it(folder):
    grader = start(folder)
    kill_a_worker(folder)
    out, err = grader.communicate(timeout=600)
    assert grader.returncode == 0, err
    first = assert_one_complete_result_each(folder)
    hurt = {s for s, r in first.items() if r["score"] != SCORES[s] or r["kit"]["status"] != "graded"}
    assert len(hurt) <= 1, hurt  # the victim's own result (killed before loading: not loaded), nobody else's
    assert grade(folder).returncode == 0
    again = assert_one_complete_result_each(folder)
    assert {s: r["score"] for s, r in again.items()} == SCORES
    assert_nothing_left_running(folder)


@pytest.mark.parametrize("victim", ["grader process", "whole command"])
def test_grader_killed_mid_batch_then_graded_again(folder, victim):
    grader = start(folder, jobs=1)
    wait_for(lambda: results(folder))  # the first student is done, the others are not
    if victim == "grader process":  # the pytest process grading the shard; the command fills in the rest
        [shard] = [pid for pid, (parent, _) in processes().items() if parent == grader.pid]
        os.kill(shard, signal.SIGKILL)
        _, err = grader.communicate(timeout=600)
        assert grader.returncode == 0, err
        crashed = assert_one_complete_result_each(folder)
        assert "crashed" in {r["kit"]["status"] for r in crashed.values()}
    else:
        os.killpg(grader.pid, signal.SIGKILL)
        grader.communicate(timeout=60)
    assert_nothing_left_running(folder)
    assert grade(folder).returncode == 0
    again = assert_one_complete_result_each(folder)
    assert {s: r["score"] for s, r in again.items()} == SCORES
    assert {r["kit"]["status"] for r in again.values()} == {"graded"}


@needs_root
@pytest.mark.parametrize("mount, says", [
    ("mount -t tmpfs -o size=48k tmpfs {out}", "No space left on device"),
    ("mount -t tmpfs tmpfs {out} && mount -o remount,ro {out}", "Read-only file system"),
])
def test_unwritable_output_folder_is_a_clear_error(folder, mount, says):
    out = folder / "out"
    out.mkdir()
    script = f"{mount.format(out=out)} && exec \"$@\""
    done = grade(folder, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error: {out}" in done.stderr and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not list(out.rglob("*")), "the mount is private to the command: nothing may reach the real folder"
    with Gradebook(folder / "g.sqlite") as gradebook:
        assert gradebook.rows() == []


@needs_root
def test_full_disk_while_writing_results_leaves_nothing_half_written(folder):
    """The disk fills up as results are written (a 4 KB tmpfs where one student's result goes)."""
    out = folder / "out"
    (out / "bea").mkdir(parents=True)
    report = folder / "left.json"
    listing = ("import json, pathlib, sys; out = pathlib.Path(sys.argv[1]); "
               "json.dump({str(p.relative_to(out)): p.read_text() for p in out.glob('*/*') if p.is_file() and p.parent.name != '.work'}, "
               "open(sys.argv[2], 'w'))")
    script = (f"mount -t tmpfs -o size=4k tmpfs {out / 'bea'} && \"$@\"; status=$?; "
              f"{sys.executable} -c \"{listing}\" {out} {report}; exit $status")
    done = grade(folder, "unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error: {out / 'bea' / 'results.json'}: No space left on device" in done.stderr, done.stderr
    left = json.loads(report.read_text())
    assert sorted(left) == ["ada/results.json", "cid/results.json", "dov/results.json"], "the batch goes on"
    assert len({len(json.loads(text)["tests"]) for text in left.values()}) == 1  # each complete: every test
    with Gradebook(folder / "g.sqlite") as gradebook:
        assert {row.student for row in gradebook.rows()} == {"ada", "cid", "dov"}


def test_grading_twice_gives_identical_results(tmp_path):
    """Determinism on the CPU: the same submissions graded twice agree test by test, timings aside."""
    expected = samples.build_class("03_perceptron", "perceptron.ipynb", tmp_path / "all")
    (tmp_path / "class").mkdir()
    for name in ["ada_correct", "gus_no_shuffle", "hana_global_generator", "nora_unfinished"]:
        (tmp_path / "all" / name).rename(tmp_path / "class" / name)
    runs = []
    for run in ("first", "second"):
        done = subprocess.run([sys.executable, "-m", "autograder", "grade", "03_perceptron", str(tmp_path / "class"),
                               "--out", str(tmp_path / run), "--gradebook", str(tmp_path / f"{run}.sqlite"),
                               "--jobs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        runs.append({p.parent.name: _timeless(json.loads(p.read_text())) for p in (tmp_path / run).glob("*/results.json")})
    assert len(runs[0]) == 4 and runs[0] == runs[1]
    assert {name: r["score"] for name, r in runs[0].items()} == {name: expected[name].score for name in runs[0]}
    with sqlite3.connect(tmp_path / "first.sqlite") as first, sqlite3.connect(tmp_path / "second.sqlite") as second:
        query = "SELECT student, test, score, status, output FROM tests ORDER BY student, test"
        assert first.execute(query).fetchall() == second.execute(query).fetchall()


def _timeless(result: dict) -> dict:
    """The result without what is measured rather than graded: its time, and its worker's memory and calls."""
    kit = {key: value for key, value in result["kit"].items() if key != "worker"}
    return {key: value for key, value in result.items() if key != "execution_time"} | {"kit": kit}
