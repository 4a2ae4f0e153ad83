"""Hidden tests, assignment 3, part 6: the XOR trace (Aggarwal ex. 4), cycle detection, and the two fixes."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perceptron03_data import reference_trace  # noqa: E402
from perceptron03_probe import call_held  # noqa: E402

XOR_X = np.array([[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]])
XOR_Y = np.array([1.0, 1.0, -1.0, -1.0])
TRACE_KEYS = ["weights", "mistakes", "converged", "cycle_start", "cycle_length"]


def _trace(result, what="fixed_order_trace(...)"):
    checks.true(isinstance(result, dict) and set(TRACE_KEYS) <= set(result),
                f"{what} should return a dict with the keys {TRACE_KEYS}; got {checks.summary(result)}.")
    return result


def _int_or_none(value, what):
    if value is None:
        return None
    return int(checks.numbers(value, what=what))


@pytest.mark.points(1.5)
def test_error_update_three_cases(student):
    """Textbook (Aggarwal's error form with np.sign(0) = 0): E = y on the boundary, 2y on the wrong side, 0 if right."""
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 2.0]), -1, alpha=0.5), [0.0, -2.0],
                 what="error_update on the boundary (w.x = 0, y = -1, alpha = 0.5)",
                 hint="np.sign(0) = 0, so the error y - sign(w.x) is y")
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 1.0]), -1, alpha=0.5), [-1.0, -2.0],
                 what="error_update on the wrong side (w.x = 1, y = -1, alpha = 0.5)", hint="the error is 2y here")
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 1.0]), 1, alpha=0.5), [1.0, -1.0],
                 what="error_update on a correct example")


@pytest.mark.points(2)
def test_xor_textbook_trace(student):
    """Textbook value (Aggarwal ex. 4, checked numerically): from w = 0, alpha = 1, no bias, in the given order,
    w goes (-1,-1) -> (1,1) -> (0,2) -> (2,0), then (0,-2) -> (2,0) -> (0,2) -> (2,0)."""
    trace = _trace(student.fixed_order_trace(XOR_X, XOR_Y, alpha=1.0, max_epochs=20, rule="error"))
    weights = checks.numbers(trace["weights"], what="fixed_order_trace(...)['weights']")
    checks.true(weights.ndim == 2 and weights.shape[0] >= 8 and weights.shape[1] == 2,
                f"'weights' should have one row of 2 weights per example visited, at least two epochs of XOR; "
                f"got shape {weights.shape}.")
    checks.close(weights[:8], [[-1, -1], [1, 1], [0, 2], [2, 0], [0, -2], [2, 0], [0, 2], [2, 0]],
                 what="the first two epochs of the XOR trace",
                 hint="w + alpha*(y - np.sign(w.x))*x, recording w after every example")


@pytest.mark.points(1.5)
def test_xor_cycle_detected(student):
    """Textbook: the XOR weights cycle forever. The end-of-epoch weights (2,0) repeat after epoch 2, so the
    cycle starts at epoch 1 and has length 1; the run stops there."""
    trace = _trace(student.fixed_order_trace(XOR_X, XOR_Y, alpha=1.0, max_epochs=20, rule="error"))
    got = (_int_or_none(trace["cycle_start"], "cycle_start"), _int_or_none(trace["cycle_length"], "cycle_length"))
    checks.equal(got, (1, 1), what="(cycle_start, cycle_length) for XOR",
                 hint="compare the weights at the end of each epoch with those at the end of earlier epochs "
                      "(the start, w = 0, is the end of epoch 0)")
    checks.true(not bool(trace["converged"]), "XOR does not converge: 'converged' should be False.")
    checks.equal([int(m) for m in checks.numbers(trace["mistakes"], what="mistakes").ravel()], [4, 4],
                 what="mistakes per epoch until the cycle is detected")
    checks.shape(trace["weights"], (8, 2), what="'weights' when the run stops at the detected cycle")


