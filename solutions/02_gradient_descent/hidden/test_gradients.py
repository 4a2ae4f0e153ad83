"""Hidden tests, part 1: numerical gradients (central difference, 5-point stencil) and the relative error.

The functions to differentiate come from the notebook's given cell (quadratic, log_sum_exp): a factory call
returns a handle to a function living in the worker, which is passed back to the student's code. Expected
values are computed here with the same formulas.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402


def _log_sum_exp_problem(seed, m=6, n=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=n)


@pytest.mark.points(2)
def test_central_difference_formula(student):
    """Typical mistake: forward instead of central difference. With h = 1e-2 on a log-sum-exp function the
    central difference, the forward difference and the exact gradient differ by far more than rounding, so the
    result must equal (f(x + h e_j) − f(x − h e_j)) / 2h computed here."""
    a, c, x = _log_sum_exp_problem(20)
    f = lambda v: ref.log_sum_exp(a, c, v)  # noqa: E731
    want = ref.central_difference(f, x, 1e-2)
    forward = ref.forward_difference(f, x, 1e-2)
    got = student.numerical_gradient(student.log_sum_exp(a, c), x, 1e-2)
    hint = None
    got_array = checks.numbers(got, what="numerical_gradient(f, x, h=1e-2)")
    if got_array.shape == forward.shape and np.allclose(got_array, forward, rtol=1e-6):
        hint = "this is the forward difference (f(x + h) − f(x)) / h; use the central difference"
    checks.close(got, want, rtol=1e-7, atol=1e-12, what="numerical_gradient(f, x, h=1e-2) on log-sum-exp", hint=hint)


@pytest.mark.points(1)
def test_central_difference_exact_for_quadratics(student):
    """Textbook fact: central differences are exact for a quadratic whatever h (here h = 0.5, n = 5), so the
    result is Ax − b up to rounding; a forward difference is off by h·A_jj/2, and a step that does not put x back
    after each coordinate is off by h·A_jk. The step is passed by its name, h=0.5, as the notebook's check does."""
    rng = np.random.default_rng(21)
    a = ref.random_spd(rng, 5, 0.5, 4.0)
    b, x = rng.normal(size=5), rng.normal(size=5)
    got = student.numerical_gradient(student.quadratic(a, b), x, h=0.5)
    checks.close(got, a @ x - b, rtol=1e-9, atol=1e-9, what="numerical_gradient of ½xᵀAx − bᵀx with h = 0.5",
                 hint="the central difference of a quadratic is exact for any h")


@pytest.mark.points(1)
def test_default_step_is_accurate(student):
    """Textbook value: with the default h = 1e-5 the central difference agrees with the exact gradient of a
    smooth function to a relative error far below 1e-7 (the threshold of a gradient check). Signature clause: the
    default is h=1e-5 itself (a call without h gives what a call with h=1e-5 gives)."""
    a, c, x = _log_sum_exp_problem(22, m=8, n=6)
    f = student.log_sum_exp(a, c)
    got = checks.shape(student.numerical_gradient(f, x), (6,), what="numerical_gradient(f, x) with the default h")
    err = ref.relative_error(got, ref.log_sum_exp_gradient(a, c, x))
    checks.true(err < 1e-8, f"numerical_gradient(f, x) with the default h: relative error {err:.1e} to the exact "
                            "gradient, expected below 1e-8.", hint="the default h should be 1e-5, with central differences")
    checks.close(got, student.numerical_gradient(f, x, h=1e-5), rtol=1e-12, atol=0,
                 what="numerical_gradient(f, x) compared with numerical_gradient(f, x, h=1e-5)",
                 hint="keep the signature as given: def numerical_gradient(f, x, h=1e-5)")


@pytest.mark.points(2)
def test_five_point_formula(student):
    """Textbook formula (NKA's 5-point stencil): (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h, compared with the
    formula computed here at h = 5e-2, where the stencil differs clearly from the central difference."""
    a, c, x = _log_sum_exp_problem(23)
    f = lambda v: ref.log_sum_exp(a, c, v)  # noqa: E731
    got = student.numerical_gradient_5pt(student.log_sum_exp(a, c), x, 5e-2)
    checks.close(got, ref.five_point(f, x, 5e-2), rtol=1e-7, atol=1e-12,
                 what="numerical_gradient_5pt(f, x, h=5e-2) on log-sum-exp",
                 hint="the weights are 1, −8, 8, −1 at x − 2h, x − h, x + h, x + 2h, divided by 12h")


