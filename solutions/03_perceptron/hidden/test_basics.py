"""Hidden tests, assignment 3, part 1-2: prediction with the bias folded in, one update step, input validation.

Every test that expects an error first checks that the same function answers a valid input correctly: a
function that raises on everything earns nothing here."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_probe import call_held  # noqa: E402


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
    return exc


def _kind(value):
    return f"an array of dtype {value.dtype}" if isinstance(value, np.ndarray) else \
        f"{checks.summary(value)} (of type {type(value).__name__})"


def _float64(value, what, hint=None):
    checks.true(isinstance(value, np.ndarray) and value.dtype == np.float64,
                f"{what} should be a float64 numpy array; got {_kind(value)}.", hint)
    return value


def _is_bool(value):
    return isinstance(value, (bool, np.bool_))


def _check_data_answers(student):
    """One valid call of check_data, answered correctly (before a test expects it to raise)."""
    X, y = np.array([[0.5, -1.0], [2.0, 3.0], [1.0, 0.0]]), np.array([1.0, -1.0, -1.0])
    result = student.check_data(X, y)
    checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                f"check_data on a valid training set should return a tuple (X, y); got {checks.summary(result)}.")
    checks.close(result[0], X, what="check_data(X, y)[0] on a valid training set")
    checks.close(result[1], y, what="check_data(X, y)[1] on a valid training set")


# ----------------------------------------------------------------------------------------------- add_bias, predict
@pytest.mark.points(0.5)
def test_add_bias_appends_ones_as_last_column(student):
    """Contract: the constant feature is the LAST column, so the bias is the last weight."""
    X = np.random.default_rng(30).normal(size=(5, 3))
    checks.close(student.add_bias(X), np.column_stack([X, np.ones(5)]), what="add_bias(X) for X of shape (5, 3)",
                 hint="keep the features in order and append one column of ones at the end")


@pytest.mark.points(0.5)
def test_add_bias_returns_float64(student):
    """Contract: "any real dtype" in, a float64 array out. Typical slip: np.pad, or a column of ones in X's own dtype,
    keeps an integer (or float32) X in its dtype."""
    for other in (np.arange(6).reshape(3, 2), np.array([[0.25, -1.5]], dtype=np.float32)):
        got = student.add_bias(other)
        _float64(got, f"add_bias of an array of dtype {other.dtype}",
                 hint="convert X with np.asarray(X, dtype=float) before appending the column")
        checks.close(got, np.column_stack([other, np.ones(len(other))]),
                     what=f"add_bias of an array of dtype {other.dtype}")


@pytest.mark.points(1.5)
@pytest.mark.hint("np.sign(0) is 0: a point exactly on the boundary is predicted 0, which is neither class.")
def test_predict_zero_score_is_zero(student):
    """Textbook convention: np.sign(0) = 0, so w = 0 predicts 0 everywhere and a point on the boundary gets 0."""
    X = np.random.default_rng(31).normal(size=(6, 3))
    checks.close(student.predict(np.zeros(4), X), np.zeros(6), what="predict with w = 0",
                 hint="use np.sign; a score of exactly 0 is neither class")
    checks.close(student.predict(np.array([1.0, -1.0, 0.0]), np.array([[2.0, 2.0], [3.0, 1.0]])), [0.0, 1.0],
                 what="predict on a point exactly on the boundary", hint="np.sign(0) = 0")


@pytest.mark.points(1.5)
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


@pytest.mark.points(0.5)
def test_predict_returns_float64(student):
    """Contract: the output is a float64 array with values in {-1., 0., +1.}, also for integer inputs (typical
    slips: np.where(s > 0, 1, ...) gives integers; np.sign of an integer score stays integer)."""
    X_int, w_int = np.array([[1, 2, 5], [3, 1, -4], [0, 3, 1]]), np.array([2, -1, 1])
    got = student.predict(w_int, X_int, bias=False)
    _float64(got, "predict(w, X, bias=False) for integer w and X",
             hint="the docstring asks for a float64 array of -1., 0. and +1.; np.sign of a float score gives one")
    checks.close(got, np.sign(X_int @ w_int), what="predict(w, X, bias=False) for integer w and X")


@pytest.mark.points(1)
@pytest.mark.hint("Compare len(w) with the number of columns after adding the bias column (if bias=True), and name "
                  "the length you expected in the error message.")
def test_predict_rejects_wrong_weight_length(student):
    """Input validation: w must have d + 1 entries when bias=True and d when bias=False; the ValueError says which
    length was expected (the docstring's own words). Checked after a valid call, so that raising on everything
    earns nothing."""
    X = np.random.default_rng(34).normal(size=(4, 5))
    w = np.random.default_rng(35).normal(size=6)
    checks.close(student.predict(w, X), np.sign(X @ w[:5] + w[5]), what="predict(w, X) with 6 weights for 5 features")
    exc = _clear_value_error(student.predict, np.ones(4), X, what="predict with 4 weights for 5 features and bias=True",
                             hint="with the bias, w needs one more entry than X has columns")
    checks.true("6" in _message(exc), f"predict with 4 weights for 5 features and bias=True: the ValueError should "
                f"say which length of w was expected (a number); its message is {_message(exc)!r}.")
    checks.raises("ValueError", student.predict, np.ones(6), X, bias=False,
                  what="predict with 6 weights for 5 features and bias=False",
                  hint="without the bias, w has exactly one entry per column of X")


@pytest.mark.points(0.5)
def test_predict_rejects_1d_X(student):
    """Input validation: predict raises ValueError if X is not 2-D. Typical slip: np.column_stack turns a 1-D X of
    n numbers into n examples of one feature and predicts silently. Checked after a valid call."""
    checks.close(student.predict(np.array([1.0, -1.0]), np.array([[2.0], [0.5], [3.0]])), [1.0, -1.0, 1.0],
                 what="predict([1, -1], X) for X of shape (3, 1)")
    checks.raises("ValueError", student.predict, np.ones(2), np.array([0.5, 1.0, 2.0]),
                  what="predict with a 1-D X of shape (3,)", hint="check X.ndim before adding the bias column")


# ------------------------------------------------------------------------------------------------------ check_data
@pytest.mark.points(1)
def test_check_data_rejects_other_labels(student):
    """Input validation: any label other than -1/+1 (2, 0.5) is an error; checked after a valid call."""
    _check_data_answers(student)
    X = np.random.default_rng(36).normal(size=(4, 2))
    _clear_value_error(student.check_data, X, np.array([1, -1, 2, 1]), what="check_data with a label 2")
    _clear_value_error(student.check_data, X, np.array([1.0, -1.0, 0.5, 1.0]), what="check_data with a label 0.5")


@pytest.mark.points(1)
@pytest.mark.hint("check_data raises a ValueError when X is not 2-D, when y is not 1-D, and when they have different "
                  "numbers of rows.")
def test_check_data_rejects_bad_shapes(student):
    """Input validation (each clause of the docstring): X not 2-D (a 1-D vector is ambiguous), y not 1-D (a column
    of shape (n, 1)), X and y with different numbers of rows; each a ValueError that says what is wrong. Checked
    after a valid call."""
    _check_data_answers(student)
    g = np.random.default_rng(37)
    _clear_value_error(student.check_data, np.array([0.5, 1.0, 2.0]), np.array([1, -1, 1]),
                       what="check_data with a 1-D X")
    _clear_value_error(student.check_data, g.normal(size=(3, 2)), np.array([[1.0], [-1.0], [1.0]]),
                       what="check_data with y of shape (3, 1)", hint="y must be 1-D; do not flatten it silently")
    _clear_value_error(student.check_data, g.normal(size=(5, 2)), np.array([1, -1, 1, -1]),
                       what="check_data with 5 rows of X and 4 labels")


@pytest.mark.points(0.5)
def test_check_data_rejects_empty(student):
    """Input validation: a training set with no examples (n = 0) is an error, not an empty run. Checked after a
    valid call."""
    _check_data_answers(student)
    _clear_value_error(student.check_data, np.zeros((0, 2)), np.zeros(0), what="check_data with 0 examples",
                       hint="n >= 1: raise a ValueError when there are no examples")


@pytest.mark.points(0.5)
@pytest.mark.hint("check_data takes array-likes (lists too) and returns float64 arrays; np.asarray(..., dtype=float) "
                  "does both.")
def test_check_data_returns_float_arrays(student):
    """Contract: integer labels -1/+1 and integer features are valid and come back as float64 arrays; so do Python
    lists (array-like, as in the docstring's example and the notebook's check)."""
    for X, y, kind in (([[1, 2], [3, 4], [5, 6]], [1, -1, 1], "lists"),
                       (np.array([[1, 2], [3, 4], [5, 6]]), np.array([1, -1, 1]), "integer arrays")):
        result = student.check_data(X, y)
        checks.true(isinstance(result, (tuple, list)) and len(result) == 2,
                    f"check_data should return a tuple (X, y); got {checks.summary(result)}.")
        _float64(result[0], f"check_data(X, y)[0] for {kind}")
        _float64(result[1], f"check_data(X, y)[1] for {kind}")
        checks.close(result[0], np.array(X, dtype=float), what=f"check_data(X, y)[0] for {kind}")
        checks.close(result[1], np.array(y, dtype=float), what=f"check_data(X, y)[1] for {kind}")


# ----------------------------------------------------------------------------------------------- perceptron_update
@pytest.mark.points(1.5)
def test_update_on_wrong_side(student):
    """Typical mistake: the sign of the update flipped (w - alpha*y*x)."""
    w_new, mistake = _pair(student.perceptron_update(np.array([1.0, 2.0, -1.0]), np.array([1.0, 1.0, 1.0]), -1,
                                                     alpha=0.5), what="perceptron_update")
    checks.close(w_new, [0.5, 1.5, -1.5], what="perceptron_update on a misclassified example (margin -2)",
                 hint="move towards the correct side: add alpha * y * x")
    checks.true(bool(mistake), "perceptron_update should report a mistake when the margin is negative.")


@pytest.mark.points(2)
@pytest.mark.hint("A margin of exactly 0 is a mistake: the test is y * (w . x) <= 0.")
def test_update_on_boundary(student):
    """Typical mistake: testing y*(w.x) < 0 instead of <= 0, which never leaves w = 0."""
    w_new, mistake = _pair(student.perceptron_update(np.array([1.0, -1.0, 0.0]), np.array([2.0, 2.0, 1.0]), 1),
                           what="perceptron_update")
    checks.close(w_new, [3.0, 1.0, 1.0], what="perceptron_update on an example exactly on the boundary",
                 hint="a margin of exactly 0 is a mistake")
    checks.true(bool(mistake), "an example with margin 0 is a mistake.")
    w_new, mistake = _pair(student.perceptron_update(np.zeros(2), np.array([0.5, -1.5]), 1), what="perceptron_update")
    checks.close(w_new, [0.5, -1.5], what="perceptron_update from w = 0", hint="at w = 0 every margin is 0")


@pytest.mark.points(1.5)
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


@pytest.mark.points(1)
@pytest.mark.hint("Build the result as a new array (w + alpha * y * x, or w.copy()); `w += ...` changes the caller's "
                  "array, and returning w itself hands the caller's array back.")
def test_update_returns_new_array(student):
    """Contract (docstring and the notebook's check): w_new is a NEW float64 array, w is not modified in place, and
    mistake is a bool. The grader keeps w in your notebook during the call and looks at it afterwards. Typical
    slips: `w += alpha * y * x` on the array it was given; `return w, False` without a copy."""
    w = np.array([0.5, -1.0, 2.0])
    cases = [(np.array([1.0, 1.0, -1.0]), "a mistake (margin -2.5)"), (np.array([1.0, -1.0, 1.0]),
                                                                        "a correct example (margin 3.5)")]
    for x, case in cases:
        w_new, mistake = _pair(student.perceptron_update(w, x, 1, 0.5), what="perceptron_update")
        _float64(w_new, f"w_new from perceptron_update on {case}")
        checks.true(_is_bool(mistake), f"perceptron_update on {case}: mistake should be a bool (True or False); "
                    f"got {_kind(mistake)}.")
    held = call_held(student, "perceptron_update", [(w.copy(), x, 1, 0.5) for x, _ in cases], nout=2)
    for one, (_, case) in zip(held, cases):
        checks.true(np.array_equal(one.after[0], w), f"perceptron_update on {case} changed the array w it was "
                    "given; it must leave w as it is and return a new array.")
        checks.true(not one.aliased, f"perceptron_update on {case} returned the array w it was given (or a view "
                    "of it) instead of a new array.")


# ------------------------------------------------------------------------------------- perceptron_fit's validation
def _fit_answers(student):
    """One valid call of perceptron_fit, answered correctly (before a test expects it to raise): the docstring's
    example, which the notebook's check of part 4 asserts too."""
    run = student.perceptron_fit(np.array([[1.0, 2.0]]), np.array([1]), shuffle=False)
    checks.true(isinstance(run, dict) and {"w", "mistakes"} <= set(run),
                f"perceptron_fit should return a dict with the keys 'w', 'mistakes' and 'converged'; "
                f"got {checks.summary(run)}.")
    checks.close(run["w"], [1.0, 2.0, 1.0], what="perceptron_fit on the docstring's example: w")
    checks.close(run["mistakes"], [1, 0], what="perceptron_fit on the docstring's example: mistakes per epoch")


@pytest.mark.points(2)
@pytest.mark.hint("perceptron_fit starts with X, y = check_data(X, y), so bad data fail loudly before training.")
def test_fit_rejects_01_labels(student):
    """Input validation: labels 0/1 (a common slip) and X, y of different lengths must raise a clear ValueError, not
    train on nonsense (perceptron_fit validates with check_data). Checked after a valid call."""
    _fit_answers(student)
    rng = np.random.default_rng(35)
    X = rng.normal(size=(10, 2))
    y01 = (X[:, 0] > 0).astype(int)
    _clear_value_error(student.perceptron_fit, X, y01, what="perceptron_fit with labels 0/1",
                       hint="validate the data with check_data first")
    _clear_value_error(student.perceptron_fit, X[:5], np.array([1, -1, 1, -1]),
                       what="perceptron_fit with 5 rows of X and 4 labels")


@pytest.mark.points(1.5)
@pytest.mark.hint("Check the arguments before training: loss must be 'perceptron' or 'hinge', alpha > 0 and "
                  "epochs >= 1; raise a ValueError otherwise.")
def test_fit_rejects_bad_arguments(student):
    """Docstring: perceptron_fit raises ValueError for an unknown loss, alpha <= 0 (alpha = 0 would never move
    w) or epochs < 1, and epochs = 1 is valid. Typical slips: any loss other than "perceptron" silently taken as
    hinge; no check at all; `epochs < 2`. Checked after a valid call."""
    _fit_answers(student)
    X, y = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -2.0]]), np.array([1, -1, -1])
    run = student.perceptron_fit(X, y, epochs=1, rng=0)
    checks.true(isinstance(run, dict) and "mistakes" in run,
                "perceptron_fit should return a dict with the key 'mistakes'.")
    checks.equal(len(run["mistakes"]), 1, what="the number of epochs run by perceptron_fit with epochs=1 (valid: "
                 "epochs >= 1)", hint="epochs=1 is allowed: one epoch, then stop")
    for kwargs, what in (({"loss": "squared"}, "loss='squared'"), ({"alpha": 0.0}, "alpha=0"),
                         ({"alpha": -1.0}, "alpha=-1"), ({"epochs": 0}, "epochs=0")):
        call = {"epochs": 5, "rng": 0, **kwargs}
        checks.raises("ValueError", student.perceptron_fit, X, y, what=f"perceptron_fit with {what}", **call)
