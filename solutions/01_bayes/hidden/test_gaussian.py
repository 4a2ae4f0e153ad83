"""Hidden tests, assignment 01, parts 8-9: normal-normal conjugacy, Bayesian linear regression, ridge."""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bayes01_checks import answers, float_array, float_pair, tuple_of  # noqa: E402
from bayes01_checks import value_error_shapes as value_error  # noqa: E402


def pair(got, what):
    """The two parts of a returned pair, or a failure that says what came back instead. Lenient about the
    container: each function's tuple is checked by one test of its own."""
    try:
        first, second = got
    except (TypeError, ValueError):
        checks.fail(f"{what}: expected a tuple of two values, got {checks.summary(got)}.")
    return first, second


def reference_normal(mu0, sigma0, x, sigma):
    precision = 1 / sigma0**2 + len(x) / sigma**2
    return (mu0 / sigma0**2 + np.sum(x) / sigma**2) / precision, np.sqrt(1 / precision)


def regression_problem(seed=11, n=25, d=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    t = X @ rng.normal(size=d) + rng.normal(scale=0.5, size=n)
    return X, t


# ---------------------------------------------------------------- normal_posterior
@pytest.mark.points(2)
@pytest.mark.hint("Try two observations by hand: each one adds the same amount to the precision, and the mean weights"
                  " prior and data by their precisions.")
def test_normal_posterior_several_observations(student):
    """Five observations. Typical mistakes: returning the variance, or adding variances instead of precisions."""
    x = np.array([2.1, 1.4, 3.3, 2.8, 1.9])
    what = "normal_posterior(1.0, 2.0, [2.1, 1.4, 3.3, 2.8, 1.9], 1.5) as (mu_n, sigma_n)"
    checks.close(student.normal_posterior(1.0, 2.0, x, 1.5), reference_normal(1.0, 2.0, x, 1.5), rtol=1e-9, what=what,
                 hint="1/sigma_n^2 = 1/sigma0^2 + n/sigma^2, and return sigma_n, the standard deviation")


@pytest.mark.points(1)
@pytest.mark.hint("Check what the function returns: the docstring asks for a tuple of two floats, and the second is a "
                  "standard deviation.")
def test_normal_posterior_std_not_variance(student):
    """Typical mistake (NKA calls sigma_n a 'variance'): prior N(3, 2^2), x = [5, 7], sigma = 4. Returns clause: a
    tuple (mu_n, sigma_n) of two floats (typical mistake: a list or an array)."""
    mu_n, sigma_n = reference_normal(3.0, 2.0, [5.0, 7.0], 4.0)
    got = float_pair(student.normal_posterior(3.0, 2.0, [5.0, 7.0], 4.0),
                     what="normal_posterior(3.0, 2.0, [5.0, 7.0], 4.0)")
    checks.close(got[1], sigma_n, rtol=1e-9, what="sigma_n from normal_posterior(3.0, 2.0, [5.0, 7.0], 4.0)",
                 hint="return the standard deviation sqrt(sigma_n^2)")


@pytest.mark.points(1)
def test_normal_posterior_no_data(student):
    """Edge case: no observations leave the prior N(mu0, sigma0^2) unchanged."""
    checks.close(student.normal_posterior(-1.5, 0.7, [], 2.0), [-1.5, 0.7], rtol=1e-12,
                 what="normal_posterior(-1.5, 0.7, [], 2.0)")


@pytest.mark.points(1)
@pytest.mark.hint("With many observations the posterior should shrink around their mean: does yours get narrower as n"
                  " grows?")
def test_normal_posterior_many_observations(student):
    """10,000 observations: sigma_n shrinks like sigma / sqrt(n) and mu_n approaches the sample mean."""
    x = np.random.default_rng(3).normal(4.0, 2.0, size=10_000)
    checks.close(student.normal_posterior(0.0, 1.0, x, 2.0), reference_normal(0.0, 1.0, x, 2.0), rtol=1e-9,
                 what="normal_posterior(0.0, 1.0, x, 2.0) with 10,000 observations")


@pytest.mark.points(1)
@pytest.mark.hint("Both standard deviations must be positive (not just non-zero), and x must be 1-D.")
def test_normal_posterior_rejects_invalid(student):
    """Input validation: standard deviations must be positive (zero or negative, sigma0 or sigma; the check cell uses
    sigma0 = -1); x must be 1-D (typical mistake: len(x) of a (1, 2) array counts one observation)."""
    answers(student.normal_posterior(0.0, 1.0, [1.0], 0.5), [0.8, np.sqrt(0.2)],
            what="normal_posterior(0.0, 1.0, [1.0], 0.5)")
    value_error(student.normal_posterior, 0.0, 0.0, [1.0], 0.5, what="normal_posterior(0, sigma0=0, [1], 0.5)")
    value_error(student.normal_posterior, 0.0, -1.0, [1.0], 0.5, what="normal_posterior(0, sigma0=-1, [1], 0.5)")
    value_error(student.normal_posterior, 0.0, 1.0, [1.0], -0.5, what="normal_posterior(0, 1, [1], sigma=-0.5)")
    value_error(student.normal_posterior, 0.0, 1.0, [1.0], 0.0, what="normal_posterior(0, 1, [1], sigma=0)")
    value_error(student.normal_posterior, 0.0, 1.0, [[1.0, 2.0]], 0.5,
                what="normal_posterior(0, 1, [[1.0, 2.0]], 0.5) (x of shape (1, 2), not 1-D)")


# ---------------------------------------------------------------- blr_posterior
@pytest.mark.points(2)
def test_blr_posterior_general_prior(student):
    """Posterior with a non-zero prior mean and a correlated prior covariance, against the closed form."""
    X, t = regression_problem()
    mu0 = np.array([0.5, -1.0, 0.0, 2.0])
    A = np.random.default_rng(12).normal(size=(4, 4))
    Sigma0 = A @ A.T + 0.5 * np.eye(4)
    sigma = 0.5
    precision = np.linalg.inv(Sigma0) + X.T @ X / sigma**2
    Sigma_n = np.linalg.inv(precision)
    mu_n = Sigma_n @ (np.linalg.solve(Sigma0, mu0) + X.T @ t / sigma**2)
    got = pair(student.blr_posterior(X, t, sigma, mu0, Sigma0), what="blr_posterior (mu_n, Sigma_n)")
    checks.close(got[0], mu_n, rtol=1e-7, atol=1e-10, what="mu_n from blr_posterior",
                 hint="mu_n = Sigma_n (Sigma0^{-1} mu0 + X^T t / sigma^2)")
    checks.close(got[1], Sigma_n, rtol=1e-7, atol=1e-12, what="Sigma_n from blr_posterior",
                 hint="Sigma_n = (Sigma0^{-1} + X^T X / sigma^2)^{-1}")


@pytest.mark.points(1)
@pytest.mark.hint("The docstring promises a tuple of two NumPy arrays of float64, also when the inputs are lists; "
                  "and a covariance matrix is symmetric.")
def test_blr_posterior_shapes_and_symmetry(student):
    """Shapes and dtypes: from lists, a tuple of np.ndarrays of float64, mu_n of shape (d,), Sigma_n of shape (d, d)
    and symmetric; the docstring's one-weight example."""
    X, t = regression_problem(seed=13, n=40, d=3)
    mu_n, Sigma_n = tuple_of(student.blr_posterior(X.tolist(), t.tolist(), 1.0, [0.0, 0.0, 0.0], np.eye(3).tolist()),
                             2, what="blr_posterior (mu_n, Sigma_n)")
    float_array(mu_n, (3,), what="mu_n from blr_posterior with d = 3")
    Sigma_n = float_array(Sigma_n, (3, 3), what="Sigma_n from blr_posterior with d = 3")
    checks.close(Sigma_n, Sigma_n.T, rtol=1e-10, atol=1e-14, what="Sigma_n compared with its transpose",
                 hint="a covariance matrix is symmetric")
    got = pair(student.blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]]),
               what="blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]])")
    checks.close(got[0], [1.0], rtol=1e-9, what="mu_n from blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]])")
    checks.close(got[1], [[0.5]], rtol=1e-9, what="Sigma_n from blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]])")


