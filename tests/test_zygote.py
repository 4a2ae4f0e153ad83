"""The zygote (processes.Zygote, worker.zygote): one sandbox serves a grader process's students one after
another. A student who leaves processes, files, shared memory, message queues or keys behind must leave nothing
for the next; one who stalls or hoards memory must cost no one else anything."""
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.course.config import load_course
from autograder.grading.plugin import zygote_for
from autograder.sandbox import processes, session as sessions
from autograder.sandbox.session import MAX_RESTARTS
from autograder.sandbox.errors import CallTimeout, StudentError, WorkerFailure
from autograder.sandbox.proxies import StudentNotebook
from autograder.sandbox.devices import CPU
from autograder.sandbox.limits import Limits, bwrap_path, worker_argv
from conftest import ROOT, grade_folder, notebook, read_results, write_notebook

PROBE = ROOT / "tests" / "fixtures" / "probe_zygote.py"

IPC = r'''
import ctypes, ctypes.util, os, platform

LIBC = ctypes.CDLL(None, use_errno=True)
MQ = LIBC if hasattr(LIBC, "mq_open") else ctypes.CDLL(ctypes.util.find_library("rt"), use_errno=True)
ADD_KEY, KEYCTL = {"x86_64": (248, 250), "aarch64": (217, 219)}[platform.machine()]
USER_KEYRING = -4

def plant_queue(text):
    queue = MQ.mq_open(b"/planted", os.O_CREAT | os.O_RDWR, 0o666, None)
    return queue >= 0 and MQ.mq_send(queue, text, len(text), 0) == 0

def plant_key(text):
    """The key's id, or minus the errno."""
    key = LIBC.syscall(ADD_KEY, b"user", b"planted", text, len(text), USER_KEYRING)
    return key if key > 0 else -ctypes.get_errno()

def read_queue():
    """The planted message, put back for the next look."""
    queue, buffer = MQ.mq_open(b"/planted", os.O_RDWR | os.O_NONBLOCK, 0, None), ctypes.create_string_buffer(8192)
    size = MQ.mq_receive(queue, buffer, 8192, None) if queue >= 0 else -1
    return buffer.value.decode() if size > 0 and MQ.mq_send(queue, buffer, size, 0) == 0 else None

def read_key():
    key, buffer = LIBC.syscall(KEYCTL, 10, USER_KEYRING, b"user", b"planted", 0), ctypes.create_string_buffer(100)
    return buffer.value.decode() if key > 0 and LIBC.syscall(KEYCTL, 11, key, buffer, 100) > 0 else None
'''

