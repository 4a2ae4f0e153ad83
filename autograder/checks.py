"""Assertions for the test suites, with messages written for students.

A failing check says what was checked and what the student's code returned. The
expected value is shown only in tests marked ``visible``; a hidden test must not
give the answer away. The plugin sets the visibility for each test; code outside a
test (a notebook, a shell) sees the visible wording.

    from autograder import checks
    checks.close(student.posterior([0.5, 0.5], [0.9, 0.1]), [0.9, 0.1],
                 what="posterior([0.5, 0.5], [0.9, 0.1])",
                 hint="divide by the evidence so that the posterior sums to 1")
"""
from __future__ import annotations

import reprlib
from contextvars import ContextVar
from typing import Any, Callable

import numpy as np

from autograder.sandbox.errors import StudentError

show_expected: ContextVar[bool] = ContextVar("show_expected", default=True)


class CheckFailed(AssertionError):
    """A check did not hold; ``str()`` is the message the student reads."""


def fail(message: str, hint: str | None = None) -> None:
    raise CheckFailed(message + (f" Hint: {hint}" if hint else ""))


def true(condition: Any, message: str, hint: str | None = None) -> None:
    if not condition:
        fail(message, hint)


def summary(value: Any, limit: int = 6) -> str:
    """A short, readable description of a value for a failure message.

    Cheap whatever the value: suites build messages before they know whether a check fails, and the full
    repr of a dict of weight matrices costs more than the test."""
    text = _Short(limit).repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


class _Short(reprlib.Repr):
    """The first few items of containers, and of arrays their shape, dtype and first ``limit`` values."""

    def __init__(self, limit: int):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 3, 120, 120
        self.maxtuple = self.maxlist = self.maxdict = self.maxset = self.limit = limit

    def repr1(self, value: Any, level: int) -> str:
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, (float, np.floating)):
            return f"{value:.6g}"
        if isinstance(value, np.generic):
            return str(value)
        return super().repr1(value, level)

    def _array(self, value: np.ndarray) -> str:
        """Without np.array2string, which costs a millisecond a call: a suite summarises arrays in messages it
        builds for every check, failing or not."""
        if value.ndim == 0:
            return self.repr1(value.item(), 0)
        flat = value.ravel()
        shown = ", ".join(self.repr1(item, 0) for item in flat[:self.limit].tolist())
        more = f" ... ({flat.size} values)" if flat.size > self.limit else ""
        return f"array of shape {value.shape} {value.dtype}: [{shown}]{more}"


def numbers(got: Any, *, what: str) -> np.ndarray:
    """``got`` as a float array, or a failure that says what came back instead."""
    if got is None:
        fail(f"{what}: your code returned None. Did you forget a `return` statement?")
    if isinstance(got, (str, bytes)) or not _is_plain(got):
        fail(f"{what}: expected a number or an array of numbers, got {summary(got)}.")
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        fail(f"{what}: expected a number or an array of numbers, got {summary(got)}.")
    return array


def shape(got: Any, expected: tuple[int, ...], *, what: str) -> np.ndarray:
    array = numbers(got, what=what)
    if array.shape != tuple(expected):
        fail(f"{what}: expected shape {tuple(expected)}, got shape {array.shape}.")
    return array


def finite(got: Any, *, what: str, hint: str | None = None) -> np.ndarray:
    array = numbers(got, what=what)
    if not np.all(np.isfinite(array)):
        fail(f"{what}: the result contains NaN or infinity ({summary(array)}).",
             hint or "work in log space, or subtract the maximum before exponentiating")
    return array


def close(got: Any, expected: Any, *, what: str, rtol: float = 1e-6, atol: float = 1e-9,
          hint: str | None = None) -> np.ndarray:
    """``got`` equals ``expected`` within tolerance, with the same shape."""
    want = np.asarray(expected, dtype=float)
    array = shape(got, want.shape, what=what)
    if _within(array, want, rtol, atol):
        return array
    if show_expected.get():
        fail(f"{what}: expected {summary(want if want.ndim else float(want))}, got {summary(array if array.ndim else float(array))}.", hint)
    fail(f"{what}: got {summary(array if array.ndim else float(array))}, which is not correct.", hint)


def _within(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    """np.allclose(got, want, rtol, atol, equal_nan=True) at a third of its cost (suites call it thousands of times
    per student): equal values, finite values within |got - want| <= atol + rtol·|want|, or NaN in both."""
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.isfinite(got) & np.isfinite(want) & (np.abs(got - want) <= atol + rtol * np.abs(want))
        return bool(((got == want) | near | (np.isnan(got) & np.isnan(want))).all())


def equal(got: Any, expected: Any, *, what: str, hint: str | None = None) -> Any:
    """Exact equality for plain values (ints, strings, tuples, lists of them)."""
    if not _is_plain(got):
        fail(f"{what}: expected a plain value, got {summary(got)}.")
    same = np.array_equal(got, expected) if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray) \
        else (type(got) is type(expected) or _both_numbers(got, expected)) and got == expected
    if not same:
        if show_expected.get():
            fail(f"{what}: expected {summary(expected)}, got {summary(got)}.", hint)
        fail(f"{what}: got {summary(got)}, which is not correct.", hint)
    return got


def raises(error: str, call: Callable, *args: Any, what: str, hint: str | None = None, **kwargs: Any) -> StudentError | Exception:
    """Calling ``call(*args, **kwargs)`` raises an exception of class ``error`` (or a subclass)."""
    try:
        returned = call(*args, **kwargs)
    except StudentError as exc:
        if error in exc.type_names:
            return exc
        fail(f"{what}: expected a {error}, but your code raised {exc.type_name}: {exc.message}", hint)
    except Exception as exc:  # in-process use (notebook checks): a real exception
        if error in [cls.__name__ for cls in type(exc).__mro__]:
            return exc
        fail(f"{what}: expected a {error}, but your code raised {type(exc).__name__}: {exc}", hint)
    fail(f"{what}: expected a {error} to be raised, but the call returned {summary(returned)}.", hint)


def raises_with_message(error: str, call: Callable, *args: Any, what: str, hint: str | None = None,
                        example: str = "", **kwargs: Any) -> StudentError | Exception:
    """:func:`raises`, and the exception's message is not empty: a student's error should say what is wrong.
    ``example`` shows such a ``raise`` statement in the hint."""
    error_raised = raises(error, call, *args, what=what, hint=hint, **kwargs)
    message = error_raised.message if isinstance(error_raised, StudentError) else str(error_raised)
    true(message.strip(), f"{what}: raises {error}, but with an empty message.",
         f"say what is wrong, e.g. {example}" if example else "say what is wrong in the message")
    return error_raised


def _both_numbers(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)) \
        and not isinstance(a, bool) and not isinstance(b, bool)


def _is_plain(value: Any) -> bool:
    """Plain data as the protocol decodes it: no handles to objects living in the worker."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.ndarray, np.generic)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def numerical_gradient(f, x, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``f`` at every coordinate of ``x``: the grader's reference
    for gradient checks (compare with ``close``, as CS231n does with a relative error)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad
