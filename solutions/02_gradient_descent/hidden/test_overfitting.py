"""Hidden tests, part 5: polynomial fits and the train/test error curve of Sec3.3's overfitting example."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gd02_reference as ref  # noqa: E402


@pytest.mark.points(2)
def test_fit_polynomial_coefficients(student):
    """Reference comparison: least-squares coefficients, lowest power first, for degrees 0..4 on 20 noisy points
    (well-conditioned, so the coefficients themselves are compared)."""
    rng = np.random.default_rng(70)
    x = np.sort(rng.uniform(-1, 1, 20))
    y = 1 - 2 * x + 0.5 * x ** 3 + 0.1 * rng.normal(size=20)
    for degree in range(5):
        checks.close(student.fit_polynomial(x, y, degree), ref.fit_polynomial(x, y, degree), rtol=1e-7, atol=1e-9,
                     what=f"fit_polynomial(x, y, {degree})",
                     hint="c[j] multiplies x**j (lowest power first), as with np.vander(x, degree + 1, increasing=True)")


@pytest.mark.points(1)
def test_degree_eleven_interpolates(student):
    """Textbook fact (Sec3.3): a polynomial of degree 11 passes through 12 points, so its training error is 0."""
    x_train, y_train, x_test, y_test = ref.sine_data(71)
    train, _ = student.train_test_mse(x_train, y_train, x_test, y_test, [11])
    train = checks.shape(train, (1,), what="train_mse for degrees [11]")
    checks.true(train[0] < 1e-12, f"train_mse at degree 11 on 12 points: got {train[0]:.2e}, expected 0 "
                                  "(up to rounding).", hint="solve with np.linalg.lstsq, not the normal equations")


@pytest.mark.points(2)
def test_train_test_curve(student):
    """Textbook shape (Sec3.3): for 12 points of sin 2πx + noise (σ = 0.3, seed 3 as in the notebook) the train
    error falls with the degree while the test error is U-shaped with its minimum at degree 3; both curves for
    degrees 1..10 must match the reference."""
    x_train, y_train, x_test, y_test = ref.sine_data(3)
    degrees = list(range(1, 11))
    want_train, want_test = [], []
    for degree in degrees:
        c = ref.fit_polynomial(x_train, y_train, degree)
        want_train.append(np.mean((np.polynomial.polynomial.polyval(x_train, c) - y_train) ** 2))
        want_test.append(np.mean((np.polynomial.polynomial.polyval(x_test, c) - y_test) ** 2))
    got = student.train_test_mse(x_train, y_train, x_test, y_test, degrees)
    checks.true(isinstance(got, (list, tuple)) and len(got) == 2,
                f"train_test_mse should return (train_mse, test_mse), got {checks.summary(got)}.")
    checks.close(got[0], want_train, rtol=1e-6, atol=1e-12, what="train_mse for degrees 1..10",
                 hint="the mean of the squared errors on the training points")
    checks.close(got[1], want_test, rtol=1e-6, atol=1e-12, what="test_mse for degrees 1..10")
