"""One submission graded inside Gradescope's container: what ``run_autograder`` starts (``gradescope-run``).

Gradescope puts the student's files in ``/autograder/submission/``, this assignment's autograder (see
``authoring/gradescope.py``) in ``/autograder/source/``, and reads ``/autograder/results/results.json``. Here:

1. **find** the notebook: by its name, or the one notebook there under another name, also inside a zip (unpacked
   with the kit's checks) or in a folder (a GitHub submission holds the whole repository); the files beside it
   come along (05's trained models). Nothing found is a result that says so, every test at zero.
2. **confine**: bubblewrap when it starts here. Where it cannot (a container without user namespaces, or without
   the capabilities that create namespaces), the *separate-user mode*: the worker runs without a sandbox but as a
   user of its own with the course's rlimits, and ``/autograder`` (the hidden suite, the datasets with 05's test
   labels, the results) is root's alone while it runs. SECURITY.md says what each mode protects.
3. **grade** through the pipeline with the hidden suite, like ``grade``;
4. **write** ``results.json`` in Gradescope's schema: the tests' visibility as course.yml says (public tests
   ``visible``), no late penalty (Gradescope applies its own), no leaderboard, the mode named in ``output``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autograder import pipeline
from autograder.course.config import Assignment
from autograder.course.layout import DATASETS
from autograder.grading.discover import unpack_zip
from autograder.grading.results import FAILED, PASSED, SKIPPED, SubmissionResult, TestResult, failed_everywhere, \
    write_json_atomically
from autograder.grading.suite import hidden_suite, suite_tests
from autograder.sandbox.dataview import worker_view
from autograder.sandbox.devices import ENV_REQUEST, choose
from autograder.sandbox.limits import SANDBOX_UID_BASE, Limits, bwrap_path, worker_argv

GRADESCOPE_ROOT = Path("/autograder")
ENV_CONFINEMENT = "AUTOGRADER_CONFINEMENT"
CONFINEMENTS = ("auto", "separate-user")  # separate-user: as if bubblewrap could not start here
STUDENT = "student"  # the one submission's name in the kit's folder of submissions; never shown
PROBE_SECONDS = 30
BUBBLEWRAP_NOTE = "Graded by the course kit, your code in its bubblewrap sandbox."
SEPARATE_USER_NOTE = ("Graded by the course kit in its separate-user mode: your code ran without a sandbox, as a user "
                      "of its own that cannot read the tests, with the course's time and memory limits.")
NOT_CONFINED = ("This submission could not be graded: {why} The grader will not run your code without keeping the "
                "tests out of its reach. This is not your fault; please tell your instructor.")


@dataclass(frozen=True)
class Mode:
    """How student code is confined in this container, and what the result's output says about it."""
    name: str  # bubblewrap | separate-user
    worker_uid: int | None
    note: str

    @property
    def sandbox(self) -> bool:
        return self.name == "bubblewrap"


class NotConfinable(Exception):
    """Neither mode can run here; the message says why, in words for the student and the instructor."""


def grade(assignment: Assignment, root: Path = GRADESCOPE_ROOT, confinement: str = "auto") -> dict:
    """Grade ``root``/submission/ and write ``root``/results/results.json; its content."""
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        work = Path(tmp)
        stage(root / "submission", work / "submissions", assignment.notebook)
        try:
            mode = choose_mode(confinement)
            request = pipeline.Request(assignment, hidden_suite(assignment.id), work / "submissions", work / "out",
                                       sandbox=mode.sandbox, device=_device(assignment), worker_uid=mode.worker_uid)
            with _confined(mode, root, request, work):
                [result] = pipeline.grade(request).results
            results = gradescope_results(result, mode.note)
        except NotConfinable as exc:
            tests = suite_tests(hidden_suite(assignment.id), assignment.hidden_visibility)
            message = NOT_CONFINED.format(why=exc)
            results = gradescope_results(failed_everywhere(STUDENT, assignment.id, tests, "not_loaded", message), "")
    write_json_atomically(root / "results" / "results.json", results)
    return results


# ---------------------------------------------------------------- 1. find the notebook
def stage(submission: Path, target: Path, notebook: str) -> None:
    """``target``, a folder of submissions as the pipeline reads it, holding the one student's: the folder of the
    notebook found in ``submission`` (in a zip there, unpacked), else all of ``submission``, for the pipeline to say
    what is missing (or a zip that cannot be unpacked, for it to say what is wrong with it)."""
    target.mkdir(parents=True)
    found = find_notebook(submission, notebook)
    archives = [] if found else sorted(p for p in submission.glob("*.zip") if p.is_file() and not p.is_symlink())
    if len(archives) == 1:
        unpacked = target.parent / "unpacked"
        try:
            unpack_zip(archives[0], unpacked)
        except Exception:  # noqa: BLE001 - any error of a crafted zip: the pipeline unpacks it again and says which
            shutil.copyfile(archives[0], target / f"{STUDENT}.zip")
            return
        found = find_notebook(unpacked, notebook)
    shutil.copytree(found.parent if found else submission, target / STUDENT, symlinks=True)


