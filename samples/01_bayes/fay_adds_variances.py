def normal_posterior(mu0, sigma0, x, sigma):
    """Posterior mean and standard deviation of a normal mean."""
    if sigma0 <= 0 or sigma <= 0:
        raise ValueError("standard deviations must be positive")
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n == 0:
        return float(mu0), float(sigma0)
    # prior uncertainty plus the uncertainty of the sample mean
    var_n = sigma0**2 + sigma**2 / n
    mu_n = var_n * (mu0 / sigma0**2 + x.sum() / sigma**2)
    return float(mu_n), float(np.sqrt(var_n))
