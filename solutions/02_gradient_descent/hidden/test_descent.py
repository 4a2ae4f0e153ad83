"""Hidden tests, part 2: gradient descent trajectories and the step-size facts for a quadratic."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402

KEYS = ["best_lr", "max_lr", "rate"]


def _facts(student, a, what):
    got = student.step_size_analysis(a)
    if not isinstance(got, dict):
        checks.fail(f"{what}: expected a dict with keys max_lr, best_lr, rate, got {checks.summary(got)}.")
    checks.equal(sorted(got), KEYS, what=f"the keys of {what}")
    return got


@pytest.mark.points(3)
def test_step_sizes_sec33_exercise(student):
    """Textbook values (Sec3.3 exercise, F = ½(x² + 10y²)): GD converges iff α < 0.2, the best fixed step is 2/11,
    and the error then shrinks by 9/11 per step."""
    got = _facts(student, np.diag([1.0, 10.0]), "step_size_analysis(diag(1, 10))")
    checks.close(got["max_lr"], 0.2, rtol=1e-9, what="max_lr for ½(x² + 10y²)",
                 hint="|1 − αλ| < 1 must hold for every eigenvalue λ; which one limits α?")
    checks.close(got["best_lr"], 2 / 11, rtol=1e-9, what="best_lr for ½(x² + 10y²)")
    checks.close(got["rate"], 9 / 11, rtol=1e-9, what="rate for ½(x² + 10y²)")


@pytest.mark.points(1)
def test_step_sizes_sec33_figure(student):
    """Textbook problem (Sec3.3 figure, F = ½(x1² + 5x2²)): bound 2/5, best step 1/3, rate 2/3."""
    got = _facts(student, np.diag([1.0, 5.0]), "step_size_analysis(diag(1, 5))")
    checks.close([got["max_lr"], got["best_lr"], got["rate"]], [0.4, 1 / 3, 2 / 3], rtol=1e-9,
                 what="[max_lr, best_lr, rate] for ½(x1² + 5x2²)")


@pytest.mark.points(2)
def test_step_sizes_random_matrices(student):
    """Typical mistake: the step bound computed from the wrong eigenvalue (2/λmin), or from the diagonal instead
    of the eigenvalues. Random symmetric positive definite matrices, not diagonal, of sizes 2..6."""
    rng = np.random.default_rng(30)
    for n in range(2, 7):
        a = ref.random_spd(rng, n, rng.uniform(0.1, 1.0), rng.uniform(2.0, 50.0))
        want = ref.step_facts(a)
        got = _facts(student, a, f"step_size_analysis of a {n}×{n} matrix")
        for key in KEYS:
            checks.close(got[key], want[key], rtol=1e-8, what=f"{key} of a random {n}×{n} symmetric positive definite matrix",
                         hint="use the smallest and largest eigenvalues (np.linalg.eigvalsh), not the diagonal")


@pytest.mark.points(1)
def test_trajectory_sec33_figure(student):
    """Textbook setting (Sec3.3 figure): 20 iterations on ½(x1² + 5x2²) from (−3, 2) with α = 0.3; the whole
    trajectory, start included, has shape (21, 2) and x_k = (−3·0.7^k, 2·(−0.5)^k)."""
    k = np.arange(21)
    want = np.column_stack([-3 * 0.7 ** k, 2 * (-0.5) ** k])
    got = student.gradient_descent(student.quadratic_gradient(np.diag([1.0, 5.0])), np.array([-3.0, 2.0]), 0.3, 20)
    checks.close(got, want, rtol=1e-9, atol=1e-12, what="gradient_descent on ½(x1² + 5x2²) from (−3, 2), α = 0.3, 20 steps",
                 hint="return all n_steps + 1 points, row 0 being x0")


@pytest.mark.points(2)
def test_trajectory_random_quadratic(student):
    """Reference comparison: 60 steps on a random 4-dimensional quadratic ½xᵀAx − bᵀx at α = best_lr; the
    trajectory must match the reference at every step."""
    rng = np.random.default_rng(31)
    a = ref.random_spd(rng, 4, 0.5, 8.0)
    b, x0 = rng.normal(size=4), rng.normal(size=4)
    lr = 2 / (0.5 + 8.0)
    want = ref.gradient_descent(lambda x: a @ x - b, x0, lr, 60)
    got = student.gradient_descent(student.quadratic_gradient(a, b), x0, lr, 60)
    checks.close(got, want, rtol=1e-8, atol=1e-10, what="gradient_descent on a random quadratic, 60 steps")


@pytest.mark.points(1)
def test_divergence_above_bound(student):
    """Textbook fact: on ½(x² + 10y²) GD converges for α = 0.19 < 0.2 and diverges for α = 0.21 > 0.2
    (|1 − 10α| = 0.9 vs 1.1); both trajectories must match the reference over 100 steps."""
    grad = student.quadratic_gradient(np.diag([1.0, 10.0]))
    for lr, verdict in [(0.19, "converges"), (0.21, "diverges")]:
        want = ref.gradient_descent(lambda x: np.array([1.0, 10.0]) * x, np.array([1.0, 1.0]), lr, 100)
        got = student.gradient_descent(grad, np.array([1.0, 1.0]), lr, 100)
        checks.close(got, want, rtol=1e-8, atol=1e-12, what=f"gradient_descent on ½(x² + 10y²) with α = {lr} (it {verdict})")


@pytest.mark.points(1)
def test_zero_steps(student):
    """Edge case: n_steps = 0 returns just the start, as an array of shape (1, n)."""
    got = student.gradient_descent(student.quadratic_gradient(np.eye(3)), np.array([1.0, 2.0, 3.0]), 0.1, 0)
    checks.close(got, [[1.0, 2.0, 3.0]], what="gradient_descent(..., n_steps=0)")