def find_notebook(folder: Path, name: str) -> Path | None:
    """The notebook called ``name`` nearest the top of ``folder``, else the one notebook in it; None if there are
    none or several (Jupyter's checkpoints and macOS's zip metadata never count)."""
    notebooks = sorted((p for p in folder.rglob("*.ipynb") if p.is_file() and not p.is_symlink()
                        and not {".ipynb_checkpoints", "__MACOSX"} & set(p.relative_to(folder).parts)),
                       key=lambda p: (len(p.parts), str(p)))
    named = [p for p in notebooks if p.name == name]
    if named:
        return named[0]
    return notebooks[0] if len(notebooks) == 1 else None


# ---------------------------------------------------------------- 2. confine
def choose_mode(confinement: str) -> Mode:
    """bubblewrap when it starts here (``auto``), else the separate-user mode, which needs root and a Python that
    other users can read (setup.sh installs one); :class:`NotConfinable` when neither can run."""
    why = f"the separate-user mode was asked for (${ENV_CONFINEMENT})"
    if confinement == "auto":
        started, said = bwrap_starts()
        if started:
            return Mode("bubblewrap", None, BUBBLEWRAP_NOTE)
        why = "bubblewrap cannot start in this container" + (f" ({said})" if said else "")
    if os.getuid() != 0:
        raise NotConfinable(f"{why}, and the grader is not root, so it cannot run your code as a user of its own.")
    blocked = unreadable_python()
    if blocked:
        raise NotConfinable(f"{why}, and {blocked} cannot be read by other users, so your code could not import "
                            "Python's packages as a user of its own.")
    return Mode("separate-user", SANDBOX_UID_BASE + os.getpid(), f"{SEPARATE_USER_NOTE} Why: {why}.")


def bwrap_starts() -> tuple[bool, str]:
    """Whether bubblewrap builds the kit's sandbox here (the worker's own command line, running ``pass``), and if
    not, what it said."""
    if bwrap_path() is None:
        return False, "bubblewrap is not installed"
    argv, _ = worker_argv("probe", None, None, Limits(), True)
    probe = argv[:argv.index(sys.executable)] + [sys.executable, "-c", "pass"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=PROBE_SECONDS)
    except subprocess.TimeoutExpired:
        return False, f"bubblewrap did not start within {PROBE_SECONDS} s"
    return done.returncode == 0, done.stderr.strip()[-500:]


def unreadable_python() -> str | None:
    """The first folder on the way to this Python (the interpreter, its virtual environment) that other users cannot
    pass through, or read where it is the installation itself; None when they can."""
    for prefix in sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}):
        path = Path(prefix)
        for folder in reversed(path.parents):
            if not folder.stat().st_mode & 0o001:
                return str(folder)
        if path.stat().st_mode & 0o005 != 0o005:
            return str(path)
    return None


@contextmanager
def _confined(mode: Mode, root: Path, request: pipeline.Request, work: Path):
    """In the separate-user mode, while grading runs: ``root`` (the autograder, the hidden suite, the datasets with
    every label, the submission, the results) is root's alone, and so is every file the grader writes in ``work``
    but the worker's view of the datasets (no test labels); afterwards every process of the worker's user is
    killed."""
    if mode.sandbox:
        yield
        return
    before, umask = root.stat().st_mode & 0o7777, os.umask(0o077)
    root.chmod(0o700)
    try:
        _open_datasets_view(request.work_dir / "datasets", work)
        yield
    finally:
        subprocess.run([sys.executable, "-c", "import os, signal; os.kill(-1, signal.SIGKILL)"],
                       user=mode.worker_uid, group=mode.worker_uid, extra_groups=[], check=False)
        os.umask(umask)
        root.chmod(before)


def _open_datasets_view(view: Path, work: Path) -> None:
    """The datasets as the worker sees them (dataview.py: no test labels), readable by every user; the folders
    from ``work`` down to it can be passed through, not listed (the grader's logs and manifests stay unreadable)."""
    worker_view(DATASETS, view)
    for folder in view.parents:
        if not folder.is_relative_to(work):
            break
        folder.chmod(0o711)
    for folder, _, files in os.walk(view):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def _device(assignment: Assignment):
    return choose(assignment.id, assignment.gpu, os.environ.get(ENV_REQUEST, "auto")).device


# ---------------------------------------------------------------- 4. Gradescope's results.json
def gradescope_results(result: SubmissionResult, note: str) -> dict:
    """``results.json`` as Gradescope reads it: the tests' points and visibility, the raw score (Gradescope applies
    its own late penalty), the mode and grading's notes in ``output``, no leaderboard, the kit's own record left out."""
    return {
        "score": round(result.score, 4),
        "execution_time": round(result.execution_time),
        "output": "\n\n".join(filter(None, [note, result.output])),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [gradescope_test(test) for test in result.tests],
    }


def gradescope_test(test: TestResult) -> dict:
    """One test. Gradescope knows ``passed`` and ``failed`` only: a test that needs a GPU, not run on this CPU, is
    0 of 0 points, ``passed``, with the reason. A failure's hint goes into its output, which students see."""
    entry = test.to_gradescope()
    if test.status == SKIPPED:
        entry["status"] = PASSED
    elif test.status == FAILED and test.hint:
        entry["output"] = f"{test.output}\n\nHint: {test.hint}".lstrip()
    return entry
