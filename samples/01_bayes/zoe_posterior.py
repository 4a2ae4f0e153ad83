import math

class ProbabilityError(ValueError):
    """A subclass of ValueError, with its own message."""


def posterior(prior, likelihood):
    prior = [float(p) for p in np.ravel(prior)] if np.ndim(prior) == 1 else None
    like = [float(l) for l in np.ravel(likelihood)] if np.ndim(likelihood) == 1 else None
    if prior is None or like is None or len(prior) != len(like):
        raise ProbabilityError("need two 1-D sequences of equal length")
    if min(prior) < 0 or abs(math.fsum(prior) - 1) > 1e-8:
        raise ProbabilityError("bad prior")
    if any(l < 0 for l in like):
        raise ProbabilityError("bad likelihood")
    joint = [p * l for p, l in zip(prior, like)]
    total = math.fsum(joint)
    if total == 0:
        raise ProbabilityError("impossible data")
    return np.array([j / total for j in joint])
