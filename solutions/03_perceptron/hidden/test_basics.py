"""Hidden tests, assignment 3, part 1-2: prediction with the bias folded in, one update step, input validation."""
import numpy as np
import pytest

from autograder import checks


def _pair(result, what):
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"{what} should return a tuple (w_new, mistake); got {checks.summary(result)}.")
    return result[0], result[1]


def _message(exc):
    return (getattr(exc, "message", None) or str(exc)).strip()


def _clear_value_error(call, *args, what, hint=None, **kwargs):
    exc = checks.raises("ValueError", call, *args, what=what, hint=hint, **kwargs)
    checks.true(len(_message(exc)) >= 10,
                f"{what}: the ValueError should say what is wrong (e.g. which labels or shapes were received); "
                f"its message is {_message(exc)!r}.")


@pytest.mark.points(1)
def test_add_bias_appends_ones_as_last_column(student):
    """Edge case / contract: the constant feature is the LAST column, so the bias is the last weight."""
    X = np.random.default_rng(30).normal(size=(5, 3))
    checks.close(student.add_bias(X), np.column_stack([X, np.ones(5)]), what="add_bias(X) for X of shape (5, 3)",
                 hint="keep the features in order and append one column of ones at the end")


@pytest.mark.points(2)
def test_predict_zero_score_is_zero(student):
    """Textbook convention: np.sign(0) = 0, so w = 0 predicts 0 everywhere and a point on the boundary gets 0."""
    X = np.random.default_rng(31).normal(size=(6, 3))
    checks.close(student.predict(np.zeros(4), X), np.zeros(6), what="predict with w = 0",
                 hint="use np.sign; a score of exactly 0 is neither class")
    checks.close(student.predict(np.array([1.0, -1.0, 0.0]), np.array([[2.0, 2.0], [3.0, 1.0]])), [0.0, 1.0],
                 what="predict on a point exactly on the boundary", hint="np.sign(0) = 0")


@pytest.mark.points(2)
def test_predict_random_with_bias(student):
    """Typical mistake: the bias taken as the first weight, or left out of the score."""
    rng = np.random.default_rng(32)
    X, w = rng.normal(size=(12, 3)), rng.normal(size=4)
    checks.close(student.predict(w, X), np.sign(X @ w[:3] + w[3]), what="predict(w, X) with bias=True",
                 hint="score = w[:d] . x + w[d] (the bias is the last entry)")


@pytest.mark.points(1)
def test_predict_without_bias(student):
    """Contract: bias=False uses the raw features only (needed for the XOR trace)."""
    rng = np.random.default_rng(33)
    X, w = rng.normal(size=(8, 3)), rng.normal(size=3)
    checks.close(student.predict(w, X, bias=False), np.sign(X @ w), what="predict(w, X, bias=False)")


@pytest.mark.points(1)
def test_predict_rejects_wrong_weight_length(student):
    """Input validation: w must have d + 1 entries when bias=True."""
    X = np.random.default_rng(34).normal(size=(4, 3))
    _clear_value_error(student.predict, np.ones(3), X, what="predict with 3 weights for 3 features and bias=True",
                       hint="with the bias, w needs one more entry than X has columns")


@pytest.mark.points(2)
def test_update_on_wrong_side(student):
    """Typical mistake: the sign of the update flipped (w - alpha*y*x)."""
    w_new, mistake = _pair(student.perceptron_update(np.array([1.0, 2.0, -1.0]), np.array([1.0, 1.0, 1.0]), -1,
                                                     alpha=0.5), what="perceptron_update")
    checks.close(w_new, [0.5, 1.5, -1.5], what="perceptron_update on a misclassified example (margin -2)",
                 hint="move towards the correct side: add alpha * y * x")
    checks.true(bool(mistake), "perceptron_update should report a mistake when the margin is negative.")


