def sequential_posterior(prior, likelihoods):
    prior = np.asarray(prior, dtype=float)
    likelihoods = np.asarray(likelihoods, dtype=float)
    k = prior.shape[0] if prior.ndim == 1 else -1
    if k < 0 or np.any(prior < 0) or not np.isclose(prior.sum(), 1.0):
        raise ValueError("invalid prior")
    if likelihoods.ndim != 2 or likelihoods.shape[1] != k or np.any(likelihoods < 0):
        raise ValueError("invalid likelihoods")
    alive = (prior > 0) & np.all(likelihoods > 0, axis=0)
    if not alive.any():
        raise ValueError("every hypothesis has probability 0")
    log_post = np.full(k, -np.inf)
    log_post[alive] = np.log(prior[alive]) + np.log(likelihoods[:, alive]).sum(axis=0)
    result = np.zeros(k)
    result[alive] = np.exp(log_post[alive] - log_post[alive].max())
    return result / result.sum()