@pytest.mark.points(1)
def test_five_point_default_step(student):
    """Textbook fact: the 5-point stencil with its default h = 1e-3 is more accurate than central differences
    (relative error below 1e-10 on a smooth function). Signature clause: the default is h=1e-3 itself."""
    a, c, x = _log_sum_exp_problem(24)
    f = student.log_sum_exp(a, c)
    got = checks.shape(student.numerical_gradient_5pt(f, x), (4,), what="numerical_gradient_5pt(f, x) with the default h")
    err = ref.relative_error(got, ref.log_sum_exp_gradient(a, c, x))
    checks.true(err < 1e-10, f"numerical_gradient_5pt(f, x): relative error {err:.1e} to the exact gradient, "
                             "expected below 1e-10.")
    checks.close(got, student.numerical_gradient_5pt(f, x, h=1e-3), rtol=1e-12, atol=0,
                 what="numerical_gradient_5pt(f, x) compared with numerical_gradient_5pt(f, x, h=1e-3)",
                 hint="keep the signature as given: def numerical_gradient_5pt(f, x, h=1e-3)")


@pytest.mark.points(1)
def test_one_dimensional_input(student):
    """Edge case: a function of a single variable (x of shape (1,)) still gives a gradient of shape (1,)."""
    got = student.numerical_gradient(student.quadratic(np.array([[4.0]]), np.array([1.0])), np.array([0.75]))
    checks.close(got, [4.0 * 0.75 - 1.0], rtol=1e-8, atol=1e-9, what="numerical_gradient of ½·4x² − x at x = 0.75")


@pytest.mark.points(1)
def test_relative_error_values(student):
    """Definition (CS231n's gradient check): max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|), elementwise, not a
    ratio of norms."""
    rng = np.random.default_rng(25)
    a = rng.normal(size=7)
    b = a + rng.normal(scale=[1e-6, 1e-3, 0, 0, 1e-1, 0, 1e-4])
    checks.close(student.relative_error(a, b), ref.relative_error(a, b), rtol=1e-9, what="relative_error(a, b)",
                 hint="take the largest of the componentwise ratios |a_i − b_i| / max(1e-8, |a_i| + |b_i|)")
    checks.close(student.relative_error(np.array([1.0, 2.0]), np.array([1.1, 2.0])), 0.1 / 2.1, rtol=1e-9,
                 what="relative_error([1, 2], [1.1, 2])")


@pytest.mark.points(1)
def test_relative_error_of_zeros(student):
    """Edge case: two zero gradients have relative error 0, not nan (the 1e-8 floor avoids 0/0)."""
    checks.close(student.relative_error(np.zeros(4), np.zeros(4)), 0.0, atol=0, what="relative_error(0, 0)",
                 hint="divide by max(1e-8, |a_i| + |b_i|)")


@pytest.mark.points(1)
@pytest.mark.hint("Try relative_error on two tiny numbers, and on two numbers of opposite signs, by hand: which "
                  "denominator does the docstring's formula give?")
def test_relative_error_floor_and_signs(student):
    """Docstring formula, two of its clauses that random gradients never reach. The floor: where |a_i| + |b_i| is
    below 1e-8 the denominator is 1e-8 itself (typical mistakes: adding 1e-8 to the denominator, or replacing
    0/0 by 0 with no floor). The signs: the denominator is |a_i| + |b_i|, not |a_i + b_i| (which is 0 for
    opposite gradients)."""
    a, b = np.array([1e-10, 0.0, 3.0]), np.array([0.0, 0.0, 3.0])
    checks.close(student.relative_error(a, b), ref.relative_error(a, b), rtol=1e-9, atol=0,
                 what="relative_error where |a_i| + |b_i| is far below 1e-8",
                 hint="the denominator is max(1e-8, |a_i| + |b_i|): 1e-8 replaces anything smaller, nothing is added")
    a, b = np.array([0.5, -2.0, 1.0]), np.array([-0.5, -2.0, 1.5])
    checks.close(student.relative_error(a, b), ref.relative_error(a, b), rtol=1e-9, atol=0,
                 what="relative_error of gradients with components of opposite signs",
                 hint="take the absolute values separately: |a_i| + |b_i|")
