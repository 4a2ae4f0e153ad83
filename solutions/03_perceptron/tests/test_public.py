"""Public tests for assignment 3 (the perceptron). Run them with
    python -m autograder check 03_perceptron <your notebook>
The hidden tests check the same functions on other inputs and edge cases."""
import numpy as np
import pytest

from autograder import checks

pytestmark = pytest.mark.visible

XOR_X = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
XOR_Y = np.array([1.0, 1.0, -1.0, -1.0])


@pytest.mark.points(2)
@pytest.mark.hint("Where does your bias go: first or last column? And what does np.sign give for a score of exactly "
                  "0?")
def test_predict_sign_convention(student):
    X = np.array([[2.0, 1.0], [0.0, 1.0], [0.0, 0.5]])
    checks.close(student.predict(np.array([1.0, -1.0, 0.5]), X), [1.0, -1.0, 0.0],
                 what="predict([1, -1, 0.5], X) (scores 1.5, -0.5, 0)",
                 hint="append the constant feature 1 as the last column, then take np.sign; np.sign(0) = 0")
    checks.close(student.predict(np.zeros(3), X), np.zeros(3), what="predict with w = 0",
                 hint="with w = 0 every point is on the boundary, so every prediction is 0")


@pytest.mark.points(2)
@pytest.mark.hint("Is a margin of exactly 0 a mistake? Re-read the update rule in the notebook.")
def test_update_from_zero_weights(student):
    result = student.perceptron_update(np.zeros(3), np.array([1.0, -2.0, 1.0]), -1, 0.5)
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"perceptron_update should return a tuple (w_new, mistake); got {checks.summary(result)}.")
    w_new, mistake = result
    checks.close(w_new, [-0.5, 1.0, -0.5], what="perceptron_update(w=0, x=[1,-2,1], y=-1, alpha=0.5)",
                 hint="at w = 0 the margin y*(w.x) is 0, and a margin <= 0 is a mistake: w + alpha*y*x")
    checks.true(bool(mistake), "perceptron_update at w = 0 should report a mistake (the margin 0 is <= 0).")


@pytest.mark.points(2)
@pytest.mark.hint("Work the first two examples by hand from w = 0 and compare with your trace, row by row.")
def test_xor_trace_first_epoch(student):
    trace = student.fixed_order_trace(XOR_X, XOR_Y, 1.0, 20, "error")
    checks.true(isinstance(trace, dict) and "weights" in trace,
                "fixed_order_trace should return a dict with the key 'weights'.")
    weights = checks.numbers(trace["weights"], what="fixed_order_trace(...)['weights']")
    checks.true(weights.ndim == 2 and weights.shape[0] >= 4 and weights.shape[1] == 2,
                f"'weights' should have one row of 2 weights per example visited; got shape {weights.shape}.")
    checks.close(weights[:4], [[-1, -1], [1, 1], [0, 2], [2, 0]],
                 what="the first epoch of Aggarwal's XOR trace",
                 hint="w + alpha*(y - np.sign(w.x))*x from w = 0, visiting the points in the given order")


@pytest.mark.points(2)
@pytest.mark.hint("Training on separable data must end with an epoch without mistakes; print the mistakes per epoch "
                  "to see where it stops.")
def test_fit_small_separable(student):
    X = np.array([[2.0, 1.0], [1.5, 2.0], [-1.0, -0.5], [-2.0, 0.5], [0.5, 2.5], [-0.5, -2.0]])
    y = np.array([1, 1, -1, -1, 1, -1])
    run = student.perceptron_fit(X, y, 1.0, 100, 0)
    checks.true(isinstance(run, dict) and {"w", "mistakes", "converged"} <= set(run),
                "perceptron_fit should return a dict with the keys 'w', 'mistakes' and 'converged'.")
    w = checks.shape(run["w"], (3,), what="perceptron_fit(...)['w'] (2 features + bias)")
    mistakes = checks.numbers(run["mistakes"], what="perceptron_fit(...)['mistakes']")
    shown = [int(m) for m in mistakes[:8]] + (["..."] if mistakes.size > 8 else [])
    checks.true(bool(run["converged"]) and mistakes.size > 0 and mistakes[-1] == 0,
                f"separable data: training should end with a clean epoch; it ran {mistakes.size} epochs with "
                f"mistakes {shown}, the last epoch with {int(mistakes[-1]) if mistakes.size else None}.")
    margins = y * (np.column_stack([X, np.ones(len(X))]) @ w)
    checks.true(np.all(margins > 0), "after training, every training point should be classified correctly.",
                hint="the bias is the LAST weight; a point counts as correct only if y*(w.z) > 0")


@pytest.mark.points(1)
@pytest.mark.hint("The perceptron uses labels -1 and +1; what should happen when it gets other labels?")
def test_check_data_rejects_01_labels(student):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    result = student.check_data(X, np.array([1, -1, 1]))
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"check_data should return a tuple (X, y); got {checks.summary(result)}.")
    checks.close(result[1], [1.0, -1.0, 1.0], what="check_data(X, [1, -1, 1])[1] (valid labels)",
                 hint="valid data come back as float arrays; only invalid data raise")
    checks.raises("ValueError", student.check_data, X, np.array([1, 0, 1]),
                  what="check_data with labels 0/1", hint="labels must be -1 or +1")


@pytest.mark.points(1)
@pytest.mark.hint("Which index is the true class and which the prediction? Check a 2-class example by hand.")
def test_confusion_matrix_small(student):
    checks.close(student.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 0, 1, 2]), 3),
                 [[1, 0, 0], [1, 1, 0], [0, 0, 1]], what="confusion_matrix([0,1,1,2], [0,0,1,2], 3)",
                 hint="C[i, j] counts examples of true class i predicted as j")
