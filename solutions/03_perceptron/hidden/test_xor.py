"""Hidden tests, assignment 3, part 6: the XOR trace (Aggarwal ex. 4), cycle detection, and the two fixes."""
import numpy as np
import pytest

from autograder import checks

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


@pytest.mark.points(2)
def test_error_update_three_cases(student):
    """Textbook (Aggarwal's error form with np.sign(0) = 0): E = y on the boundary, 2y on the wrong side, 0 if right."""
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 2.0]), -1, alpha=0.5), [0.0, -2.0],
                 what="error_update on the boundary (w.x = 0, y = -1, alpha = 0.5)",
                 hint="np.sign(0) = 0, so the error y - sign(w.x) is y")
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 1.0]), -1, alpha=0.5), [-1.0, -2.0],
                 what="error_update on the wrong side (w.x = 1, y = -1, alpha = 0.5)", hint="the error is 2y here")
    checks.close(student.error_update(np.array([1.0, -1.0]), np.array([2.0, 1.0]), 1, alpha=0.5), [1.0, -1.0],
                 what="error_update on a correct example")


@pytest.mark.points(3)
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


@pytest.mark.points(2)
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


@pytest.mark.points(1)
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


@pytest.mark.points(1)
def test_product_feature_values(student):
    """Contract: columns x1, x2, x1*x2."""
    X = np.random.default_rng(70).normal(size=(6, 2))
    checks.close(student.product_feature(X), np.column_stack([X, X[:, 0] * X[:, 1]]), what="product_feature(X)")


@pytest.mark.points(2)
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


@pytest.mark.points(2)
def test_relu_net_forward(student):
    """Formula: relu(X W1 + b1) w2 + b2, ReLU on the hidden layer only (the output is a raw score)."""
    g = np.random.default_rng(71)
    params = {"W1": g.normal(size=(3, 4)), "b1": g.normal(size=4), "w2": g.normal(size=4), "b2": float(g.normal())}
    X = g.normal(size=(7, 3))
    want = np.maximum(0.0, X @ params["W1"] + params["b1"]) @ params["w2"] + params["b2"]
    checks.close(student.relu_net(params, X), want, rtol=1e-9, what="relu_net(params, X) with 4 hidden units",
                 hint="apply the ReLU to the hidden layer only; the output is a raw score")


@pytest.mark.points(2)
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
