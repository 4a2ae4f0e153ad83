"""The checks that suites use: hidden tests never reveal expected values; visible ones do."""
import numpy as np
import pytest

from autograder import checks
from autograder.sandbox.errors import StudentError


@pytest.fixture
def hidden():
    token = checks.show_expected.set(False)
    yield
    checks.show_expected.reset(token)


def message(call, *args, **kwargs) -> str:
    with pytest.raises(checks.CheckFailed) as failure:
        call(*args, **kwargs)
    return str(failure.value)


def test_hidden_close_hides_the_expected_value(hidden):
    text = message(checks.close, 0.5, 0.16102, what="P(ill | +)", hint="divide by the evidence")
    assert text == "P(ill | +): got 0.5, which is not correct. Hint: divide by the evidence"
    assert "0.161" not in text


def test_visible_close_shows_it():
    assert message(checks.close, 0.5, 0.16102, what="P") == "P: expected 0.16102, got 0.5."


def test_hidden_equal_hides_the_expected_value(hidden):
    assert "7" not in message(checks.equal, 3, 7, what="count")


def test_shape_mismatch_is_named():
    assert message(checks.close, np.zeros((3, 1)), np.zeros(3), what="w") == "w: expected shape (3,), got shape (3, 1)."


def test_none_means_a_missing_return():
    assert "forget a `return`" in message(checks.close, None, 1.0, what="f()")


def test_nan_is_not_close_to_a_number():
    assert message(checks.close, float("nan"), 1.0, what="x").startswith("x: expected 1")


def test_finite_catches_overflow():
    assert "NaN or infinity" in message(checks.finite, np.array([1.0, np.inf]), what="softmax")


def test_raises_accepts_subclasses_by_name():
    def bad():
        raise StudentError("ZeroDivisionError", "boom", ["ZeroDivisionError", "ArithmeticError", "Exception"])
    assert checks.raises("ArithmeticError", bad, what="f").message == "boom"
    assert "but your code raised ZeroDivisionError: boom" in message(checks.raises, "ValueError", bad, what="f")


def test_raises_when_nothing_is_raised():
    assert message(checks.raises, "ValueError", lambda: 3, what="f(-1)") == \
        "f(-1): expected a ValueError to be raised, but the call returned 3."


SPECIAL = [0.0, -0.0, 1.0, 1.0 + 1e-7, 1.0 + 1e-5, -1.0, 1e-10, 1e300, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("want", SPECIAL)
def test_close_agrees_with_numpy_allclose(want):
    for got in SPECIAL:
        expected = np.allclose(got, want, rtol=1e-6, atol=1e-9, equal_nan=True)
        assert checks._within(np.asarray(got), np.asarray(want), 1e-6, 1e-9) == expected, (got, want)


def test_summary_of_a_large_container_is_short_and_shows_shapes():
    params = {"W1": np.arange(640_000.0).reshape(800, 800), "b1": np.zeros(800)}
    text = checks.summary((params, {"loss": list(range(10_000))}))
    assert len(text) <= 120
    assert text.startswith("({'W1': array of shape (800, 800) float64: [0, 1, 2, 3, 4, 5] ... (640000 values)")


def test_summary_of_numbers():
    assert [checks.summary(v) for v in (np.float32(2.5), 0.1 + 0.2, np.int64(3), [1, 2, 3, 4, 5, 6, 7])] == \
        ["2.5", "0.3", "3", "[1, 2, 3, 4, 5, 6, ...]"]


def test_summary_of_arrays_gives_shape_dtype_and_the_first_values_as_numbers():
    assert [checks.summary(v) for v in (np.array(2.5), np.array([0.1, 1e-9]), np.array([True, False]),
                                        np.arange(8).reshape(2, 4))] == \
        ["2.5", "array of shape (2,) float64: [0.1, 1e-09]", "array of shape (2,) bool: [True, False]",
         "array of shape (2, 4) int64: [0, 1, 2, 3, 4, 5] ... (8 values)"]