@pytest.mark.points(1)
def test_rosenblatt_xor_cycles_back_to_zero(student):
    """Checked numerically: with Rosenblatt's rule the XOR weights go (-1,-1) -> (0,0) -> (-1,1) -> (0,0); the end of
    epoch 1 equals the start, so the cycle starts at epoch 0 and has length 1."""
    trace = _trace(student.fixed_order_trace(XOR_X, XOR_Y, alpha=1.0, max_epochs=20, rule="rosenblatt"))
    checks.close(trace["weights"], [[-1, -1], [0, 0], [-1, 1], [0, 0]], what="the XOR trace with rule='rosenblatt'",
                 hint="use perceptron_update for rule='rosenblatt'")
    got = (_int_or_none(trace["cycle_start"], "cycle_start"), _int_or_none(trace["cycle_length"], "cycle_length"))
    checks.equal(got, (0, 1), what="(cycle_start, cycle_length) with rule='rosenblatt'")


@pytest.mark.points(0.5)
def test_trace_converges_on_and(student):
    """Edge case: on separable data (AND, with a constant column) the trace converges and reports no cycle.
    Checked numerically: mistakes per epoch [3, 1, 0] and final weights (3, 3, -1) with the error rule."""
    X = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 1.0], [-1.0, 1.0, 1.0], [-1.0, -1.0, 1.0]])
    y = np.array([1.0, -1.0, -1.0, -1.0])
    trace = _trace(student.fixed_order_trace(X, y, alpha=1.0, max_epochs=20, rule="error"))
    checks.true(bool(trace["converged"]) and trace["cycle_start"] is None and trace["cycle_length"] is None,
                "on separable data the trace should converge, with cycle_start and cycle_length None.")
    checks.equal([int(m) for m in checks.numbers(trace["mistakes"], what="mistakes").ravel()], [3, 1, 0],
                 what="mistakes per epoch on AND")
    checks.close(checks.numbers(trace["weights"], what="weights")[-1], [3.0, 3.0, -1.0], what="final weights on AND")


@pytest.mark.points(0.5)
def test_product_feature_values(student):
    """Contract: columns x1, x2, x1*x2."""
    X = np.random.default_rng(70).normal(size=(6, 2))
    checks.close(student.product_feature(X), np.column_stack([X, X[:, 0] * X[:, 1]]), what="product_feature(X)")


@pytest.mark.points(0.5)
def test_product_feature_returns_float64(student):
    """Contract: a float64 array also for integer inputs (typical slip: an integer X comes back as an integer
    array)."""
    X_int = np.array([[2, 3], [-1, 4], [0, -5]])
    got = student.product_feature(X_int)
    checks.true(isinstance(got, np.ndarray) and got.dtype == np.float64,
                f"product_feature of an integer array should return a float64 numpy array; got {checks.summary(got)}.",
                hint="convert X with np.asarray(X, dtype=float) first")
    checks.close(got, [[2, 3, 6], [-1, 4, -4], [0, -5, 0]], what="product_feature of an integer array")


@pytest.mark.points(1.5)
def test_product_feature_separates_xor(student):
    """Textbook: with z = x1*x2 (= 1, 1, -1, -1 on XOR) the data are separable; the perceptron converges."""
    Z = np.column_stack([XOR_X, XOR_X[:, 0] * XOR_X[:, 1]])
    run = student.perceptron_fit(Z, XOR_Y, epochs=50, rng=0, bias=False)
    checks.true(isinstance(run, dict) and "w" in run, "perceptron_fit should return a dict with the key 'w'.")
    w = checks.shape(run["w"], (3,), what="perceptron_fit(product features, bias=False)['w']")
    checks.true(np.all(XOR_Y * (Z @ w) > 0), "with the product feature every XOR point should end up correctly "
                "classified.")
    trace = _trace(student.fixed_order_trace(Z, XOR_Y, alpha=1.0, max_epochs=20, rule="error"))
    checks.true(bool(trace["converged"]) and trace["cycle_start"] is None,
                "fixed_order_trace on XOR with the product feature should converge (no cycle).")


@pytest.mark.points(1.5)
def test_relu_net_forward(student):
    """Formula: relu(X W1 + b1) w2 + b2, ReLU on the hidden layer only (the output is a raw score)."""
    g = np.random.default_rng(71)
    params = {"W1": g.normal(size=(3, 4)), "b1": g.normal(size=4), "w2": g.normal(size=4), "b2": float(g.normal())}
    X = g.normal(size=(7, 3))
    want = np.maximum(0.0, X @ params["W1"] + params["b1"]) @ params["w2"] + params["b2"]
    checks.close(student.relu_net(params, X), want, rtol=1e-9, what="relu_net(params, X) with 4 hidden units",
                 hint="apply the ReLU to the hidden layer only; the output is a raw score")


