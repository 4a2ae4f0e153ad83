"""Checks shared by the hidden tests of assignment 01: return types the docstrings promise, and tests of invalid
input that earn their points only together with one correct answer (issue 23: a function that raises on
everything must not collect the rejection tests' points)."""
import functools

import numpy as np

from autograder import checks


def value_error(call, *args, what, hint=None, example="raise ValueError(f'prior must sum to 1, got {prior.sum()}')",
                **kwargs):
    """``call(*args, **kwargs)`` raises a ValueError (or a subclass of it) with a message."""
    return checks.raises_with_message("ValueError", call, *args, what=what, hint=hint, example=example, **kwargs)


def answers(got, expected, *, what, rtol=1e-9, atol=1e-12):
    """A valid input answered correctly, checked before the invalid ones of a rejection test."""
    return checks.close(got, expected, rtol=rtol, atol=atol,
                        what=f"{what} (a valid input; a test of invalid input first checks one valid answer)")


def _kind(got):
    if isinstance(got, np.ndarray):
        return f"a NumPy array of shape {got.shape} and dtype {got.dtype}"
    return f"a {type(got).__name__} ({checks.summary(got)})"


def float_scalar(got, *, what):
    """A single float, as the docstring promises: a Python float or a NumPy floating-point scalar (np.float64 is
    a float), not an int, an array or a tuple."""
    if not isinstance(got, (float, np.floating)):
        checks.fail(f"{what}: the docstring promises a float, got {_kind(got)}.",
                    "return a single number of type float, for example float(value)")
    return float(got)


def float_array(got, shape, *, what):
    """A NumPy array of float64 with the given shape, as the docstring promises (a list is not enough)."""
    if not isinstance(got, np.ndarray):
        checks.fail(f"{what}: the docstring promises a NumPy array (np.ndarray), got {_kind(got)}.",
                    "np.asarray(..., dtype=float) turns lists into arrays of float64")
    if got.dtype != np.float64:
        checks.fail(f"{what}: the docstring promises an array of float64, got dtype {got.dtype}.",
                    "convert the inputs with np.asarray(..., dtype=float) before computing")
    return checks.shape(got, shape, what=what)


def tuple_of(got, n, *, what):
    """A tuple of ``n`` values, as the docstring promises (not a list or an array)."""
    if not isinstance(got, tuple) or len(got) != n:
        checks.fail(f"{what}: the docstring promises a tuple of {n} values, got {_kind(got)}.",
                    f"return the {n} values separated by commas: return first, second")
    return got


def float_pair(got, *, what):
    """A tuple of two floats, as the docstring promises."""
    first, second = tuple_of(got, 2, what=what)
    return (float_scalar(first, what=f"the first value of {what}"),
            float_scalar(second, what=f"the second value of {what}"))


def generator(student, seed):
    """``np.random.default_rng(seed)`` made in the student's worker: a Generator is not plain data, so the grader
    cannot send one, but it can hold one made there and pass it back."""
    if not student.has("np"):
        checks.fail("your notebook no longer defines `np`: keep its first code cell, `import numpy as np`.")
    return student.np.value.random.default_rng(seed)


value_error_counts = functools.partial(value_error,
                                       example="raise ValueError(f'counts cannot be negative, got {heads}')")
value_error_shapes = functools.partial(value_error,
                                       example="raise ValueError(f't must have shape ({n},), got {t.shape}')")