LOOK = IPC + r'''
def look():
    mine = [p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()
            and os.stat(f"/proc/{p}").st_uid == os.getuid()]
    with open("/proc/sysvipc/shm") as table:
        shm = len(table.read().splitlines()) - 1
    return {"tmp": sorted(os.listdir("/tmp")), "home": sorted(os.listdir("/tmp/home")), "processes": mine,
            "shm": shm, "queue": read_queue(), "key": read_key(), "work": sorted(os.listdir(".")),
            "expected_work": EXPECTED_WORK, "parent": os.getppid(), "uid": os.getuid()}

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
plant_queue(b"for the next student")
plant_key(b"for the next student")
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
    """The probe sees a daemon, files and a message queue in the planter's own run: the next tests are not vacuous.
    (The key it cannot plant: see test_no_keyring_and_no_user_namespace_in_a_worker.)"""
    planter = read_results(graded[1], "a_planter")
    assert "the files in /tmp" in output(planter, "test_finds_nothing_left_behind")
    assert "got ['for the next student'," in output(planter, "test_finds_no_message_queue_or_key")


def test_one_zygote_served_both(graded):
    """Inside bubblewrap's pid namespace its init is 1 and the zygote 2; a worker in a sandbox of its own would
    be 2 itself, with parent 1."""
    parents = [output(read_results(graded[1], s), "test_reports_its_parent") for s in ("a_planter", "b_target")]
    assert [p.split(",")[0] for p in parents] == ["parent process 2"] * 2


def test_the_next_student_finds_nothing_and_has_their_own_files(graded):
    target = read_results(graded[1], "b_target")
    failed = {t["name"]: t["output"] for t in target["tests"] if t["status"] != "passed"}
    assert set(failed) == {"probe_zygote::test_reports_its_parent"}, failed
    assert target["score"] == 3


def test_no_key_outlives_the_batch(graded):
    """A key in a uid's user keyring lives in the host's kernel: before the seccomp filter, the planter's stayed
    there after the batch (/proc/key-users: a line for its uid), for a later grader process of the same pid."""
    uid = output(read_results(graded[1], "a_planter"), "test_reports_its_parent").split("uid ")[1].rstrip(".")
    users = Path("/proc/key-users").read_text() if Path("/proc/key-users").exists() else ""  # no keys in the kernel
    assert f"{int(uid)}:" not in users.split(), users


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


def start_session(submission, monkeypatch, max_files=None, zygote=None, source=WALK, limits=Limits()):
    if max_files is not None:
        monkeypatch.setattr(sessions, "ZYGOTE_MAX_FILES", max_files)
    zygote = zygote or zygote_for("01_bayes", None, limits, True, CPU, None)
    session = sessions.Session("01_bayes", submission, [(0, source)], limits, True, zygote=zygote)
    session.start()
    return StudentNotebook(session), session, zygote


@pytest.fixture
def alarm():
    """``alarm(seconds)``: a test that would hang without its fix fails instead, after that long."""
    def ring(signum, frame):
        raise TimeoutError("the grader hung")
    previous = signal.signal(signal.SIGALRM, ring)
    yield signal.alarm
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# The red team's stall (redteam/01_bayes/stall_requests.py), and a function with a large request to stall on.
STALL = (ROOT / "redteam" / "01_bayes" / "stall_requests.py").read_text() + "\n\ndef size(values):\n    return len(values)\n"


def test_a_worker_that_stops_reading_costs_a_call_and_its_student_no_more_than_their_budget(tmp_path, monkeypatch,
                                                                                           alarm):
    """The grader's write of a large request blocked forever (issue 23): now it has the call's deadline, and a
    worker that will not end costs no more than the submission's time. The next student is graded as usual."""
    alarm(60)
    limits = Limits(call_seconds=2, submission_seconds=10)
    student, session, zygote = start_session(tmp_path, monkeypatch, source=STALL, limits=limits)
    try:
        started = time.monotonic()
        with pytest.raises(CallTimeout):
            student.size(np.zeros(100_000))  # 1 MB: more than a pipe holds
        assert time.monotonic() - started < limits.call_seconds + 2
        assert student.size([1, 2]) == 2  # a fresh worker
    finally:
        session.close()  # the worker sleeps instead of ending: killed at the submission's deadline
    assert time.monotonic() < session.deadline + 2
    student, session, zygote = start_session(tmp_path, monkeypatch, source=WALK + "\nsize = len", zygote=zygote)
    try:
        assert student.size(np.zeros(100_000)) == 100_000
    finally:
        session.close()
        zygote.kill()


# The red team's orphans (redteam/01_bayes/orphan_memory.py): double-forked children, each under the per-process
# limit, adopted by the sandbox's init; hoard_in_orphans(children, megabytes, wait) waits with them for ``wait`` s.
HOARD = (ROOT / "redteam" / "01_bayes" / "orphan_memory.py").read_text()


@pytest.mark.parametrize("wait", [30, 0], ids=["in a call", "between calls"])
def test_memory_of_double_forked_processes_counts(tmp_path, monkeypatch, wait):
    """Three orphans of 250 MB, each under the limit of 512 MB: together over it, and killed for it, whether the
    call waits with them or returns and leaves them. Before, they left the worker's tree and were not counted."""
    limits = Limits(call_seconds=20, memory_mb=512)
    student, session, zygote = start_session(tmp_path, monkeypatch, source=HOARD, limits=limits)
    try:
        with pytest.raises(WorkerFailure, match="more than the memory limit of 512 MB"):
            student.hoard_in_orphans(3, 250, wait)
            time.sleep(2)  # the grader's own work between two calls
            student.hoard_in_orphans(0, 0, 0)
        assert session.usage.peak_rss_kb > 512 * 1024
    finally:
        session.close()
        zygote.kill()


KEEPS_ITS_HOARD = r'''
import time
HOARD = []

def hoard():
    """Allocate until MemoryError, and keep what was allocated."""
    while True:
        HOARD.append(bytearray(1 << 20))

def hold(megabytes, seconds):
    """Memory that a correct function needs for a while: fine on its own."""
    block = bytearray(megabytes << 20)
    time.sleep(seconds)
    return len(block) >> 20
'''


def test_a_call_that_ran_out_of_memory_leaves_the_next_call_a_fresh_worker(tmp_path, monkeypatch):
    """A student function that hoards until MemoryError fails its own call; what it kept must not make the memory
    watcher kill a later call to another function. Before, the second call was killed with the hoard still held."""
    limits = Limits(call_seconds=20, memory_mb=512)
    student, session, zygote = start_session(tmp_path, monkeypatch, source=KEEPS_ITS_HOARD, limits=limits)
    try:
        for _ in range(MAX_RESTARTS + 1):  # a MemoryError is the call's failure, not the worker's: not a restart
            with pytest.raises(StudentError, match="MemoryError"):
                student.hoard()
        assert student.hold(200, 1) == 200
        assert session.usage.starts == MAX_RESTARTS + 2 and session.restarts == 0
    finally:
        session.close()
        zygote.kill()


NAMESPACES = IPC + r'''
import subprocess

def user_namespace():
    """unshare(1) as a student would run it, and the system call in a child."""
    command = subprocess.run(["unshare", "--user", "--map-root-user", "true"], capture_output=True, text=True)
    child = os.fork()
    if child == 0:
        os._exit(ctypes.get_errno() if LIBC.unshare(0x10000000) else 0)  # CLONE_NEWUSER
    return [command.stderr.strip(), os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])]
'''


@pytest.mark.parametrize("max_files", [None, 0], ids=["forked by the zygote", "in a sandbox of its own"])
def test_no_keyring_and_no_user_namespace_in_a_worker(tmp_path, monkeypatch, max_files):
    """The seccomp filter (sandbox/inside/seccomp.py): a key would outlive the sandbox in the host's kernel, and a
    user namespace would make the student root in it. Both worked before it. EPERM is 1."""
    (tmp_path / "data.txt").write_text("x")
    student, session, zygote = start_session(tmp_path, monkeypatch, max_files=max_files, source=NAMESPACES)
    try:
        assert student.plant_key(b"secret") == -1
        assert student.user_namespace() == ["unshare: unshare failed: Operation not permitted", 1]
        assert zygote.starts == (1 if max_files is None else 0)
    finally:
        session.close()
        zygote.kill()


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