@pytest.mark.points(1.5)
def test_xor_net_params_solve_xor(student):
    """Textbook: a hidden layer of two ReLU units solves XOR. The grader evaluates the returned weights itself."""
    params = student.xor_net_params()
    checks.true(isinstance(params, dict) and {"W1", "b1", "w2", "b2"} <= set(params),
                "xor_net_params should return a dict with the keys 'W1', 'b1', 'w2', 'b2'.")
    W1 = checks.shape(params["W1"], (2, 2), what="W1 (2 inputs, 2 hidden units)")
    b1 = checks.shape(params["b1"], (2,), what="b1")
    w2 = checks.shape(params["w2"], (2,), what="w2")
    b2 = float(checks.numbers(params["b2"], what="b2"))
    scores = np.maximum(0.0, XOR_X @ W1 + b1) @ w2 + b2
    checks.true(np.all(np.sign(scores) == XOR_Y),
                f"the network relu(x W1 + b1) . w2 + b2 with your weights gives the signs "
                f"{np.sign(scores).tolist()} on the four XOR points; all four must be right (and no score 0).",
                hint="relu(t) + relu(-t) = |t|, and the class of an XOR point depends on |x1 + x2|")


# A 3-point data set whose runs cycle with a period of two epochs (found by search, checked with the reference):
# error rule: mistakes 3, 2, 3, 2; the end of epoch 4 equals the end of epoch 2 -> cycle_start 2, cycle_length 2.
# Rosenblatt's rule: mistakes 3, 3, 2; the end of epoch 3 equals the end of epoch 1 -> cycle_start 1, cycle_length 2.
LONG_X = np.array([[-2.0, 1.0], [-1.0, 0.0], [-2.0, 2.0]])
LONG_Y = np.array([-1.0, 1.0, 1.0])


@pytest.mark.points(1)
@pytest.mark.hint("error_update must build a new array: w + alpha * E * x. `w += ...` changes the caller's array, and "
                  "returning w itself when E = 0 hands the caller's array back.")
def test_error_update_returns_new_array(student):
    """Contract: error_update returns a NEW float64 array, in all three cases, and leaves w as it is. The grader keeps
    w in your notebook during the call. Typical slips: `w += alpha * E * x`; `return w` when the error is 0."""
    w = np.array([1.0, -1.0])
    cases = [(np.array([2.0, 2.0]), -1, "on the boundary"), (np.array([2.0, 1.0]), -1, "on the wrong side"),
             (np.array([2.0, 1.0]), 1, "on a correct example")]
    for x, y, case in cases:
        got = student.error_update(w, x, y, 0.5)
        checks.true(isinstance(got, np.ndarray) and got.dtype == np.float64,
                    f"error_update {case} should return a float64 numpy array; got {checks.summary(got)}.")
    held = call_held(student, "error_update", [(w.copy(), x, y, 0.5) for x, y, _ in cases])
    for one, (_, _, case) in zip(held, cases):
        checks.true(np.array_equal(one.after[0], w), f"error_update {case} changed the array w it was given; it "
                    "must return a new array and leave w as it is.")
        checks.true(not one.aliased, f"error_update {case} returned the array w it was given (or a view of it) "
                    "instead of a new array.")


@pytest.mark.points(1.5)
@pytest.mark.hint("Compare the weights at the end of each epoch with those at the end of EVERY earlier epoch, not only "
                  "the previous one; the cycle length is this epoch's number minus the earlier one's.")
