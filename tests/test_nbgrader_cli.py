"""nbgrader's own command line on a fresh clone: the tracked files copied into an empty folder (no grades/, no
build/), then the commands of docs/nbgrader.md ("nbgrader's own commands") run as they are written there, as a
user with the kit's virtual environment active runs them, and formgrader's assignment page fetched from a real
server on localhost."""
import csv
import filecmp
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from autograder.authoring import samples
from autograder.course.config import load_course
from conftest import ROOT

COURSE = load_course(ROOT / "course.yml")
EXAMPLE = COURSE.assignment("01_bayes")  # the assignment the documented commands name
VALIDATED = [a for a in COURSE.assignments if a.id != "05_keras_mnist"]  # 05's reference trains for minutes
STUDENTS = {"ada": "ada_correct", "eli": "eli_variance_not_std"}  # nbgrader student -> sample student


def documented_commands() -> list[str]:
    """The shell lines of docs/nbgrader.md's "nbgrader's own commands", comments removed."""
    text = (ROOT / "docs" / "nbgrader.md").read_text()
    block = re.search(r"## nbgrader's own commands\n.*?```sh\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


COMMANDS = documented_commands()


def documented(start: str, assignment=EXAMPLE) -> str:
    """The documented command that starts with ``start``, for ``assignment`` instead of the example."""
    [command] = [c for c in COMMANDS if c.startswith(start)]
    return command.replace(EXAMPLE.notebook, assignment.notebook).replace(EXAMPLE.id, assignment.id)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A copy of what a clone holds: the files git tracks, nothing built or graded."""
    target = tmp_path_factory.mktemp("clone") / "kit"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    assert not (target / "grades").exists() and not (target / "build").exists()
    return target


def shell(fresh: Path, command: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """``command`` in the clone, with the kit's virtual environment's scripts first on PATH (as after activate)."""
    scripts = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", ""), "VIRTUAL_ENV": sys.prefix}
    return subprocess.run(command, shell=True, cwd=fresh, capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def released(fresh) -> dict:
    """`nbgrader generate_assignment` of every assignment, first thing on the fresh clone."""
    return {a.id: shell(fresh, documented("nbgrader generate_assignment", a)) for a in COURSE.assignments}


def differences(left: Path, right: Path) -> list[str]:
    comparison = filecmp.dircmp(left, right, ignore=["__pycache__"])
    found = comparison.left_only + comparison.right_only
    found += [name for name in comparison.common_files if (left / name).read_bytes() != (right / name).read_bytes()]
    return found + [f"{d}/{name}" for d in comparison.common_dirs for name in differences(left / d, right / d)]


def test_generate_assignment_works_on_a_fresh_clone_and_makes_the_committed_release(fresh, released):
    for assignment in COURSE.assignments:
        done = released[assignment.id]
        assert done.returncode == 0, f"{assignment.id}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert differences(fresh / "assignments" / assignment.id, ROOT / "assignments" / assignment.id) == []
    assert (fresh / "grades" / "nbgrader.db").is_file()  # made where nbgrader_config.py says, on first use


@pytest.mark.parametrize("assignment", VALIDATED, ids=lambda a: a.id)
def test_validate_fails_on_the_release_and_passes_on_the_reference(fresh, released, assignment):
    stub = shell(fresh, documented("nbgrader validate assignments/", assignment))
    assert "VALIDATION FAILED ON" in " ".join(stub.stdout.split()), stub.stdout[-2000:] + stub.stderr[-2000:]
    reference = shell(fresh, documented("nbgrader validate solutions/", assignment))
    said = " ".join(reference.stdout.split())
    assert "Success! Your notebook passes all the tests." in said, said[-3000:] + reference.stderr[-2000:]


def test_students_autograde_feedback_and_export(fresh, released, tmp_path):
    for command in [c for c in COMMANDS if c.startswith("nbgrader db student")]:
        done = shell(fresh, command)
        assert done.returncode == 0, done.stderr[-2000:]
    samples.build_class(EXAMPLE.id, EXAMPLE.notebook, tmp_path / "class")
    for student, sample in STUDENTS.items():
        target = fresh / "grades" / "nbgrader" / "submitted" / student / EXAMPLE.id
        target.mkdir(parents=True)
        shutil.copyfile(tmp_path / "class" / sample / EXAMPLE.notebook, target / EXAMPLE.notebook)
    for start in ("nbgrader autograde", "nbgrader generate_feedback", "nbgrader export"):
        done = shell(fresh, documented(start))
        assert done.returncode == 0, f"{start}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    for student in STUDENTS:
        assert (fresh / "grades" / "nbgrader" / "autograded" / student / EXAMPLE.id / EXAMPLE.notebook).is_file()
        assert (fresh / "grades" / "nbgrader" / "feedback" / student / EXAMPLE.id).is_dir()
    with sqlite3.connect(fresh / "grades" / "nbgrader.db") as db:
        assert {row[0] for row in db.execute("SELECT id FROM student")} >= set(STUDENTS)
    with open(fresh / "grades" / "nbgrader" / "grades.csv") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream) if row["assignment"] == EXAMPLE.id}
    assert sorted(rows) == sorted(STUDENTS)
    assert all(float(row["raw_score"]) == 0 for row in rows.values())  # nbgrader alone awards nothing (see docs)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def test_formgrader_serves_its_assignment_page(fresh, released):
    assert "jupyter lab" in COMMANDS  # the documented way; headless, its server is what serves formgrader
    port, token = free_port(), "fresh-clone-test"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={fresh}"],
        cwd=fresh, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base, deadline, status = f"http://127.0.0.1:{port}/formgrader", time.monotonic() + 90, None
        while status is None and time.monotonic() < deadline:
            try:
                status, page = fetch(f"{base}/manage_assignments", token)
            except OSError:
                time.sleep(0.5)
        assert status == 200 and "Manage Assignments" in page
        _, listing = fetch(f"{base}/api/assignments", token)
        assert {a["name"] for a in json.loads(listing)} >= {a.id for a in COURSE.assignments}
    finally:
        server.terminate()
        server.wait(timeout=30)
