"""The zygote (processes.Zygote, worker.zygote): one sandbox serves a grader process's students one after
another. A student who leaves processes, files and shared memory behind must leave nothing for the next."""
import subprocess
import sys

import pytest

from autograder.course.config import load_course
from autograder.grading.plugin import zygote_for
from autograder.sandbox import processes, session as sessions
from autograder.sandbox.proxies import StudentNotebook
from autograder.sandbox.devices import CPU
from autograder.sandbox.limits import Limits, bwrap_path, worker_argv
from conftest import ROOT, grade_folder, notebook, read_results, write_notebook

PROBE = ROOT / "tests" / "fixtures" / "probe_zygote.py"

LOOK = r'''
import ctypes, os

def look():
    mine = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()
            and os.stat(f"/proc/{p}").st_uid == os.getuid()]
    with open("/proc/sysvipc/shm") as table:
        shm = len(table.read().splitlines()) - 1
    return {"tmp": sorted(os.listdir("/tmp")), "home": sorted(os.listdir("/tmp/home")), "processes": mine,
            "shm": shm, "work": sorted(os.listdir(".")), "expected_work": EXPECTED_WORK, "parent": os.getppid()}

def own_file():
    with open("data.txt") as f:
        content = f.read()
    try:
        open("data.txt", "a").close()
        writable = True
    except OSError:
        writable = False
    return [content, writable]
'''

PLANT = r'''
import ctypes, os, time
with open("/tmp/planted.txt", "w") as f:
    f.write("for the next student")
with open("/tmp/home/.planted", "w") as f:
    f.write("x")
ctypes.CDLL(None).shmget(0x5eed, 4096, 0o1666)  # IPC_CREAT | 0666
if os.fork() == 0:  # a daemon: its own session, out of the worker's process group
    os.setsid()
    if os.fork() == 0:
        while True:
            with open("/tmp/daemon.txt", "a") as f:
                f.write(".")
            time.sleep(0.01)
    os._exit(0)
time.sleep(0.2)
'''

pytestmark = pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root, out = tmp_path_factory.mktemp("zygote") / "in", tmp_path_factory.mktemp("zygote") / "out"
    # Students are graded in order of their ids: the planter first, in the same grader process (--jobs 1).
    write_notebook(root / "a_planter" / "bayes.ipynb", notebook(LOOK, "EXPECTED_WORK = ['bayes.ipynb', 'secret.txt']",
                                                                PLANT))
    (root / "a_planter" / "secret.txt").write_text("A's answers")
    write_notebook(root / "b_target" / "bayes.ipynb", notebook(LOOK, "EXPECTED_WORK = ['bayes.ipynb', 'data.txt']"))
    (root / "b_target" / "data.txt").write_text("B's data")
    assignment = load_course().assignment("01_bayes")
    results = grade_folder(assignment, PROBE, root, out)
    return {r.student: r for r in results}, out


def test_the_planter_did_leave_things_behind(graded):
    """The probe sees a daemon and files in the planter's own run: the next test is not vacuous."""
    leftovers = output(read_results(graded[1], "a_planter"), "test_finds_nothing_left_behind")
    assert "the files in /tmp" in leftovers, leftovers


def test_one_zygote_served_both(graded):
    """Inside bubblewrap's pid namespace its init is 1 and the zygote 2; a worker in a sandbox of its own would
    be 2 itself, with parent 1."""
    parents = [output(read_results(graded[1], s), "test_reports_its_parent") for s in ("a_planter", "b_target")]
    assert parents == ["parent process 2"] * 2


def test_the_next_student_finds_nothing_and_has_their_own_files(graded):
    target = read_results(graded[1], "b_target")
    failed = {t["name"]: t["output"] for t in target["tests"] if t["status"] != "passed"}
    assert set(failed) == {"probe_zygote::test_reports_its_parent"}, failed
    assert target["score"] == 2


def output(result: dict, test: str) -> str:
    [found] = [t for t in result["tests"] if t["name"] == f"probe_zygote::{test}"]
    return found["output"]


