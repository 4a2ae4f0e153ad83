def posterior(prior, likelihood):
    prior = np.array(prior, dtype=np.float64)
    likelihood = np.array(likelihood, dtype=np.float64)
    if prior.ndim != 1 or likelihood.ndim != 1:
        raise ValueError("1-D please")
    if len(prior) != len(likelihood):
        raise ValueError("lengths differ")
    if (prior < 0).any() or (likelihood < 0).any():
        raise ValueError("negative probability")
    if not np.isclose(prior.sum(), 1):
        raise ValueError("prior does not sum to 1")
    evidence = likelihood @ prior
    if evidence <= 0:
        raise ValueError("evidence is zero")
    return likelihood * prior / evidence
