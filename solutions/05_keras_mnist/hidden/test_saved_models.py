"""Hidden tests: the trained models submitted with the notebook, dense.keras and convnet.keras.

The grader checks each file's size from outside the sandbox, then the worker loads it with Keras' safe mode
(safe_mode=True: no Lambda layers or other arbitrary code), the grader sends the 10,000 test images, and
computes the accuracy of the returned predictions here. The student's own code is not involved: a correct
model trained with any code passes.
"""
import sys
from pathlib import Path

import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from keras05_grading import MAX_MODEL_MB, mnist, model_accuracy  # noqa: E402


def _loaded(student, submitted_files, name, what):
    path = submitted_files / name
    if not path.is_file() or path.is_symlink():
        checks.fail(f"{name} was not submitted: run the cell that trains {what} (it saves {name} next to the "
                    f"notebook) and submit {name} together with the notebook.")
    size_mb = path.stat().st_size / 2 ** 20
    if size_mb > MAX_MODEL_MB:
        checks.fail(f"{name} is {size_mb:.1f} MB, over the limit of {MAX_MODEL_MB} MB for a submitted model; it "
                    f"was not loaded. Save the model trained in the notebook with model.save({name!r}).")
    return student.keras.value.models.load_model(name, safe_mode=True)


def _check_file(student, submitted_files, name, what, target, input_shape, params):
    model = _loaded(student, submitted_files, name, what)
    got_shape, got_params = model.input_shape, int(model.count_params())
    checks.true(got_shape == input_shape and got_params == params,
                f"{name} is not {what}: its input shape is {got_shape!r} and it has {got_params:,} parameters.",
                hint=f"save {what} under {name}, and the other model under its own name")
    accuracy = model_accuracy(student, model, mnist()["x_test"], mnist()["y_test"], name)
    checks.true(accuracy >= target, f"{name} classifies {accuracy:.4f} of the 10,000 test images correctly; at "
                f"least {target} was expected.", hint=f"train {what} as in the notebook and save it again")


@pytest.mark.points(7)
def test_dense_model_file(student, submitted_files):
    """dense.keras, Chollet's network after training (input (784,), 407,050 parameters, as the notebook builds it):
    at least 97.5 % on the test set (Chollet: 97.8 %). Typical mistake: the convnet saved under both names."""
    _check_file(student, submitted_files, "dense.keras", "the dense network (Part B)", 0.975, (None, 784), 407_050)


@pytest.mark.points(7)
def test_convnet_model_file(student, submitted_files):
    """convnet.keras, the small convnet after training (input (28, 28, 1), 104,202 parameters): at least 99 % on
    the test set (Chollet: 99.1 %)."""
    _check_file(student, submitted_files, "convnet.keras", "the convnet (Part D)", 0.99, (None, 28, 28, 1), 104_202)
