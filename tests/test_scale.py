"""Grading at class scale: resume, shards, merge and the benchmark, with real notebooks in the real sandbox."""
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta, timezone

import pytest

from autograder import pipeline
from autograder.course.config import Extension, load_course
from autograder.grading import plan
from autograder.grading.results import SubmissionResult, TestResult, write_result
from autograder.grading.suite import Suite
from conftest import ROOT, notebook, run_cli, write_notebook

SUITE = ROOT / "tests" / "fixtures" / "scale_suite.py"
ADD = "def add(a, b):\n    return a + b"
WRONG = "def add(a, b):\n    return a - b"


def assignment():
    found = load_course().assignment("01_bayes")
    return found.model_copy(update={"limits": found.limits.model_copy(update={"call_seconds": 5,
                                                                              "submission_seconds": 30})})


def request(root, out, **options):
    options = {"assignment": assignment(), "suite": Suite("01_bayes", (SUITE,)), "force": False} | options
    return pipeline.Request(submissions=root, out_dir=out, **options)


def grade(root, out, **options):
    outcome = pipeline.grade(request(root, out, **options))
    return {r.student: r for r in outcome.results}, sorted(outcome.graded)


def complete(out, student):
    data = json.loads((out / student / "results.json").read_text())
    return data["kit"]["status"] == "graded" and sorted(t["name"] for t in data["tests"]) == [
        "scale_suite::test_adds_floats", "scale_suite::test_adds_integers"]


# ---------------------------------------------------------------- shards
def test_shard_specification():
    assert plan.parse_shard("1/4") == plan.Shard(1, 4)
    assert plan.parse_shard("auto/4", {"JOB_COMPLETION_INDEX": "3"}) == plan.Shard(3, 4)
    assert plan.parse_shard("auto/4", {"CI_NODE_INDEX": "1"}) == plan.Shard(0, 4)  # GitLab counts from 1
    assert plan.parse_shard("auto/2", {"AUTOGRADER_SHARD_INDEX": "1", "CI_NODE_INDEX": "1"}) == plan.Shard(1, 2)
    for bad, expected in [("4/4", "between 0 and 3"), ("1/0", "at least 1"), ("one/2", "K/N"),
                          ("auto/3", "none of AUTOGRADER_SHARD_INDEX")]:
        with pytest.raises(plan.ShardError, match=expected):
            plan.parse_shard(bad, {})


def test_shards_are_disjoint_complete_and_stable():
    students = [f"student{i:03d}" for i in range(300)]
    for count in (1, 2, 3, 7):
        owners = [[s for s in students if plan.Shard(k, count).owns(s)] for k in range(count)]
        assert sorted(sum(owners, [])) == students
        assert all(len(o) > 0 for o in owners)
    # The same split in another interpreter with another hash seed: nothing depends on the process.
    code = "from autograder.grading import plan; print([plan.shard_of(f'student{i:03d}', 7) for i in range(300)])"
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert json.loads(other.stdout) == [plan.shard_of(s, 7) for s in students]
    # A student's shard does not move when others join the class.
    assert [plan.shard_of(s, 7) for s in students[:10]] == [plan.shard_of(s, 7) for s in students[:10]]


# ---------------------------------------------------------------- resume
def test_resume_skips_unchanged_and_regrades_changes(tmp_path):
    root, out = tmp_path / "submissions", tmp_path / "out"
    for name, code in [("ana", ADD), ("ben", WRONG), ("cy", ADD)]:
        write_notebook(root / name / "bayes.ipynb", notebook(code))

    results, graded = grade(root, out)
    assert graded == ["ana", "ben", "cy"]
    assert {s: r.score for s, r in results.items()} == {"ana": 3, "ben": 0, "cy": 3}
    assert all(r.extra["worker"]["starts"] == 1 and r.extra["worker"]["peak_rss_mb"] > 0 for r in results.values())
    before = {s: (out / s / "results.json").read_bytes() for s in results}

    results, graded = grade(root, out)  # nothing changed: nothing graded, nothing rewritten
    assert graded == []
    assert {s: (out / s / "results.json").read_bytes() for s in results} == before
    assert results["cy"].score == 3

    write_notebook(root / "ben" / "bayes.ipynb", notebook(ADD))  # ben fixes his notebook
    stale = json.loads((out / "cy" / "results.json").read_text())
    stale["kit"]["suite_hash"] = "an-older-suite"  # cy was graded by another version of the suite
    (out / "cy" / "results.json").write_text(json.dumps(stale))
    slow = json.loads((out / "ana" / "results.json").read_text())
    slow["kit"]["worker"]["timeouts"] = 1  # a call of ana's timed out (perhaps the machine was busy): try again
    (out / "ana" / "results.json").write_text(json.dumps(slow))
    results, graded = grade(root, out)
    assert graded == ["ana", "ben", "cy"]
    assert results["ben"].score == 3 and results["cy"].suite_hash == Suite("01_bayes", (SUITE,)).digest

    results, graded = grade(root, out, force=True)
    assert graded == ["ana", "ben", "cy"]