@pytest.mark.points(2)
def test_update_on_boundary(student):
    """Typical mistake: testing y*(w.x) < 0 instead of <= 0, which never leaves w = 0."""
    w_new, mistake = _pair(student.perceptron_update(np.array([1.0, -1.0, 0.0]), np.array([2.0, 2.0, 1.0]), 1),
                           what="perceptron_update")
    checks.close(w_new, [3.0, 1.0, 1.0], what="perceptron_update on an example exactly on the boundary",
                 hint="a margin of exactly 0 is a mistake")
    checks.true(bool(mistake), "an example with margin 0 is a mistake.")
    w_new, mistake = _pair(student.perceptron_update(np.zeros(2), np.array([0.5, -1.5]), 1), what="perceptron_update")
    checks.close(w_new, [0.5, -1.5], what="perceptron_update from w = 0", hint="at w = 0 every margin is 0")


@pytest.mark.points(2)
def test_update_leaves_correct_examples_alone(student):
    """Typical mistake: updating on every example instead of on mistakes only."""
    w = np.array([1.0, 2.0, -1.0])
    w_new, mistake = _pair(student.perceptron_update(w, np.array([1.0, 1.0, 1.0]), 1, alpha=0.5),
                           what="perceptron_update")
    checks.close(w_new, w, what="perceptron_update on a correctly classified example (margin 2)",
                 hint="Rosenblatt's rule changes w only on mistakes")
    checks.true(not bool(mistake), "a correctly classified example (margin > 0) is not a mistake.")
    w_new, _ = _pair(student.perceptron_update(w, np.array([-1.0, 0.0, 3.0]), -1), what="perceptron_update")
    checks.close(w_new, w, what="perceptron_update on a correct example with y = -1 (margin 4)")


@pytest.mark.points(1)
def test_update_learning_rate(student):
    """Textbook: the step is alpha * y * x."""
    w_new, _ = _pair(student.perceptron_update(np.array([0.2, -0.1]), np.array([-3.0, 4.0]), 1, alpha=0.01),
                     what="perceptron_update")
    checks.close(w_new, [0.17, -0.06], what="perceptron_update with alpha = 0.01 (margin -1)")


@pytest.mark.points(2)
def test_fit_rejects_01_labels(student):
    """Input validation: labels 0/1 (a common slip) must raise a clear ValueError, not train on nonsense."""
    rng = np.random.default_rng(35)
    X = rng.normal(size=(10, 2))
    y01 = (X[:, 0] > 0).astype(int)
    _clear_value_error(student.perceptron_fit, X, y01, what="perceptron_fit with labels 0/1",
                       hint="validate the data with check_data first")


@pytest.mark.points(1)
def test_check_data_rejects_other_labels(student):
    """Input validation: any label other than -1/+1 (2, 0.5) is an error."""
    X = np.random.default_rng(36).normal(size=(4, 2))
    _clear_value_error(student.check_data, X, np.array([1, -1, 2, 1]), what="check_data with a label 2")
    _clear_value_error(student.check_data, X, np.array([1.0, -1.0, 0.5, 1.0]), what="check_data with a label 0.5")


@pytest.mark.points(1)
def test_fit_rejects_length_mismatch(student):
    """Input validation: X and y with different numbers of rows."""
    X = np.random.default_rng(37).normal(size=(5, 2))
    _clear_value_error(student.perceptron_fit, X, np.array([1, -1, 1, -1]),
                       what="perceptron_fit with 5 rows of X and 4 labels")


@pytest.mark.points(1)
def test_check_data_rejects_1d_X(student):
    """Input validation: X must be 2-D (n, d); a 1-D vector is ambiguous."""
    _clear_value_error(student.check_data, np.array([0.5, 1.0, 2.0]), np.array([1, -1, 1]),
                       what="check_data with a 1-D X")


@pytest.mark.points(1)
def test_check_data_accepts_int_labels(student):
    """Edge case: integer labels -1/+1 and integer features are valid and come back as float arrays."""
    result = student.check_data(np.array([[1, 2], [3, 4], [5, 6]]), np.array([1, -1, 1]))
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"check_data should return a tuple (X, y); got {checks.summary(result)}.")
    checks.close(result[0], [[1, 2], [3, 4], [5, 6]], what="check_data(...)[0]")
    checks.close(result[1], [1, -1, 1], what="check_data(...)[1]")
