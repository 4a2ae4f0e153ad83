"""The red team: hostile submissions graded through the real CLI and sandbox, one batch per assignment.

``redteam/<id>/class.yml`` lists them in the format of ``samples/<id>/class.yml``, each with the exact score
its honest code earns. Beyond the scores, every batch is checked for what must not happen:

- nothing leaks: a canary planted in the grader's environment, its home folder and the submissions folder
  never reaches a result, the gradebook or the command's output; nor does any line of the hidden suite, or
  of the reference solution for a student who did not start from it;
- nothing is forged: the output folder holds only the results the grader wrote, the gradebook one row per
  student that agrees with them, and both stay so after the batch (no process of the batch outlives it, nor a key
  in the kernel's keyrings);
- no fault spreads: every student has one complete result listing every test of the suite.
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from autograder.authoring import samples
from autograder.course.config import ConfigError, load_course
from autograder.reports.gradebook import Gradebook
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT

REDTEAM = ROOT / "redteam"
COURSE = load_course(ROOT / "course.yml")
ASSIGNMENTS = [a for a in COURSE.assignments if (REDTEAM / a.id / "class.yml").is_file()]
# Small limits keep the hangs short; the honest students of each batch show they are still generous enough.
# TensorFlow needs its assignment's own (it reserves gigabytes of address space and imports for many seconds).
LIMITS = {"call_seconds": 8, "submission_seconds": 90, "memory_mb": 1024}
OWN_LIMITS = {"05_keras_mnist"}

# What a student's results must say, beyond the score: the attack's own report of what it got.
MUST_SAY = {
    "sid_snoops_files": "LOOT:[]",
    "sal_snoops_processes": "LOOT:[]",
    "net_tries_network": "NETWORK:none",
    "zed_zip_dot_dot": "unsafe path '../../../redteam-escaped.txt'",
    "abe_zip_absolute": "unsafe path '/tmp/redteam-absolute.txt'",
    "lin_zip_symlink": "symbolic link",
    "bom_zip_bomb": "at most 209715200 are accepted",
    "enc_zip_encrypted": "password required",
    "unk_zip_unknown_method": "compression method is not supported",
    "cor_zip_corrupt": "the zip cannot be unpacked",
    "nat_not_utf8": "not UTF-8",
    "hugh_huge_notebook": "at most 20 MB",
    "tru_truncated_json": "not valid JSON",
    "wil_wrong_shape": "neither text nor a list of lines",
    "lnk_notebook_is_a_link": "no notebook found",
    "eno_enormous_values": "over the limit",
    "liz_lies_with_values": "UnsendableValue",
    "cel_many_cells": "- and 19980 more cells",
    "lam_lambda_layers": "Lambda",
    "olga_hoards_in_orphans": "its processes together used more than the memory limit of 1024 MB",
    "orla_orphans_at_load": "its processes together used more than the memory limit of 1024 MB",
    "fay_forges_replies": "message has more than 1000000 values",
    "uma_plants_ipc": "PLANTED:mq UID:",
    "una_nests_namespaces": "USERNS:refused",
    "uri_reads_ipc": "FOUND:nothing",
}
# Students who stall the grader: each must cost no more than its submission's time.
STALLERS = {"hal_stalls_requests", "tim_trickles_requests"}

pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")


def test_each_assignment_has_a_red_team_and_forty_attacks_in_all():
    assert {a.id for a in ASSIGNMENTS} >= {"01_bayes", "02_gradient_descent", "03_perceptron", "04_backprop"}
    assert sum(len(samples.load_class(a.id, REDTEAM / a.id)) for a in ASSIGNMENTS) >= 40


def test_an_unknown_craft_is_a_clear_error(tmp_path):
    (tmp_path / "class.yml").write_text("students:\n  eve:\n    from: solution\n    craft: zip_of_doom\n    score: 0\n")
    with pytest.raises(ConfigError) as error:
        samples.load_class("01_bayes", tmp_path)
    assert "class.yml: students.eve: craft must be one of zip_dot_dot" in str(error.value)


@dataclass(frozen=True)
class Graded:
    """One assignment's red team after grading: what was expected, what the command did and left."""
    assignment: object
    expected: dict  # student -> samples.SampleStudent
    tmp: Path
    canary: str
    done: subprocess.CompletedProcess
    snapshot: dict  # the output folder right after the command: path -> (size, mtime)
    results: dict   # student -> results.json


