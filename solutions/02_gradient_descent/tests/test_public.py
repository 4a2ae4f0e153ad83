"""Public tests for assignment 02 (gradient descent and optimizers).

Run them from the kit's root folder with
    .venv/bin/python -m autograder check 02_gradient_descent                 # assignments/02_gradient_descent/
    .venv/bin/python -m autograder check 02_gradient_descent path/to/gradient_descent.ipynb
The hidden tests check more cases of the same functions: random problems, more steps, edge cases.
"""
import numpy as np
import pytest

from autograder import checks

pytestmark = pytest.mark.visible


@pytest.mark.points(2)
@pytest.mark.hint("Step both ways from x, one coordinate at a time, and leave x itself unchanged between coordinates "
                  "(copy it).")
def test_central_difference_of_quadratic(student):
    """Central differences are exact for a quadratic, even with a large step h = 0.1."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    x = np.array([0.5, -2.0])
    got = student.numerical_gradient(student.quadratic(A, b), x, 0.1)
    checks.close(got, A @ x - b, rtol=1e-9, atol=1e-9, what="numerical_gradient of ½xᵀAx − bᵀx with h = 0.1",
                 hint="(f(x + h e_j) − f(x − h e_j)) / (2h); an error of h·A_jj/2 means a forward difference")


@pytest.mark.points(2)
@pytest.mark.hint("Everything follows from the smallest and largest eigenvalue of the matrix; re-read Sec. 3.3 on "
                  "when gradient descent converges.")
def test_step_sizes_of_sec33_exercise(student):
    """Sec3.3: on ½(x² + 10y²) GD converges iff α < 0.2; the best step is 2/11, the rate 9/11."""
    got = student.step_size_analysis(np.diag([1.0, 10.0]))
    checks.true(isinstance(got, dict), f"step_size_analysis should return a dict, got {checks.summary(got)}.")
    checks.close([got.get("max_lr"), got.get("best_lr"), got.get("rate")], [0.2, 2 / 11, 9 / 11], rtol=1e-9,
                 what="[max_lr, best_lr, rate] for diag(1, 10)")


@pytest.mark.points(2)
@pytest.mark.hint("The trajectory includes the starting point, so 20 steps give 21 points; check your first two rows "
                  "by hand.")
def test_gradient_descent_trajectory(student):
    """20 steps on ½(x1² + 5x2²) from (−3, 2) with α = 0.1: x_k = (−3·0.9^k, 2·0.5^k), start included."""
    k = np.arange(21)
    want = np.column_stack([-3 * 0.9 ** k, 2 * 0.5 ** k])
    got = student.gradient_descent(student.quadratic_gradient(np.diag([1.0, 5.0])), np.array([-3.0, 2.0]), 0.1, 20)
    checks.close(got, want, rtol=1e-9, atol=1e-12, what="gradient_descent(grad, (−3, 2), 0.1, 20)")


@pytest.mark.points(2)
@pytest.mark.hint("The last batch may be smaller than the others; it must not be dropped, and no index may appear "
                  "twice.")
def test_chollet_batches(student):
    """Chollet: 60,000 examples in batches of 128 give 469 batches; every example appears exactly once."""
    batches = student.minibatch_indices(60000, 128, 0)
    checks.equal(len(batches), 469, what="the number of batches for n = 60000, batch_size = 128")
    checks.equal(len(batches[-1]), 96, what="the size of the last batch")
    checks.equal(np.sort(np.concatenate(batches)).tolist() == list(range(60000)), True,
                 what="every index 0..59999 exactly once")


@pytest.mark.points(2)
@pytest.mark.hint("Check losses[0] first: it is the loss before any update, with w = 0 and b = 0 on all the data.")
def test_linear_regression_full_batch(student):
    """With one batch of all the data SGD is gradient descent; on y = 2x + 1 it reaches w = 2, b = 1."""
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 3.0, 5.0])
    w, b, losses = student.sgd_linear_regression(X, y, 0.1, 3, 500)
    checks.close(losses[0], 35 / 6, rtol=1e-9, what="losses[0] (the loss of w = 0, b = 0)")
    checks.close(w, [2.0], atol=1e-6, what="w")
    checks.close(b, 1.0, atol=1e-6, what="b")


@pytest.mark.points(2)
@pytest.mark.hint("Work the two steps by hand on paper and compare: where does the learning rate enter, and which way"
                  " does the parameter move?")
def test_momentum_two_steps(student):
    """Momentum(lr=0.1, momentum=0.9) with gradient 1 twice: θ goes 1 → 0.9 → 0.71."""
    opt = student.Momentum(lr=0.1, momentum=0.9)
    p1 = opt.step({"w": np.array(1.0)}, {"w": np.array(1.0)})
    p2 = opt.step(p1, {"w": np.array(1.0)})
    checks.close([p1["w"], p2["w"]], [0.9, 0.71], rtol=1e-9, what="θ after one and two steps")


@pytest.mark.points(2)
@pytest.mark.hint("Look at the bias correction: at the first step the corrected averages are exactly g and g squared.")
def test_adam_first_step(student):
    """With bias correction, Adam's first step is −lr·sign(g) in every coordinate (up to ε)."""
    g = np.array([0.5, -2.0, 1e-3])
    got = student.Adam(lr=0.1).step({"w": np.zeros(3)}, {"w": g})
    checks.close(got["w"], [-0.1, 0.1, -0.1], rtol=1e-4, what="Adam(lr=0.1)'s first step from 0")


@pytest.mark.points(2)
def test_schedules(student):
    """The four schedules at a few steps, from the docstrings."""
    checks.close([student.linear_decay(0.1, t, 10) for t in (0, 5, 10, 20)], [0.1, 0.05, 0.0, 0.0],
                 what="linear_decay(0.1, t, 10) at t = 0, 5, 10, 20")
    checks.close([student.exponential_decay(0.1, t, 10) for t in (0, 10)], [0.1, 0.1 * np.exp(-1)],
                 what="exponential_decay(0.1, t, 10) at t = 0, 10")
    checks.close([student.step_decay(0.1, t, 0.5, 10) for t in (0, 9, 10, 25)], [0.1, 0.1, 0.05, 0.025],
                 what="step_decay(0.1, t, 0.5, 10) at t = 0, 9, 10, 25")
    checks.close([student.inverse_time_decay(0.1, t, 1) for t in (0, 1, 2)], [0.1, 0.05, 0.1 / 3],
                 what="inverse_time_decay(0.1, t, 1) at t = 0, 1, 2")
