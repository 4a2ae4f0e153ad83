"""Keras backends: course.yml's choice (or grade --keras-backend) reaches the worker and its zygote's preload, tests
of one backend are skipped with 0 of 0 points on another, each result and the gradebook record the backend, models
saved on one backend load on another, and assignment 05 grades on JAX through the real CLI and sandbox."""
import shutil
import sqlite3
import subprocess
import sys
import typing

import pytest

from autograder.authoring import samples
from autograder.cli import build_parser
from autograder.course.config import Assignment, load_course
from autograder.grading.discover import Submission
from autograder.grading.plan import earlier_result
from autograder.grading.plugin import not_run_on_backend, zygote_for
from autograder.grading.results import SKIPPED, SubmissionResult, TestResult, write_result
from autograder.grading.suite import Suite, hidden_suite, suite_tests
from autograder.reports.gradebook import Gradebook
from autograder.sandbox.backends import BACKENDS, backend_environment
from autograder.sandbox.devices import CPU
from autograder.sandbox.limits import Limits, bwrap_path, worker_argv
from conftest import ROOT, grade_folder, notebook, read_results, run_cli, write_notebook
from test_config import mutate, problems

COURSE = load_course()
KERAS = COURSE.assignment("05_keras_mnist")


def setenv(argv):
    return {argv[i + 1]: argv[i + 2] for i, arg in enumerate(argv) if arg == "--setenv"}


# ------------------------------------------------------------ the worker's environment
JAX_BOTH = {"PJRT_NPROC": "2", "JAX_COMPILATION_CACHE_DIR": "/tmp/home/.cache/jax",
            "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0", "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


@pytest.mark.parametrize("backend, device, expected", [
    ("tensorflow", "cpu", {"KERAS_BACKEND": "tensorflow"}),
    ("tensorflow", "gpu", {"KERAS_BACKEND": "tensorflow"}),
    ("jax", "cpu", {"KERAS_BACKEND": "jax", **JAX_BOTH, "JAX_PLATFORMS": "cpu"}),
    ("jax", "gpu", {"KERAS_BACKEND": "jax", **JAX_BOTH, "XLA_FLAGS": "--xla_gpu_deterministic_ops=true"}),
    ("torch", "cpu", {"KERAS_BACKEND": "torch"}),
    ("torch", "gpu", {"KERAS_BACKEND": "torch", "CUBLAS_WORKSPACE_CONFIG": ":4096:8"}),
])
def test_each_backend_gets_its_environment(backend, device, expected):
    assert backend_environment(backend, device) == expected


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="keras backend must be one of tensorflow, jax, torch, got 'theano'"):
        backend_environment("theano", "cpu")


def test_the_worker_and_its_zygote_start_with_the_backend(tmp_path):
    (tmp_path / "sub").mkdir()
    argv, _ = worker_argv("05_x", tmp_path / "sub", None, Limits(), sandbox=True, keras_backend="jax")
    assert setenv(argv)["KERAS_BACKEND"] == "jax" and setenv(argv)["PJRT_NPROC"] == "2"
    assert setenv(worker_argv("05_x", tmp_path / "sub", None, Limits(), sandbox=True)[0])["KERAS_BACKEND"] == "tensorflow"
    source = write_notebook(tmp_path / "reference.ipynb", notebook("import keras\nfrom keras import layers"))
    zygote = zygote_for("05_x", None, Limits(), True, CPU, source, keras_backend="jax")
    assert setenv(zygote.argv)["KERAS_BACKEND"] == "jax" and zygote.keras_backend == "jax"
    # the preload comes after the environment: bwrap sets it before Python starts
    assert zygote.argv[zygote.argv.index("--preload") + 1] == "keras,keras.layers"