@pytest.fixture(scope="module", params=ASSIGNMENTS, ids=lambda a: a.id)
def batch(request, tmp_path_factory) -> Graded:
    """Build the assignment's red team, plant canaries, grade it in one batch through the CLI."""
    assignment = request.param
    tmp = tmp_path_factory.mktemp(assignment.id)
    canary = f"canary-{uuid.uuid4().hex}"
    expected = samples.build_class(assignment.id, assignment.notebook, tmp / "class", REDTEAM / assignment.id)
    (tmp / "class" / "zz-canary.txt").write_text(canary)
    (tmp / "home" / ".ssh").mkdir(parents=True)
    for secret in (".netrc", ".ssh/id_rsa", "canary.txt"):
        (tmp / "home" / secret).write_text(canary)
    course = yaml.safe_load((ROOT / "course.yml").read_text())
    for entry in course["assignments"]:
        if entry["id"] not in OWN_LIMITS:
            entry["limits"] = {**entry.get("limits", {}), **LIMITS}
    (tmp / "course.yml").write_text(yaml.safe_dump(course))
    env = {**os.environ, "HOME": str(tmp / "home"), "AG_REDTEAM_CANARY": canary}
    done = subprocess.run([sys.executable, "-m", "autograder", "--course", tmp / "course.yml", "grade", assignment.id,
                           tmp / "class", "--out", tmp / "out", "--gradebook", tmp / "g.sqlite", "--jobs", "2"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    snapshot = _snapshot(tmp / "out")
    results = {name: json.loads((tmp / "out" / name / "results.json").read_text()) for name in expected
               if (tmp / "out" / name / "results.json").is_file()}
    return Graded(assignment, expected, tmp, canary, done, snapshot, results)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if ".work" not in p.relative_to(folder).parts}


def test_every_attacker_gets_exactly_its_honest_score(batch):
    assert batch.done.returncode == 0, batch.done.stderr[-3000:]
    wrong = {name: (batch.results[name]["score"] if name in batch.results else "no result", student.score)
             for name, student in batch.expected.items()
             if name not in batch.results or abs(batch.results[name]["score"] - student.score) > 1e-9}
    assert not wrong, f"(got, expected) in {batch.assignment.id}: {wrong}"


def test_every_result_is_complete(batch):
    tests = [t["name"] for t in batch.results["ada_honest"]["tests"]]
    for name in batch.expected:
        assert [t["name"] for t in batch.results[name]["tests"]] == tests, name
        assert batch.results[name]["max_score"] == batch.results["ada_honest"]["max_score"] == 100, name


def test_attacks_report_what_they_got(batch):
    for name in set(batch.expected) & set(MUST_SAY):
        text = json.dumps(batch.results[name])
        assert MUST_SAY[name] in text, f"{name}: {MUST_SAY[name]!r} not in its result:\n{text[:3000]}"


def test_a_stalled_worker_costs_at_most_its_submission_time(batch):
    for name in STALLERS & set(batch.expected):
        assert batch.results[name]["execution_time"] <= LIMITS["submission_seconds"], name


def test_nothing_leaks(batch):
    with sqlite3.connect(batch.tmp / "g.sqlite") as db:
        gradebook = "\n".join(map(str, db.execute("SELECT * FROM tests").fetchall()))
    for where, text in {"stdout": batch.done.stdout, "stderr": batch.done.stderr, "gradebook": gradebook,
                        **{f"{name}/results.json": json.dumps(r) for name, r in batch.results.items()}}.items():
        assert batch.canary not in text, f"the canary reached {where}"
    suite = _lines(p.read_text() for p in (ROOT / "solutions" / batch.assignment.id / "hidden").glob("*.py"))
    solution = _lines(_solution_sources(batch.assignment))
    for name, result in batch.results.items():
        shown = _lines([result["output"]] + [t["output"] for t in result["tests"]])
        assert not shown & suite, f"{name}: hidden suite source in its result: {sorted(shown & suite)[:3]}"
        if batch.expected[name].from_ != "solution":
            assert not shown & solution, f"{name}: reference solution in its result: {sorted(shown & solution)[:3]}"


def test_nothing_is_forged_or_left_behind(batch):
    out = batch.tmp / "out"
    assert {p.name for p in out.iterdir()} == set(batch.expected) | {".work"}
    for name in batch.expected:
        assert [p.name for p in (out / name).iterdir()] == ["results.json"], name
        assert (out / name / "results.json").stat().st_size < 1 << 20, f"{name}: the result is over a megabyte"
    with Gradebook(batch.tmp / "g.sqlite") as gradebook:
        assert gradebook.problems() == []
        rows = {row.student: row.score for row in gradebook.rows(batch.assignment.id)}
    assert rows == {name: r["score"] for name, r in batch.results.items()}
    assert not list(batch.tmp.rglob("redteam-escaped.txt")) and not Path("/tmp/redteam-absolute.txt").exists()
    time.sleep(2)  # a daemon that escaped would forge again (fox_forges_files' does every second)
    assert _snapshot(out) == batch.snapshot
    leftovers = [line for line in subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
                 .splitlines() if str(batch.tmp) in line]
    assert not leftovers, leftovers
    keys = Path("/proc/key-users").read_text().split() if Path("/proc/key-users").exists() else []  # no keyrings
    for uid in re.findall(r"UID:(\d+)", json.dumps(batch.results)):  # a key in a uid's keyring outlives the batch
        assert f"{uid}:" not in keys, f"uid {uid} left keys in the kernel"


def _lines(texts) -> set[str]:
    """Distinctive lines: long enough that a match is not a coincidence."""
    return {line.strip() for text in texts for line in text.splitlines() if len(line.strip()) >= 40}


def _solution_sources(assignment) -> list[str]:
    """The code between the solution markers, which the release does not have."""
    notebook = json.loads((ROOT / "solutions" / assignment.id / assignment.notebook).read_text())
    release = (ROOT / "assignments" / assignment.id / assignment.notebook).read_text()
    sources = []
    for cell in notebook["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "### BEGIN SOLUTION" in source:
            body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
            sources.append("\n".join(line for line in body.splitlines() if json.dumps(line.strip())[1:-1] not in release))
    return sources
