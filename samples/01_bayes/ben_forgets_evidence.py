def posterior(prior, likelihood):
    """Bayes' rule: posterior = likelihood * prior."""
    prior = np.asarray(prior, dtype=float)
    likelihood = np.asarray(likelihood, dtype=float)
    if prior.shape != likelihood.shape:
        raise ValueError("prior and likelihood must have the same length")
    if np.any(prior < 0) or not np.isclose(prior.sum(), 1.0):
        raise ValueError("prior must be non-negative and sum to 1")
    if np.any(likelihood < 0):
        raise ValueError("likelihood must be non-negative")
    # the posterior is proportional to likelihood times prior
    return likelihood * prior
