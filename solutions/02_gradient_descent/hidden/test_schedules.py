"""Hidden tests, part 4b: learning-rate schedules (linear, exponential, step, 1/t).

Each schedule is called with plain int steps one at a time, and once with an int array of steps: the docstrings
promise "t int or int array ... Output: float, or array of t's shape", and the notebook's check passes arrays.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402

STEPS = [0, 1, 2, 7, 10, 19, 20, 21, 49, 50, 99, 100, 150, 300]
ARRAY_HINT = "t may be an int array: use np.minimum, np.floor and np.exp, not min, math.floor or math.exp"


def _sweep(student, name, call, want, hint=None):
    got = [call(t) for t in STEPS]
    checks.close(got, want, rtol=1e-9, atol=1e-15, what=f"{name} at steps t = {STEPS}", hint=hint)


def _on_array(name, call, want):
    """One call with an int array of steps: an array of the same shape, with the reference's values."""
    steps = np.array(STEPS)
    checks.close(call(steps), want, rtol=1e-9, atol=1e-15, what=f"{name} with t = np.array({STEPS})",
                 hint=ARRAY_HINT)


@pytest.mark.points(1)
@pytest.mark.hint("Call your schedule with an int array such as np.array([0, 5, 10, 20]) as well as with an int: "
                  "both must work, and the array gives an array of the same shape.")
def test_linear_decay(student):
    """Formula (course notes η0(1 − t/T)): lr0·(1 − t/T) up to T, then 0 — T = 100, lr0 = 0.3; for int steps and
    for an int array of steps (typical mistake: Python's min, which fails on arrays)."""
    want = ref.schedules(0.3, STEPS, 100, 0.5, 20)["linear"]
    _sweep(student, "linear_decay(0.3, t, 100)", lambda t: student.linear_decay(0.3, t, 100), want,
           hint="after t = T the rate stays at 0")
    _on_array("linear_decay(0.3, t, 100)", lambda t: student.linear_decay(0.3, t, 100), want)


@pytest.mark.points(1)
@pytest.mark.hint("Call your schedule with an int array such as np.array([0, 5, 10, 20]) as well as with an int: "
                  "both must work, and the array gives an array of the same shape.")
def test_exponential_decay(student):
    """Formula (course notes η0·e^(−t/T)): T = 40, lr0 = 0.3; for int steps, and for an int array of steps with a
    T that is not a whole number, T = 12.5 (typical mistake: math.exp, which fails on arrays)."""
    want = ref.schedules(0.3, STEPS, 40, 0.5, 20)["exponential"]
    _sweep(student, "exponential_decay(0.3, t, 40)", lambda t: student.exponential_decay(0.3, t, 40), want)
    _on_array("exponential_decay(0.3, t, 12.5)", lambda t: student.exponential_decay(0.3, t, 12.5),
              ref.schedules(0.3, STEPS, 12.5, 0.5, 20)["exponential"])


@pytest.mark.points(1)
@pytest.mark.hint("Call your schedule with an int array such as np.array([0, 5, 10, 20]) as well as with an int: "
                  "both must work, and the array gives an array of the same shape.")
def test_step_decay(student):
    """Formula (step decay): lr0·drop^⌊t/every⌋, dropping exactly at t = every, 2·every, … (drop = 0.5, every = 20);
    for int steps and for an int array of steps (typical mistake: math.floor, which fails on arrays)."""
    want = ref.schedules(0.3, STEPS, 40, 0.5, 20)["step"]
    _sweep(student, "step_decay(0.3, t, 0.5, 20)", lambda t: student.step_decay(0.3, t, 0.5, 20), want,
           hint="the first drop happens at t = every (floor division)")
    _on_array("step_decay(0.3, t, 0.5, 20)", lambda t: student.step_decay(0.3, t, 0.5, 20), want)


@pytest.mark.points(1)
@pytest.mark.hint("Call your schedule with an int array such as np.array([0, 5, 10, 20]) as well as with an int: "
                  "both must work, and the array gives an array of the same shape.")
def test_inverse_time_decay(student):
    """Formula (course notes η0/t, counted from t = 1): lr0/(1 + t/T); with T = 1: lr0, lr0/2, lr0/3, …; then an
    int array of steps with T = 2.5, where forgetting T (lr0/(1 + t)) shows."""
    want = ref.schedules(0.3, STEPS, 1, 0.5, 20)["inverse_time"]
    _sweep(student, "inverse_time_decay(0.3, t, 1)", lambda t: student.inverse_time_decay(0.3, t, 1), want)
    _on_array("inverse_time_decay(0.3, t, 2.5)", lambda t: student.inverse_time_decay(0.3, t, 2.5),
              ref.schedules(0.3, STEPS, 2.5, 0.5, 20)["inverse_time"])