@pytest.mark.points(2)
def test_blr_mean_equals_ridge(student):
    """Textbook: with prior N(0, I/alpha) the posterior mean is ridge regression with lambda = alpha sigma^2."""
    X, t = regression_problem(seed=14, n=30, d=5)
    alpha, sigma = 3.0, 0.4
    expected = np.linalg.solve(X.T @ X + alpha * sigma**2 * np.eye(5), X.T @ t)
    mu_n, _ = pair(student.blr_posterior(X, t, sigma, np.zeros(5), np.eye(5) / alpha),
                   what="blr_posterior (mu_n, Sigma_n)")
    checks.close(mu_n, expected, rtol=1e-7, atol=1e-10, what="mu_n with prior N(0, I / alpha)",
                 hint="with mu0 = 0 and Sigma0 = I / alpha this is (X^T X + alpha sigma^2 I)^{-1} X^T t")


@pytest.mark.points(1)
@pytest.mark.hint("The Raises section lists each shape to check (X, t, mu0, Sigma0, each on its own), and sigma must "
                  "be positive, not just non-zero.")
def test_blr_rejects_mismatched_shapes(student):
    """Input validation: X not 2-D, len(t) != n, t a column of shape (n, 1) (broadcasting would silently make mu_n a
    (d, d) matrix; typical mistake: only len(t) is checked), a prior mean or a prior covariance of the wrong shape
    (each alone, and both; mu0 of shape (d, 1) would broadcast silently), a sigma that is zero or negative (sigma**2
    would hide the sign)."""
    X, t = regression_problem()
    answers(pair(student.blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]]), what="blr_posterior([[1.0]], ...)")[0],
            [1.0], what="mu_n from blr_posterior([[1.0]], [2.0], 1.0, [0.0], [[1.0]])")
    value_error(student.blr_posterior, X[:, 0], t, 0.5, np.zeros(1), np.eye(1),
                what="blr_posterior with X of shape (25,) (not 2-D)")
    value_error(student.blr_posterior, X, t[:-1], 0.5, np.zeros(4), np.eye(4),
                what="blr_posterior with X of shape (25, 4) and t of shape (24,)")
    value_error(student.blr_posterior, X, t[:, None], 0.5, np.zeros(4), np.eye(4),
                what="blr_posterior with X of shape (25, 4) and t of shape (25, 1)",
                hint="compare the whole shape, t.shape == (n,), not only len(t)")
    value_error(student.blr_posterior, X, t, 0.5, np.zeros(3), np.eye(3),
                what="blr_posterior with X of shape (25, 4) and a prior for 3 weights")
    value_error(student.blr_posterior, X, t, 0.5, np.zeros(3), np.eye(4),
                what="blr_posterior with X of shape (25, 4) and mu0 of shape (3,)")
    value_error(student.blr_posterior, X, t, 0.5, np.zeros(4), np.eye(3),
                what="blr_posterior with X of shape (25, 4) and Sigma0 of shape (3, 3)")
    value_error(student.blr_posterior, X, t, 0.5, np.zeros((4, 1)), np.eye(4),
                what="blr_posterior with X of shape (25, 4) and mu0 of shape (4, 1)",
                hint="compare the whole shape, mu0.shape == (d,), not only len(mu0)")
    value_error(student.blr_posterior, X, t, 0.0, np.zeros(4), np.eye(4), what="blr_posterior with sigma = 0")
    value_error(student.blr_posterior, X, t, -0.5, np.zeros(4), np.eye(4), what="blr_posterior with sigma = -0.5")


