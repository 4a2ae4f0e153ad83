def sequential_posterior(prior, likelihoods):
    prior = np.asarray(prior, dtype=float)
    L = np.asarray(likelihoods, dtype=float)
    if prior.ndim != 1 or (prior < 0).any() or abs(prior.sum() - 1) > 1e-8:
        raise ValueError("prior is not a probability vector")
    if L.ndim != 2 or L.shape[1] != len(prior):
        raise ValueError(f"likelihoods must have shape (n, {len(prior)})")
    if (L < 0).any():
        raise ValueError("negative likelihood")
    with np.errstate(divide="ignore"):
        log_post = np.log(prior)
        for row in L:                      # one observation at a time
            log_post = log_post + np.log(row)
    total = log_sum_exp(log_post)
    if total == -np.inf:
        raise ValueError("all hypotheses ruled out")
    return np.exp(log_post - total)
