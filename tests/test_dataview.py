"""Test labels never enter the sandbox: the worker's datasets folder is a view of datasets/ without them."""
import json
import os

import numpy as np
import pytest

from autograder.course.config import load_course
from autograder.sandbox.dataview import worker_view
from autograder.sandbox.limits import bwrap_path
from conftest import ROOT, grade_folder, notebook, write_notebook

PROBE = ROOT / "tests" / "fixtures" / "probe_test_labels.py"

SNOOP = r'''
import os, sys
import numpy as np

def mnist_arrays():
    with np.load("../../datasets/mnist.npz") as data:
        return sorted(data.files)

def loaded_with_checksums():
    sys.path.insert(0, "../..")
    from datasets import load
    return sorted(load("mnist"))

def first_train_labels():
    with np.load("../../datasets/mnist.npz") as data:
        return data["y_train"][:100]

def readable(path):
    try:
        with open(path, "rb") as f:
            return len(f.read(10)) > 0
    except OSError:
        return False
'''


def test_view_drops_the_test_labels_and_keeps_the_rest(tmp_path):
    view = worker_view(ROOT / "datasets", tmp_path / "view")
    with np.load(view / "mnist.npz") as seen, np.load(ROOT / "datasets" / "mnist.npz") as real:
        assert sorted(seen.files) == ["x_test", "x_train", "y_train"]
        for key in seen.files:
            assert np.array_equal(seen[key], real[key])
    assert (view / "digits.npz").read_bytes() == (ROOT / "datasets" / "digits.npz").read_bytes()
    checksums = json.loads((view / "checksums.json").read_text())
    assert sorted(checksums["mnist"]["arrays"]) == ["x_test", "x_train", "y_train"]
    assert "y_test" in json.loads((ROOT / "datasets" / "checksums.json").read_text())["mnist"]["arrays"]


def test_view_is_reused_while_the_source_is_unchanged(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    np.savez(source / "mnist.npz", x_test=np.zeros(3), y_test=np.arange(3))
    view = worker_view(source, tmp_path / "view")
    made = (view / "mnist.npz").stat().st_mtime_ns
    assert worker_view(source, tmp_path / "view") == view and (view / "mnist.npz").stat().st_mtime_ns == made
    np.savez(source / "mnist.npz", x_test=np.ones(3), y_test=np.arange(3))
    with np.load(worker_view(source, tmp_path / "view") / "mnist.npz") as data:
        assert data.files == ["x_test"] and data["x_test"].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.skipif(bwrap_path() is None, reason="needs bubblewrap: `make setup` installs it")
def test_a_graded_notebook_cannot_read_the_test_labels(tmp_path):
    root, out = tmp_path / "submissions", tmp_path / "out"
    write_notebook(root / "snoop" / "bayes.ipynb", notebook(SNOOP))
    os.environ["AG_PROBE_REPO"] = str(ROOT)
    results = grade_folder(load_course().assignment("01_bayes"), PROBE, root, out)
    failed = {t.name: t.output for t in results[0].tests if t.status != "passed"}
    assert len(results[0].tests) == 4 and not failed, failed