# ---------------------------------------------------------------- ridge_regression
@pytest.mark.points(2)
def test_ridge_values(student):
    """Closed form (X^T X + lambda I)^{-1} X^T t on a random problem; the docstring's example."""
    X, t = regression_problem(seed=15, n=20, d=6)
    got = student.ridge_regression(X, t, 2.5)
    checks.close(got, np.linalg.solve(X.T @ X + 2.5 * np.eye(6), X.T @ t), rtol=1e-8, atol=1e-12,
                 what="ridge_regression(X, t, lam=2.5)")
    checks.close(student.ridge_regression([[1.0], [1.0]], [1.0, 3.0], 2.0), [1.0], rtol=1e-9,
                 what="ridge_regression([[1.0], [1.0]], [1.0, 3.0], lam=2.0)")


@pytest.mark.points(1)
def test_ridge_zero_is_least_squares(student):
    """Textbook: maximum likelihood (lambda = 0) is least squares. Returns clause: given lists, an np.ndarray of
    float64 of shape (d,) (typical mistake: a list)."""
    X, t = regression_problem(seed=16, n=50, d=3)
    got = float_array(student.ridge_regression(X.tolist(), t.tolist(), 0.0), (3,),
                      what="ridge_regression(X, t, lam=0) with X and t given as lists")
    checks.close(got, np.linalg.lstsq(X, t, rcond=None)[0], rtol=1e-8, what="ridge_regression(X, t, lam=0)")


