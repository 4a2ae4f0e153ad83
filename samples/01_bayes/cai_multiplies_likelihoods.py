def sequential_posterior(prior, likelihoods):
    """Posterior after n independent observations."""
    prior = np.asarray(prior, dtype=float)
    likelihoods = np.asarray(likelihoods, dtype=float)
    if np.any(prior < 0) or not np.isclose(prior.sum(), 1.0):
        raise ValueError("prior must be non-negative and sum to 1")
    if likelihoods.ndim != 2 or likelihoods.shape[1] != len(prior):
        raise ValueError(f"likelihoods must have shape (n, {len(prior)}), got {likelihoods.shape}")
    if np.any(likelihoods < 0):
        raise ValueError("likelihoods must be non-negative")
    # independent observations: multiply all their likelihoods, then normalise
    unnormalised = prior * np.prod(likelihoods, axis=0)
    return unnormalised / unnormalised.sum()