WALK = r'''
import os

def walk():
    return sorted(os.path.join(folder, name)[2:] for folder, _, names in os.walk(".") for name in names)

def parent():
    return os.getppid()
'''


def start_session(submission, monkeypatch, max_files=None, zygote=None):
    if max_files is not None:
        monkeypatch.setattr(sessions, "ZYGOTE_MAX_FILES", max_files)
    zygote = zygote or zygote_for("01_bayes", None, Limits(), True, CPU, None)
    session = sessions.Session("01_bayes", submission, [(0, WALK)], Limits(), True, zygote=zygote)
    session.start()
    return StudentNotebook(session), session, zygote


def test_files_in_folders_reach_a_forked_worker_and_links_do_not(tmp_path, monkeypatch):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "deep.txt").write_text("nested")
    (tmp_path / "top.txt").write_text("top")
    (tmp_path / "link").symlink_to("/etc/hostname")
    (tmp_path / "linked_folder").symlink_to(tmp_path / "notes")
    student, session, zygote = start_session(tmp_path, monkeypatch)
    try:
        assert (student.walk(), student.parent()) == (["notes/deep.txt", "top.txt"], 2)
    finally:
        session.close()
        zygote.kill()


def test_a_large_submission_gets_a_sandbox_of_its_own(tmp_path, monkeypatch):
    (tmp_path / "big.bin").write_bytes(bytes(100))
    student, session, zygote = start_session(tmp_path, monkeypatch, max_files=50)
    try:
        assert (student.walk(), student.parent()) == (["big.bin"], 1)  # bound in, and bwrap's init is the parent
        assert zygote.starts == 0
    finally:
        session.close()
        zygote.kill()


def test_a_zygote_slower_to_start_than_a_fork_still_serves_the_first_student(tmp_path, monkeypatch):
    """The zygote imports the reference's modules before it forks (TensorFlow: seconds on a busy runner); that
    start is not held to the time a fork is given. Here the start is made slow on purpose: a shell waits 0.5 s
    before it becomes the sandbox, and a fork is given 0.25 s."""
    monkeypatch.setattr(processes, "ZYGOTE_ANSWER_SECONDS", 0.25)
    argv, _ = worker_argv("01_bayes", None, None, Limits(), True, CPU)
    zygote = processes.Zygote(["sh", "-c", 'sleep 0.5; exec "$@"', "sh", *argv], Limits(), CPU)
    student, session, zygote = start_session(tmp_path, monkeypatch, zygote=zygote)
    try:
        assert (student.parent(), zygote.starts, zygote.failed) == (2, 1, False)
    finally:
        session.close()
        zygote.kill()


def test_a_zygote_that_cannot_start_leaves_each_student_a_sandbox_of_their_own(tmp_path, monkeypatch):
    (tmp_path / "top.txt").write_text("top")
    zygote = processes.Zygote(["/bin/false"], Limits(), CPU)
    student, session, zygote = start_session(tmp_path, monkeypatch, zygote=zygote)
    try:
        assert (student.walk(), student.parent()) == (["top.txt"], 1)
        assert (zygote.starts, zygote.failed) == (1, True)
    finally:
        session.close()
    student, session, zygote = start_session(tmp_path, monkeypatch, zygote=zygote)
    try:
        assert (student.parent(), zygote.starts) == (1, 1)  # not tried again
    finally:
        session.close()


def test_wipe_empties_a_folder_without_following_links(tmp_path):
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    folder = tmp_path / "tmp"
    (folder / "a" / "b" / "c").mkdir(parents=True)
    (folder / "a" / "b" / "c" / "deep.txt").write_text("x")
    (folder / "top.txt").write_text("x")
    (folder / "a" / "to_outside").symlink_to(outside)
    (folder / "dangling").symlink_to(tmp_path / "nowhere")
    # worker.py is a script for the sandbox (it imports protocol.py beside it): run it as there, in a process.
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import worker; "
                    "worker.wipe(sys.argv[2])", str(ROOT / "autograder" / "sandbox" / "inside"), str(folder)], check=True)
    assert list(folder.iterdir()) == [] and (outside / "keep").is_dir()