# ------------------------------------------------------------ course.yml and the command line
def test_course_yml_chooses_the_backend_default_tensorflow(tmp_path):
    assert {a.keras_backend for a in COURSE.assignments} == {"tensorflow"}
    assert typing.get_args(Assignment.model_fields["keras_backend"].annotation) == BACKENDS
    data = mutate(lambda d: d["assignments"][4].update(keras_backend="theano"))
    [problem] = problems(tmp_path, data)
    assert problem == ("course.yml: assignments[4].keras_backend: input should be 'tensorflow', 'jax' or 'torch', "
                       "got 'theano'")


def test_grade_takes_a_backend_for_one_run(capsys):
    assert build_parser().parse_args(["grade", "05_keras_mnist", "x", "--keras-backend", "jax"]).keras_backend == "jax"
    assert build_parser().parse_args(["grade", "05_keras_mnist", "x"]).keras_backend is None
    with pytest.raises(SystemExit):
        build_parser().parse_args(["grade", "05_keras_mnist", "x", "--keras-backend", "theano"])
    assert "invalid choice: 'theano'" in capsys.readouterr().err


# ------------------------------------------------------------ what results, resume and the gradebook keep
def a_result(**changes) -> SubmissionResult:
    fields = dict(student="ada", assignment="05_keras_mnist", content_hash="c0ffee", suite_hash="5u17e",
                  tests=(TestResult("test_x::test_one", 2.0, 2.0, "passed"),))
    return SubmissionResult(**{**fields, **changes})


def test_a_result_records_its_backend_next_to_its_device():
    kit = a_result(keras_backend="jax").to_gradescope()["kit"]
    assert list(kit)[:8] == ["student", "assignment", "status", "content_hash", "suite_hash", "device",
                             "keras_backend", "raw_score"]
    assert kit["keras_backend"] == "jax"
    assert SubmissionResult.from_gradescope(a_result(keras_backend="jax").to_gradescope()) == a_result(keras_backend="jax")
    older = a_result().to_gradescope()
    del older["kit"]["keras_backend"]  # written before Keras had another backend than TensorFlow
    assert SubmissionResult.from_gradescope(older).keras_backend == "tensorflow"


def test_resume_keeps_a_result_only_for_the_same_backend(tmp_path):
    write_result(tmp_path, a_result(keras_backend="jax"))
    submission = Submission("ada", tmp_path / "ada", tmp_path / "ada" / "x.ipynb", content_hash="c0ffee")
    assert earlier_result(tmp_path, submission, "5u17e", "cpu", "jax") == a_result(keras_backend="jax")
    assert earlier_result(tmp_path, submission, "5u17e", "cpu", "tensorflow") is None


OLDEST_GRADEBOOK = """
CREATE TABLE submissions (
    student TEXT NOT NULL, assignment TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
    execution_time REAL NOT NULL, content_hash TEXT NOT NULL, suite_hash TEXT NOT NULL,
    device TEXT NOT NULL, graded_at TEXT NOT NULL,
    PRIMARY KEY (student, assignment)
);
INSERT INTO submissions VALUES ('bob', '05_keras_mnist', 90, 100, 'graded', 1.0, 'h', 's', 'cpu', '2026-11-17');
"""