def test_a_kept_result_takes_the_late_policy_as_it_is_now(tmp_path):
    root, out = tmp_path / "submissions", tmp_path / "out"
    write_notebook(root / "dee" / "bayes.ipynb", notebook(ADD))
    late = assignment().due.astimezone(timezone.utc) + timedelta(hours=12)
    (root / "dee" / "timestamp.txt").write_text(late.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    first = grade(root, out)[0]["dee"]
    assert first.late.days_late == 1 and first.final_score == pytest.approx(3 * 0.9)

    extended = assignment().model_copy(update={"extensions": {"dee": Extension(hours=48)}})
    results, graded = grade(root, out, assignment=extended)
    again = results["dee"]
    assert graded == [] and again.late.days_late == 0 and again.final_score == 3
    saved = json.loads((out / "dee" / "results.json").read_text())
    assert saved["score"] == 3 and saved["output"].count("Submitted ") == 1


def test_sigkill_mid_batch_then_rerun_leaves_one_complete_result_each(tmp_path):
    root, out = tmp_path / "submissions", tmp_path / "out"
    students = [f"s{i}" for i in range(6)]
    for name in students:  # each takes a moment to load, so the batch is still running when it is killed
        write_notebook(root / name / "bayes.ipynb", notebook("import time\ntime.sleep(1.5)", ADD))
    driver = tmp_path / "driver.py"
    driver.write_text(
        "import sys\nfrom pathlib import Path\nsys.path.insert(0, sys.argv[1])\n"
        "from test_scale import request\nfrom autograder import pipeline\n"
        "pipeline.grade(request(Path(sys.argv[2]), Path(sys.argv[3]), jobs=2))\n")
    process = subprocess.Popen([sys.executable, str(driver), str(ROOT / "tests"), str(root), str(out)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("*/results.json")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    first = sorted(p.parent.name for p in out.glob("*/results.json"))
    assert 0 < len(first) < len(students), "the batch must be killed midway for this test to mean anything"
    time.sleep(1)  # its grader processes die with it (PR_SET_PDEATHSIG), and their workers with them
    assert sorted(p.parent.name for p in out.glob("*/results.json")) == first
    assert all(complete(out, s) for s in first)

    results, graded = grade(root, out)
    assert graded == [s for s in students if s not in first]
    assert sorted(results) == students
    assert all(complete(out, s) and results[s].score == 3 for s in students)


# ---------------------------------------------------------------- memory
HOG = """
import os, time
import numpy as np

def hog(children):
    pids = []
    for _ in range(children):
        pid = os.fork()
        if pid == 0:
            block = np.ones(50 * 1024 * 1024)  # 400 MB: each process stays under its own limit
            time.sleep(20)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    return True

def small():
    return len(np.ones(1000))
"""


def test_memory_of_all_worker_processes_is_bounded_and_reported(tmp_path):
    root, out = tmp_path / "submissions", tmp_path / "out"
    write_notebook(root / "hoggy" / "bayes.ipynb", notebook(HOG))
    found = assignment()
    found = found.model_copy(update={"limits": found.limits.model_copy(update={"memory_mb": 1024, "call_seconds": 40,
                                                                                "submission_seconds": 90})})
    results, _ = grade(root, out, assignment=found,
                       suite=Suite("01_bayes", (ROOT / "tests" / "fixtures" / "probe_memory.py",)))
    tests = {t.name.split("::")[1]: t for t in results["hoggy"].tests}
    assert tests["test_hog"].status == "failed"
    assert "more than the memory limit of 1024 MB" in tests["test_hog"].output
    assert tests["test_small_afterwards"].status == "passed"
    worker = results["hoggy"].extra["worker"]
    # Killed once past the limit (checked every 0.2 s), long before its 8 processes held their 3.2 GB.
    assert worker["starts"] == 2 and worker["crashes"] == 1 and 900 < worker["peak_rss_mb"] < 2500


def test_workers_cpu_time_is_the_students_own(tmp_path):
    """results.json reports the CPU time of the student's processes (what the bench calls the students' own work),
    not the wall time they waited."""
    root, out = tmp_path / "submissions", tmp_path / "out"
    write_notebook(root / "busy" / "bayes.ipynb", notebook(
        "import time\nend = time.process_time() + 0.6\nwhile time.process_time() < end:\n    pass", ADD))
    write_notebook(root / "idle" / "bayes.ipynb", notebook("import time\ntime.sleep(0.6)", ADD))
    results, _ = grade(root, out)
    busy, idle = (results[s].extra["worker"]["cpu_s"] for s in ("busy", "idle"))
    assert busy >= 0.55 and 0 < idle < busy - 0.4, (busy, idle)  # idle: a few ms, not rounded to 0


# ---------------------------------------------------------------- merge
def result(student, score, assignment_id="01_bayes"):
    return SubmissionResult(student, assignment_id, (TestResult("t::a", 2.0, score, "passed" if score else "failed"),),
                            content_hash=f"hash-{student}", suite_hash="suite")


def test_merge_gives_one_row_per_student_and_rejects_conflicts(tmp_path):
    shards = [tmp_path / "shard0", tmp_path / "shard1", tmp_path / "retry"]
    for folder, results in zip(shards, [[result("ana", 2), result("ben", 0)], [result("cy", 2)], [result("cy", 2)]]):
        for r in results:
            write_result(folder, r)
    out, csv = tmp_path / "merged", tmp_path / "grades.csv"
    done = run_cli("merge", *shards, "--out", out, "--gradebook", tmp_path / "gb.sqlite", "--csv", csv,
                   check_status=0)
    assert "identical duplicates counted once: 1" in " ".join(done.stdout.split())
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("student,01_bayes") and [r.split(",")[0] for r in rows[1:]] == ["ana", "ben", "cy"]
    assert sorted(p.parent.name for p in (out / "01_bayes").glob("*/results.json")) == ["ana", "ben", "cy"]

    write_result(shards[2], result("cy", 0))  # the retry disagrees with shard 1
    done = run_cli("merge", *shards, "--out", out, "--gradebook", tmp_path / "gb.sqlite", "--csv", csv,
                   check_status=2)
    assert "cy (01_bayes) has different results in" in done.stderr
    assert str(shards[1] / "cy" / "results.json") in done.stderr and str(shards[2] / "cy" / "results.json") in done.stderr


# ---------------------------------------------------------------- the benchmark
def test_bench_runs_end_to_end_at_tiny_scale(tmp_path):
    figures_path = tmp_path / "bench.json"
    run_cli("bench", "--students", "3", "--nbgrader", "1", "--assignments", "01_bayes", "--work", tmp_path / "work",
            "--out", figures_path, check_status=0, timeout=900)
    figures = json.loads(figures_path.read_text())
    kit, same, nbgrader, otter = figures["rows"]  # `make test` makes the otter virtualenv (`make otter`)
    assert [(r["grader"], r["submissions"]) for r in (kit, same, nbgrader, otter)] == [
        ("kit", 3), ("kit, same N", 1), ("nbgrader", 1), ("otter", 1)]  # speed-ups compare equal numbers
    assert kit["wall_s"] > 0 and kit["per_second"] > 0 and kit["peak_worker_rss_mb"] > 0
    assert 0 < kit["worker_cpu_s"] < kit["cpu_s"]  # the machine's busy time includes the grader's own
    assert kit["overhead_ms"] == pytest.approx(1000 * (kit["cpu_s"] - kit["worker_cpu_s"]) / 3, abs=40)  # both rounded
    low, high = (kit["cpu_s"] - 0.05) / (kit["worker_cpu_s"] + 0.05), (kit["cpu_s"] + 0.05) / (kit["worker_cpu_s"] - 0.05)
    assert 1 < low <= kit["cpu_ratio"] <= high  # from the unrounded figures
    assert figures["kit_total"]["overhead_ms"] == pytest.approx(kit["overhead_ms"], abs=40)
    assert figures["pass_fail"]["01_bayes"]["public_tests"]["cells_compared"] > 0
    assert figures["pass_fail"]["01_bayes"]["all_tests"]["nbgrader_fail_other_pass"] == 0  # the hidden tests are stricter
    assert figures["speedup"] == pytest.approx(same["per_second"] / nbgrader["per_second"], rel=0.05)
    # Otter graded the ported assignment: its tests (the check cells) agree with nbgrader cell for cell
    assert otter["wall_s"] > 0 and otter["cpu_s"] > 0 and figures["otter_skipped"] == {}
    assert figures["speedup_otter"] == pytest.approx(same["per_second"] / otter["per_second"], rel=0.05)
    agreement = figures["pass_fail"]["01_bayes"]["otter"]
    assert agreement["cells_compared"] == 14 and agreement["differ"] == [], agreement


def test_the_bench_counts_the_cells_a_grader_lets_pass_that_nbgrader_fails():
    from autograder.authoring import bench
    kit = {"ann": {"check-a": True, "check-b": False}, "bo": {"check-a": True}}
    nbgrader = {"ann": {"check-a": False, "check-b": True}, "bo": {"check-a": True}}
    found = bench.compare(kit, nbgrader)
    assert (found["cells_compared"], found["agree"], found["nbgrader_fail_other_pass"]) == (3, 1, 1)
    assert found["differ"] == ["ann/check-a: nbgrader fail, kit pass", "ann/check-b: nbgrader pass, kit fail"]
