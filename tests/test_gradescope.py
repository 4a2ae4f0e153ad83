"""The Gradescope autograder: built through the CLI, unpacked into a folder laid out like Gradescope's /autograder
(source/, submission/, results/), set up with `setup.sh --check` (this environment already has every package; the
install itself needs Gradescope's network), and run_autograder run as Gradescope runs it, on the reference, the stub,
typical mistakes and an empty submission; then the separate-user mode, forced, against a student who snoops.

05's zip is built and checked here, not graded: its reference trains models for minutes (docs: its measured run).
"""
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from autograder.authoring import gradescope, samples
from autograder.course.config import load_course
from autograder.course.layout import SOLUTIONS
from autograder.course.late import Late
from autograder.grading.results import VISIBILITIES, SubmissionResult, TestResult
from autograder.grading.suite import hidden_suite, suite_tests
from autograder.integrations.gradescope import find_notebook, gradescope_results, unreadable_python
from conftest import ROOT, run_cli

COURSE = load_course(ROOT / "course.yml")
FIRST = COURSE.assignment("01_bayes")
VENV = os.path.realpath(sys.prefix)  # the kit's environment plays setup.sh's /opt/autograder/venv
TOP_KEYS = {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"}
TEST_KEYS = {"name", "score", "max_score", "output", "visibility", "status"}


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    """Every assignment's autograder.zip: 01's through the CLI, the others through the same function."""
    folder = tmp_path_factory.mktemp("zips")
    run_cli("gradescope", FIRST.id, "--out", folder / f"{FIRST.id}.zip", check_status=0)
    for assignment in COURSE.assignments[1:]:
        gradescope.build(COURSE, assignment, folder / f"{assignment.id}.zip")
    return {a.id: folder / f"{a.id}.zip" for a in COURSE.assignments}


def unpack(archive: Path, root: Path) -> Path:
    """``root`` laid out as Gradescope lays out /autograder: the zip in source/ (modes kept), empty submission/ and
    results/."""
    with zipfile.ZipFile(archive) as opened:
        for member in opened.infolist():
            path = Path(opened.extract(member, root / "source"))
            path.chmod(member.external_attr >> 16 & 0o777 or 0o644)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def run_autograder(root: Path, *prefix: str, **env: str) -> dict:
    done = subprocess.run([*prefix, str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_VENV": VENV, **env})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


def assert_schema(results: dict, assignment) -> None:
    """Gradescope's schema: the top level and every test as it documents them, the score the tests' sum (no late
    penalty), public tests visible and the others as course.yml says, and every test of the suite listed."""
    assert set(results) == TOP_KEYS and results["visibility"] == "visible" and results["stdout_visibility"] == "hidden"
    assert isinstance(results["execution_time"], int) and isinstance(results["output"], str)
    names = []
    for test in results["tests"]:
        assert TEST_KEYS <= set(test) <= TEST_KEYS | {"extra_data"}, test
        assert test["status"] in ("passed", "failed") and test["visibility"] in VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"] and isinstance(test["output"], str)
        public = test["name"].startswith("test_public::")
        assert test["visibility"] == ("visible" if public else assignment.hidden_visibility), test["name"]
        names.append(test["name"])
    assert names == [t.name for t in suite_tests(hidden_suite(assignment.id))]
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))


def reference(assignment) -> dict:
    return samples.solution_notebook(SOLUTIONS / assignment.id / assignment.notebook)


def full_marks(assignment) -> float:
    return sum(t.max_score for t in suite_tests(hidden_suite(assignment.id)))


# ---------------------------------------------------------------- the zip
@pytest.mark.parametrize("assignment", COURSE.assignments, ids=lambda a: a.id)
def test_the_zip_holds_what_grading_needs_and_nothing_of_another_assignment(zips, assignment, tmp_path):
    with zipfile.ZipFile(zips[assignment.id]) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        archive.extractall(tmp_path)
    assert {"setup.sh", "run_autograder", "requirements.txt", "kit/course.yml", "kit/autograder/cli.py",
            f"kit/assignments/{assignment.id}/{assignment.notebook}"} <= names
    assert all(modes[script] & stat.S_IXUSR for script in ("setup.sh", "run_autograder"))
    suite = {f"kit/solutions/{assignment.id}/{p.parent.name}/{p.name}" for p in hidden_suite(assignment.id).paths[1].iterdir()
             if p.is_file()}
    assert suite <= names and {n for n in names if n.startswith("kit/solutions/")} == suite | {
        f"kit/solutions/{assignment.id}/tests/{p.name}" for p in hidden_suite(assignment.id).paths[0].glob("*.py")}
    others = [a.id for a in COURSE.assignments if a.id != assignment.id]
    assert not [n for n in names if any(other in n for other in others)]
    assert [n for n in names if n.endswith(".ipynb")] == [f"kit/assignments/{assignment.id}/{assignment.notebook}"]
    notebook = (tmp_path / "kit" / "assignments" / assignment.id / assignment.notebook).read_text()
    assert "BEGIN SOLUTION" not in notebook and "raise NotImplementedError()" in notebook
    assert gradescope.leaks(tmp_path, assignment) == []
    course = load_course(tmp_path / "kit" / "course.yml")
    assert [a.id for a in course.assignments] == [assignment.id] and course.assignments[0].extensions == {}
    pins = dict(line.split("==") for line in (tmp_path / "requirements.txt").read_text().splitlines()
                if "==" in line)
    assert {"numpy", "pytest", "pydantic"} <= set(pins)
    uses_keras = assignment.id in ("02_gradient_descent", "05_keras_mnist")  # 02's hidden suite cross-checks with Keras
    assert ("keras" in pins and "tensorflow_cpu" in pins) == uses_keras and "nbgrader" not in pins
    datasets = {n for n in names if n.endswith(".npz")}
    assert datasets == {"01_bayes": set(), "05_keras_mnist": {"kit/datasets/mnist.npz"}}.get(
        assignment.id, {"kit/datasets/digits.npz"})


def test_leaks_are_found(zips, tmp_path):
    with zipfile.ZipFile(zips[FIRST.id]) as archive:
        archive.extractall(tmp_path)
    kit = tmp_path / "kit"
    shutil.copyfile(SOLUTIONS / FIRST.id / FIRST.notebook, kit / "solutions" / FIRST.id / "hidden" / "bayes.ipynb")
    shutil.copytree(SOLUTIONS / "03_perceptron" / "hidden", kit / "solutions" / "03_perceptron" / "hidden")
    problems = gradescope.leaks(tmp_path, FIRST)
    assert any("hidden/bayes.ipynb: only the release of 01_bayes" in p for p in problems)
    assert any("bayes.ipynb is a copy of solutions/01_bayes/bayes.ipynb" in p for p in problems)
    assert any("03_perceptron/hidden/test_xor.py: only the public tests and the hidden suite of 01_bayes" in p
               for p in problems)


def test_setup_checks_what_it_installs(zips, tmp_path):
    root = unpack(zips[FIRST.id], tmp_path / "autograder")
    check = [str(root / "source" / "setup.sh"), "--check"]
    done = subprocess.run(check, capture_output=True, text=True, env={**os.environ, "AUTOGRADER_VENV": VENV})
    assert done.returncode == 0 and "every pinned package" in done.stdout, done.stdout + done.stderr
    (root / "source" / "requirements.txt").write_text("numpy==0.0.1\n")
    done = subprocess.run(check, capture_output=True, text=True, env={**os.environ, "AUTOGRADER_VENV": VENV})
    assert done.returncode == 1 and f"numpy: {importlib.metadata.version('numpy')}, expected 0.0.1" in done.stderr


# ---------------------------------------------------------------- Gradescope's results.json
def test_results_leave_lateness_and_unknown_statuses_to_gradescope():
    tests = (TestResult("test_public::test_a", 2.0, 2.0, "passed", visibility="visible"),
             TestResult("test_b::test_c", 3.0, 0.0, "failed", "expected more", "after_published", hint="look at b"),
             TestResult("test_b::test_gpu", 0.0, 0.0, "skipped", "needs a GPU", "after_published"))
    late = Late("2026-09-23T12:00:00+03:00", "timestamp.txt", "2026-09-21T23:59:00+03:00", days_late=2, penalty=0.2)
    results = gradescope_results(SubmissionResult("student", FIRST.id, tests, output="a cell failed", late=late),
                                 "Graded here.")
    assert results["score"] == 2.0 and results["output"] == "Graded here.\n\na cell failed"  # no late penalty
    passed, failed, gpu = results["tests"]
    assert failed["output"] == "expected more\n\nHint: look at b" and failed["status"] == "failed"
    assert gpu["status"] == "passed" and gpu["score"] == gpu["max_score"] == 0 and gpu["output"] == "needs a GPU"
    assert "kit" not in results and "leaderboard" not in results


# ---------------------------------------------------------------- grading as Gradescope runs it
def submit(root: Path, files: dict[str, bytes | dict]) -> None:
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())