@pytest.mark.points(1)
def test_ridge_rejects_invalid(student):
    """Input validation: negative lambda, mismatched lengths, t a column of shape (n, 1) (the weights would silently
    come back with shape (d, 1); typical mistake: only len(t) is checked), X not 2-D."""
    X, t = regression_problem()
    answers(student.ridge_regression([[1.0], [1.0]], [1.0, 3.0], 2.0), [1.0],
            what="ridge_regression([[1.0], [1.0]], [1.0, 3.0], lam=2.0)")
    value_error(student.ridge_regression, X, t, -1.0, what="ridge_regression(X, t, lam=-1)")
    value_error(student.ridge_regression, X, t[:10], 1.0, what="ridge_regression with 25 rows of X and 10 targets")
    value_error(student.ridge_regression, X, t[:, None], 1.0,
                what="ridge_regression with X of shape (25, 4) and t of shape (25, 1)",
                hint="compare the whole shape, t.shape == (n,), not only len(t)")
    value_error(student.ridge_regression, X[:, 0], t, 1.0, what="ridge_regression with X of shape (25,) (not 2-D)")


# ---------------------------------------------------------------- blr_predictive
@pytest.mark.points(1)
def test_blr_predictive_values(student):
    """Predictive mean x mu_n and standard deviation sqrt(sigma^2 + x Sigma_n x^T) on new inputs (typical mistakes:
    the variance, sigma instead of sigma^2, only the diagonal of Sigma_n). Returns clause: a tuple (mean, std) of
    np.ndarrays of float64 of shape (m,)."""
    rng = np.random.default_rng(17)
    X_new = rng.normal(size=(6, 3))
    mu_n = rng.normal(size=3)
    A = rng.normal(size=(3, 3))
    Sigma_n = A @ A.T / 10
    mean = X_new @ mu_n
    std = np.sqrt(0.3**2 + np.sum((X_new @ Sigma_n) * X_new, axis=1))
    got = tuple_of(student.blr_predictive(X_new, mu_n, Sigma_n, 0.3), 2, what="blr_predictive (mean, std)")
    checks.close(float_array(got[0], (6,), what="predictive mean from blr_predictive"), mean, rtol=1e-9,
                 what="predictive mean from blr_predictive")
    checks.close(float_array(got[1], (6,), what="predictive standard deviation from blr_predictive"), std, rtol=1e-9,
                 what="predictive standard deviation from blr_predictive",
                 hint="noise variance plus x Sigma_n x^T for each row, then the square root")


@pytest.mark.points(1)
@pytest.mark.hint("Check every shape against d = X_new.shape[1] (mu_n and Sigma_n each on its own), and that sigma "
                  "is positive.")
def test_blr_predictive_rejects_invalid(student):
    """Input validation: X_new not 2-D, mu_n or Sigma_n of the wrong shape (Sigma_n of shape (d, 1) broadcasts
    silently in some formulas), a sigma that is zero or negative."""
    X_new = np.random.default_rng(18).normal(size=(6, 3))
    mu_n, Sigma_n = np.zeros(3), np.eye(3) / 10
    answers(pair(student.blr_predictive([[1.0], [2.0]], [1.0], [[0.5]], 1.0), what="blr_predictive(...)")[1],
            np.sqrt([1.5, 3.0]), what="std from blr_predictive([[1.0], [2.0]], [1.0], [[0.5]], 1.0)")
    value_error(student.blr_predictive, X_new[0], mu_n, Sigma_n, 0.3,
                what="blr_predictive with X_new of shape (3,) (not 2-D)")
    value_error(student.blr_predictive, X_new, mu_n[:2], Sigma_n, 0.3,
                what="blr_predictive with X_new of shape (6, 3) and mu_n of shape (2,)")
    value_error(student.blr_predictive, X_new, mu_n, Sigma_n[:2, :2], 0.3,
                what="blr_predictive with X_new of shape (6, 3) and Sigma_n of shape (2, 2)")
    value_error(student.blr_predictive, X_new, mu_n, Sigma_n[:, :1], 0.3,
                what="blr_predictive with X_new of shape (6, 3) and Sigma_n of shape (3, 1)")
    value_error(student.blr_predictive, X_new, mu_n, Sigma_n, 0.0, what="blr_predictive with sigma = 0")
    value_error(student.blr_predictive, X_new, mu_n, Sigma_n, -0.3, what="blr_predictive with sigma = -0.3")