def test_the_gradebook_records_the_backend_and_an_older_one_gets_the_column(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    sqlite3.connect(path).executescript(OLDEST_GRADEBOOK)
    with Gradebook(path) as gradebook:
        gradebook.record([a_result(keras_backend="jax")])
        rows = {row.student: row.keras_backend for row in gradebook.rows()}
    assert rows == {"bob": "tensorflow", "ada": "jax"}


def test_a_malformed_backends_marker_names_the_test(tmp_path):
    suite_file = tmp_path / "test_bad.py"
    suite_file.write_text("import pytest\n\n@pytest.mark.backends('theano')\ndef test_x(student):\n    pass\n")
    with pytest.raises(RuntimeError) as error:
        suite_tests(Suite("bad", (suite_file,)))
    assert "::test_x: @pytest.mark.backends takes one or more Keras backends of tensorflow, jax, torch, got " \
           "('theano',)" in str(error.value)


# ------------------------------------------------------------ through the real sandbox
PROBE = ROOT / "tests" / "fixtures" / "probe_backends.py"
PROBE_NOTEBOOK = notebook(
    "import sys\nPRELOADED = sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules)",
    "import os\nimport keras\n\ndef backend():\n    return keras.config.backend()\n\n"
    "def env(name):\n    return os.environ.get(name)\n")


@pytest.fixture(scope="module")
def probed(tmp_path_factory, monkeypatch_module):
    """One student graded on JAX with 05's settings: its zygote preloads what 05's reference imports (Keras)."""
    if bwrap_path() is None:
        pytest.fail("needs bubblewrap: `make setup` installs it")
    tmp = tmp_path_factory.mktemp("backends")
    write_notebook(tmp / "class" / "ada" / KERAS.notebook, PROBE_NOTEBOOK)
    monkeypatch_module.setenv("AG_PROBE_BACKEND", "jax")
    [result] = grade_folder(KERAS.model_copy(update={"keras_backend": "jax"}), PROBE, tmp / "class", tmp / "out",
                            gradebook=tmp / "g.sqlite")
    return result, read_results(tmp / "out", "ada"), tmp


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_worker_and_its_zygote_run_keras_on_the_batchs_backend(probed):
    result, _, _ = probed
    tests = {t.name.split("::")[1]: t for t in result.tests}
    for name in ("test_keras_runs_on_the_batchs_backend", "test_the_worker_environment_names_it",
                 "test_the_zygote_imported_keras_on_that_backend", "test_only_on_jax_or_torch"):
        assert tests[name].status == "passed", (name, tests[name].output)


def test_a_test_of_another_backend_is_skipped_with_0_of_0_points(probed):
    result, data, _ = probed
    skipped = {t.name.split("::")[1]: t for t in result.tests if t.status == SKIPPED}
    assert list(skipped) == ["test_only_on_tensorflow"]
    test = skipped["test_only_on_tensorflow"]
    assert (test.score, test.max_score, test.output) == (0, 0, not_run_on_backend(("tensorflow",), "jax"))
    assert "Keras on tensorflow" in test.output and "ran Keras on jax" in test.output
    assert (result.score, result.max_score) == (5, 5)
    assert ("1 test(s) worth 3 points need another Keras backend and were not run, because this grading ran Keras on "
            "jax; this score leaves them out.") in result.output
    assert [t["max_score"] for t in data["tests"] if t["status"] == "skipped"] == [0]


def test_the_result_and_the_gradebook_record_the_backend(probed):
    result, data, tmp = probed
    assert result.keras_backend == "jax" and data["kit"]["keras_backend"] == "jax"
    [(backend,)] = sqlite3.connect(tmp / "g.sqlite").execute("SELECT keras_backend FROM submissions").fetchall()
    assert backend == "jax"


# ------------------------------------------------------------ saved models between backends
SAVE_AND_LOAD = r'''
import os, sys
import numpy as np
import keras
backend, folder = keras.config.backend(), sys.argv[1]
x = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
if sys.argv[2] == "save":
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
    model.fit(x, np.arange(4), epochs=1, verbose=0)
    model.save(os.path.join(folder, f"{backend}.keras"))
    np.save(os.path.join(folder, f"{backend}.npy"), model.predict(x, verbose=0))
else:
    for name in sorted(os.listdir(folder)):
        if name.endswith(".keras"):
            loaded = keras.models.load_model(os.path.join(folder, name), safe_mode=True)
            expected = np.load(os.path.join(folder, name.replace(".keras", ".npy")))
            np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-6)
            print(f"{name} loaded on {backend}")
'''


def test_a_model_saved_on_jax_loads_on_tensorflow(tmp_path):
    """A convnet trained and saved on JAX loads on TensorFlow with safe_mode=True and predicts what it predicted on
    JAX. The other way round is 05's on JAX below: the sample class's dense.keras and convnet.keras, saved on
    TensorFlow, are loaded and measured by test_saved_models."""
    script = tmp_path / "save_and_load.py"
    script.write_text(SAVE_AND_LOAD)
    (tmp_path / "models").mkdir()
    said = []
    for backend, step in (("jax", "save"), ("tensorflow", "load")):
        env = {"KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": "", "JAX_PLATFORMS": "cpu", "TF_CPP_MIN_LOG_LEVEL": "3",
               "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, str(script), str(tmp_path / "models"), step], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        said += done.stdout.split()
    assert " ".join(said) == "jax.keras loaded on tensorflow"


# ------------------------------------------------------------ assignment 05 on JAX
JAX_CLASS = ("ada_correct", "dan_one_hot_labels", "hal_evaluates_on_train")  # the reference and two typical mistakes


@pytest.fixture(scope="module")
def graded_on_jax(tmp_path_factory):
    if bwrap_path() is None:
        pytest.fail("needs bubblewrap: `make setup` installs it")
    tmp = tmp_path_factory.mktemp("jax05")
    expected = samples.build_class(KERAS.id, KERAS.notebook, tmp / "class")
    for name in set(expected) - set(JAX_CLASS):
        shutil.rmtree(tmp / "class" / name)
    run_cli("grade", KERAS.id, tmp / "class", "--out", tmp / "out", "--gradebook", tmp / "g.sqlite", "--jobs", "2",
            "--keras-backend", "jax", check_status=0)
    return {name: read_results(tmp / "out", name) for name in JAX_CLASS}, expected, tmp


def test_05_reference_scores_full_marks_on_jax(graded_on_jax):
    results, _, _ = graded_on_jax
    reference = results["ada_correct"]
    assert reference["score"] == reference["max_score"] > 0, [
        (t["name"], t["output"]) for t in reference["tests"] if t["status"] == "failed"]


def test_05_mistakes_lose_the_same_points_on_jax_as_on_tensorflow(graded_on_jax):
    """None of these mistakes is in Part C, so each loses what the sample class says (100 - its score on TF)."""
    results, expected, _ = graded_on_jax
    lost = {name: results[name]["max_score"] - results[name]["score"] for name in JAX_CLASS}
    assert lost == {name: 100 - expected[name].score for name in JAX_CLASS}


def test_05_part_c_tests_of_tensorflow_are_left_out_on_jax(graded_on_jax):
    results, _, _ = graded_on_jax
    message = not_run_on_backend(("tensorflow",), "jax")
    points = {test.name: test.max_score for test in suite_tests(hidden_suite(KERAS.id))}
    for name, data in results.items():
        skipped = {t["name"] for t in data["tests"] if t["status"] == "skipped"}
        assert skipped and all(n.startswith("test_scratch::") or n == "test_public::test_naive_dense_shapes"
                               for n in skipped), skipped
        assert all((t["score"], t["max_score"], t["output"]) == (0, 0, message)
                   for t in data["tests"] if t["name"] in skipped)
        assert data["max_score"] == 100 - sum(points[n] for n in skipped)
        assert "need another Keras backend and were not run, because this grading ran Keras on jax" in data["output"]
    # BatchGenerator is plain NumPy: Part C's tests of it are graded on every backend
    passed = {t["name"] for t in results["ada_correct"]["tests"] if t["status"] == "passed"}
    assert {"test_scratch::test_batch_generator_covers_the_data_in_order",
            "test_public::test_batch_generator_docstring_example"} <= passed


def test_05_results_and_gradebook_record_jax(graded_on_jax):
    results, _, tmp = graded_on_jax
    assert {data["kit"]["keras_backend"] for data in results.values()} == {"jax"}
    rows = sqlite3.connect(tmp / "g.sqlite").execute("SELECT DISTINCT keras_backend FROM submissions").fetchall()
    assert rows == [("jax",)]
