# Red team: return values crafted to fool comparisons. Each function below replaces a stub; none of them
# computes anything, so each must score zero however the grader compares.
import numpy as np


class Agreeable(np.ndarray):
    """An array that equals everything and claims whatever shape is asked."""
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
    shape = property(lambda self: (2,))
    dtype = property(lambda self: np.dtype("float64"))


class Always(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __lt__(self, other):
        return True
    __gt__ = __le__ = __ge__ = __lt__


class Everything(dict):
    def __eq__(self, other):
        return True
    def __getitem__(self, key):
        return Always(0.0)


def posterior(prior, likelihood):
    return np.zeros(7).view(Agreeable)


def medical_test(*args, **kwargs):
    return Always(0.0)


def log_sum_exp(*args, **kwargs):
    return float("nan")


def sequential_posterior(*args, **kwargs):
    return np.array([Always(0.5), Always(0.5)], dtype=object)


def binomial_pmf(*args, **kwargs):
    return Everything()


def beta_update(*args, **kwargs):
    return (Always(1.0), Always(1.0))


def ml_estimate(*args, **kwargs):
    return complex(float("nan"), 1e300)


def map_estimate(*args, **kwargs):
    return 10**100000


def posterior_mean(*args, **kwargs):
    nested = []
    for _ in range(100000):
        nested = [nested]
    return nested


def laplace_rule(*args, **kwargs):
    looped = [0.5]
    looped.append(looped)
    return looped


def posterior_predictive(*args, **kwargs):
    return np.zeros(3).astype([("a", "f8"), ("b", "O")])


def credible_interval(*args, **kwargs):
    return np.datetime64("2026-01-01"), np.timedelta64(1, "D")


def prob_share_above(*args, **kwargs):
    return np.float64(np.nan)


def normal_posterior(*args, **kwargs):
    return "0.5", b"\xff" * 10
