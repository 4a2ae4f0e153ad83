"""Reference values stored once per suite version (autograder/references.py), and 02's Keras cross-check computed
live from Keras with nothing stored, graded through the real sandbox."""
import numpy as np

from autograder import pipeline, references
from autograder.authoring import samples
from autograder.course.config import load_course
from autograder.grading.suite import Suite
from conftest import ROOT

KERAS_SUITE = ROOT / "solutions" / "02_gradient_descent" / "hidden" / "test_keras.py"


def test_a_value_is_computed_once_per_version_of_its_files(tmp_path, monkeypatch):
    monkeypatch.setenv(references.ENV_FOLDER, str(tmp_path / "store"))
    source = tmp_path / "suite.py"
    source.write_text("one version")
    computed = []

    def compute():
        computed.append(1)
        return {"path": [np.array([0.1, 1 / 3]), np.array(7, dtype=np.int64)], "lr": 0.1}

    first = references.cached("trajectory (lr=0.1)", compute, [source], ["numpy"])
    again = references.cached("trajectory (lr=0.1)", compute, [source], ["numpy"])
    assert len(computed) == 1 and again["lr"] == 0.1
    assert [a.tobytes() for a in again["path"]] == [a.tobytes() for a in first["path"]]  # bit for bit
    source.write_text("another version")
    references.cached("trajectory (lr=0.1)", compute, [source], ["numpy"])
    assert len(computed) == 2
    assert references.key([source], ["numpy"]) != references.key([source], ["numpy", "pytest"])


def test_a_damaged_store_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv(references.ENV_FOLDER, str(tmp_path))
    source = tmp_path / "suite.py"
    source.write_text("x")
    references.cached("v", lambda: [1.0], [source])
    [stored] = tmp_path.glob("v-*.msg")
    whole = stored.read_bytes()
    for damaged, value in ((b"{not a message", [2.0]), (whole[:-3], [3.0]), (whole[:8] + b"[" + whole[9:], [4.0])):
        stored.write_bytes(damaged)  # not framed, cut short, not JSON
        assert references.cached("v", lambda: value, [source]) == value


def test_an_unwritable_store_still_gives_the_value(tmp_path, monkeypatch):
    """A kit on a read-only file system (or a full disk): each value is computed, right, and not kept."""
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv(references.ENV_FOLDER, str(tmp_path / "file" / "store"))
    source = tmp_path / "suite.py"
    source.write_text("x")
    assert references.cached("v", lambda: [1.5], [source]) == [1.5]
    assert references.cached("v", lambda: [2.5], [source]) == [2.5]  # nothing was kept


def test_keras_cross_check_computed_live_grades_the_reference_and_a_mistake(tmp_path, monkeypatch):
    """Nothing stored: the grader process imports Keras and computes every value itself (what a fresh clone does)."""
    monkeypatch.setenv(references.ENV_FOLDER, str(tmp_path / "empty"))
    assignment = load_course().assignment("02_gradient_descent")
    expected = samples.build_class(assignment.id, assignment.notebook, tmp_path / "samples")
    root = tmp_path / "class"
    root.mkdir()
    for name in ("ada_correct", "dee_adam_no_bias_correction"):
        assert name in expected
        (tmp_path / "samples" / name).rename(root / name)
    outcome = pipeline.grade(pipeline.Request(assignment, Suite(assignment.id, (KERAS_SUITE,)), root, tmp_path / "out"))
    scores = {r.student: (r.score, r.max_score) for r in outcome.results}
    assert scores["ada_correct"][0] == scores["ada_correct"][1] > 0
    assert scores["dee_adam_no_bias_correction"][0] < scores["dee_adam_no_bias_correction"][1]
    assert len(list((tmp_path / "empty").glob("02-keras-*.msg"))) == 10  # six optimizers, four schedules
