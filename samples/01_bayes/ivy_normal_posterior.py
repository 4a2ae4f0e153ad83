def normal_posterior(mu0, sigma0, x, sigma):
    """Posterior mean and standard deviation of a normal mean."""
    x = np.asarray(x, dtype=float)
    precision = 1 / sigma0**2 + len(x) / sigma**2
    mu_n = (mu0 / sigma0**2 + np.sum(x) / sigma**2) / precision
    return mu_n, np.sqrt(1 / precision)