def zipped(files: dict[str, dict]) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "work.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, notebook in files.items():
                archive.writestr(name, json.dumps(notebook))
        return path.read_bytes()


def test_the_notebook_is_found_by_name_or_as_the_only_one(tmp_path):
    for name in ("a/bayes.ipynb", "a/b/bayes.ipynb", ".ipynb_checkpoints/bayes-checkpoint.ipynb", "other.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert find_notebook(tmp_path, "bayes.ipynb") == tmp_path / "a" / "bayes.ipynb"  # by name, nearest the top
    assert find_notebook(tmp_path / "a" / "b", "keras_mnist.ipynb") == tmp_path / "a" / "b" / "bayes.ipynb"
    assert find_notebook(tmp_path, "keras_mnist.ipynb") is None  # three others (checkpoints never count): which?
    (tmp_path / "other.ipynb").unlink()
    (tmp_path / "a" / "b" / "bayes.ipynb").unlink()
    assert find_notebook(tmp_path, "keras_mnist.ipynb") == tmp_path / "a" / "bayes.ipynb"


@pytest.fixture(scope="module")
def sample_class(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    samples.build_class(FIRST.id, FIRST.notebook, folder)
    return folder


def sample(folder: Path, name: str) -> dict:
    return json.loads((folder / name / FIRST.notebook).read_text())


CASES = {  # submission -> (its files, its score): by name, under another name, zipped, in a repository's folders
    "reference": (lambda c: {"bayes.ipynb": reference(FIRST)}, 100),
    "stub": (lambda c: {"Bayes (1).ipynb": json.loads((ROOT / "assignments" / FIRST.id / FIRST.notebook).read_text()),
                        "notes.txt": b"my notes"}, 0),
    "ben_forgets_evidence": (lambda c: {"work.zip": zipped({"hw1/bayes.ipynb": sample(c, "ben_forgets_evidence")})},
                             samples.load_class(FIRST.id)["ben_forgets_evidence"].score),
    "dora_swaps_beta": (lambda c: {"repo/assignments/01_bayes/bayes.ipynb": sample(c, "dora_swaps_beta"),
                                   "repo/README.md": b"# my repository"},
                        samples.load_class(FIRST.id)["dora_swaps_beta"].score),
}


@pytest.mark.parametrize("case", CASES)
def test_run_autograder_grades_the_submission(zips, sample_class, case, tmp_path):
    files, score = CASES[case]
    root = unpack(zips[FIRST.id], tmp_path / "autograder")
    submit(root, files(sample_class))
    results = run_autograder(root)
    assert_schema(results, FIRST)
    assert results["score"] == score and full_marks(FIRST) == 100
    assert results["output"].startswith("Graded by the course kit, your code in its bubblewrap sandbox.")
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert all(t["output"] for t in failed) and (case != "stub" or "still the stub" in failed[0]["output"])


def test_no_notebook_is_a_result_that_says_so(zips, tmp_path):
    root = unpack(zips[FIRST.id], tmp_path / "autograder")
    submit(root, {"answers.pdf": b"%PDF-1.4"})
    results = run_autograder(root)
    assert_schema(results, FIRST)
    assert results["score"] == 0 and "no notebook found: expected bayes.ipynb" in results["output"]
    assert all("no notebook found" in t["output"] for t in results["tests"])


@pytest.mark.parametrize("assignment", [a for a in COURSE.assignments if a.id not in (FIRST.id, "05_keras_mnist")],
                         ids=lambda a: a.id)
def test_reference_full_marks_and_stub_zero(zips, assignment, tmp_path):
    release = json.loads((ROOT / "assignments" / assignment.id / assignment.notebook).read_text())
    for name, notebook, score in (("reference", reference(assignment), full_marks(assignment)), ("stub", release, 0)):
        root = unpack(zips[assignment.id], tmp_path / name)
        submit(root, {assignment.notebook: notebook})
        results = run_autograder(root)
        assert_schema(results, assignment)
        assert results["score"] == score, (name, [t for t in results["tests"] if t["status"] == "failed"][:3])


# ---------------------------------------------------------------- the separate-user mode
SNOOP = '''
import json, os
found = {{"uid": os.getuid()}}
manifest = open(f"/proc/{{os.getppid()}}/cmdline").read().split("\\0")
manifest = manifest[manifest.index("--ag-manifest") + 1] if "--ag-manifest" in manifest else "/nonexistent"
for path in [{paths}, manifest, os.path.join(os.path.dirname(manifest), "grader.log"),
             f"/proc/{{os.getppid()}}/environ"]:
    try:
        found[path] = "read: " + open(path, errors="replace").read(40)
    except OSError as error:
        found[path] = type(error).__name__
for folder in [os.path.dirname(manifest)]:
    try:
        found["list " + folder] = os.listdir(folder)
    except OSError as error:
        found["list " + folder] = type(error).__name__
try:
    open({results!r}, "w").write("{{}}")
    found["write results"] = "written"
except OSError as error:
    found["write results"] = type(error).__name__

def posterior(prior, likelihood):
    raise RuntimeError("SNOOPED " + json.dumps(found))
'''


def readable_python(scratch: Path) -> list[str]:
    """A command prefix under which other users can read this Python, as setup.sh installs it on Gradescope: none
    where they already can; else a private mount namespace in which the folder that keeps them out (a home such as
    /root) is an empty one they may pass, with the interpreter's folders bound back in."""
    blocked = unreadable_python()
    if blocked is None:
        return []
    inside = {Path(blocked) / Path(p).relative_to(blocked).parts[0]
              for p in {os.path.realpath(sys.base_prefix), VENV} if Path(p).is_relative_to(blocked)}
    script = []
    for index, folder in enumerate(sorted(inside)):
        (scratch / str(index)).mkdir()
        script.append(f"mount --bind '{folder}' '{scratch / str(index)}'")
    script.append(f"mount -t tmpfs -o mode=0755 tmpfs '{blocked}'")
    for index, folder in enumerate(sorted(inside)):
        script += [f"mkdir '{folder}'", f"mount --bind '{scratch / str(index)}' '{folder}'"]
    return ["unshare", "--mount", "--propagation", "private", "sh", "-ec", "\n".join(script + ['exec "$@"']), "sh"]


@pytest.fixture
def open_folder():
    """A folder every user may pass through, unlike pytest's (0700): what keeps the snooper out must be the mode."""
    folder = Path(tempfile.mkdtemp(prefix="gradescope-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.mark.skipif(os.getuid() != 0 or shutil.which("unshare") is None,
                    reason="the separate-user mode switches users, so it runs only as root")
def test_separate_user_mode_grades_and_keeps_the_tests_out_of_reach(zips, open_folder):
    control = open_folder / "outside" / "control.txt"  # readable by anyone: shows that the snooper's reads work
    control.parent.mkdir()
    control.write_text("anyone may read this")
    control.parent.chmod(0o755)
    control.chmod(0o644)
    prefix = readable_python(Path(tempfile.mkdtemp(dir=open_folder)))
    honest = unpack(zips[FIRST.id], open_folder / "honest")
    submit(honest, {"bayes.ipynb": reference(FIRST)})
    results = run_autograder(honest, *prefix, AUTOGRADER_CONFINEMENT="separate-user")
    assert_schema(results, FIRST)
    assert results["score"] == 100 and results["output"].startswith("Graded by the course kit in its separate-user mode")

    root = unpack(zips[FIRST.id], open_folder / "autograder")
    secrets = [root / "source" / "kit" / "solutions" / FIRST.id / "hidden" / "test_coin.py",
               root / "source" / "kit" / "datasets" / "checksums.json", root / "source" / "kit" / "course.yml"]
    snooper = reference(FIRST)
    snooper["cells"].append({"cell_type": "code", "execution_count": None, "id": "snoop", "metadata": {}, "outputs": [],
                             "source": SNOOP.format(paths=", ".join(repr(str(p)) for p in [control, *secrets]),
                                                    results=str(root / "results" / "results.json"))})
    submit(root, {"bayes.ipynb": snooper})
    results = run_autograder(root, *prefix, AUTOGRADER_CONFINEMENT="separate-user")
    assert_schema(results, FIRST)
    [urns] = [t for t in results["tests"] if t["name"] == "test_public::test_two_urns"]
    found = json.loads(urns["output"].rsplit("SNOOPED ", 1)[1].split("\n")[0])
    assert found.pop("uid") >= 200_000 and found.pop(str(control)) == "read: anyone may read this"
    assert found and all(value == "PermissionError" for value in found.values()), found
    assert (root / "source").stat().st_mode & 0o777 == 0o755  # the autograder's folders as they were
    assert "def test_" not in json.dumps(results) and results["score"] < 100