def test_trace_finds_a_longer_cycle(student):
    """Contract: a cycle is found by comparing with the weights at the end of ANY earlier epoch (k = 0 the start),
    and has length (this epoch - k). On this data set the runs cycle with a period of two epochs: with the error
    rule from epoch 2, with Rosenblatt's rule from epoch 1 (checked numerically). Typical slips: comparing only with
    the previous epoch (never finds a period of 2), a length of 1 always, epochs counted from 0."""
    for rule in ("error", "rosenblatt"):
        want = reference_trace(LONG_X, LONG_Y, alpha=1.0, max_epochs=20, rule=rule)
        trace = _trace(student.fixed_order_trace(LONG_X, LONG_Y, alpha=1.0, max_epochs=20, rule=rule))
        got = (_int_or_none(trace["cycle_start"], "cycle_start"), _int_or_none(trace["cycle_length"], "cycle_length"))
        checks.equal(got, (want["cycle_start"], want["cycle_length"]),
                     what=f"(cycle_start, cycle_length) with rule={rule!r} on a 3-point data set")
        checks.equal([int(m) for m in checks.numbers(trace["mistakes"], what="mistakes").ravel()], want["mistakes"],
                     what=f"mistakes per epoch with rule={rule!r}, until the cycle is detected")
        checks.close(trace["weights"], want["weights"], what=f"the weights after each example with rule={rule!r}")
        checks.true(not bool(trace["converged"]), f"rule={rule!r}: a run that cycles has not converged.")


@pytest.mark.points(1)
@pytest.mark.hint("Run at most max_epochs epochs; when they are used up without convergence or a cycle, return "
                  "converged=False and None for the cycle.")
def test_trace_stops_at_max_epochs(student):
    """Contract: at most max_epochs epochs; a run that has neither converged nor found a cycle by then stops with
    converged False and cycle_start = cycle_length = None. Here the cycle would show only in epoch 4 (error rule),
    and XOR's only in epoch 2. Typical slips: one epoch too many or too few."""
    for X, y, max_epochs in ((LONG_X, LONG_Y, 3), (XOR_X, XOR_Y, 1)):
        want = reference_trace(X, y, alpha=1.0, max_epochs=max_epochs, rule="error")
        trace = _trace(student.fixed_order_trace(X, y, alpha=1.0, max_epochs=max_epochs, rule="error"))
        what = f"fixed_order_trace(..., max_epochs={max_epochs}) on {len(y)} points"
        checks.close(trace["weights"], want["weights"], what=f"{what}: 'weights'")
        checks.equal([int(m) for m in checks.numbers(trace["mistakes"], what="mistakes").ravel()], want["mistakes"],
                     what=f"{what}: mistakes per epoch")
        checks.true(not bool(trace["converged"]) and trace["cycle_start"] is None and trace["cycle_length"] is None,
                    f"{what}: the run stops when max_epochs is used up, with converged=False and no cycle; got "
                    f"converged={trace['converged']!r}, cycle_start={trace['cycle_start']!r}, "
                    f"cycle_length={trace['cycle_length']!r}.")


@pytest.mark.points(0.5)
def test_trace_returns_documented_types(student):
    """Contract (the docstring's Output): "weights" a float64 array of shape (steps, p), "mistakes" a list of ints,
    "converged" a bool, "cycle_start" and "cycle_length" ints (or None). Typical slip: weights as a list of arrays."""
    for X, y in ((LONG_X, LONG_Y), (np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([1.0, -1.0]))):
        trace = _trace(student.fixed_order_trace(X, y, alpha=1.0, max_epochs=20, rule="error"))
        weights, mistakes = trace["weights"], trace["mistakes"]
        checks.true(isinstance(weights, np.ndarray) and weights.dtype == np.float64 and weights.ndim == 2,
                    f"'weights' should be a float64 numpy array of shape (steps, p); got {checks.summary(weights)}.",
                    hint="np.array(list_of_weight_vectors) makes one")
        checks.true(isinstance(mistakes, list)
                    and all(isinstance(m, (int, np.integer)) and not isinstance(m, (bool, np.bool_)) for m in mistakes),
                    f"'mistakes' should be a list of ints; got {checks.summary(mistakes)}.")
        checks.true(isinstance(trace["converged"], (bool, np.bool_)),
                    f"'converged' should be a bool; got {checks.summary(trace['converged'])}.")
        for key in ("cycle_start", "cycle_length"):
            value = trace[key]
            checks.true(value is None or (isinstance(value, (int, np.integer)) and not isinstance(value, bool)),
                        f"'{key}' should be an int or None; got {checks.summary(value)}.")
