def normal_posterior(mu0, sigma0, x, sigma):
    """Posterior N(mu_n, sigma_n^2) of a normal mean."""
    if sigma0 <= 0 or sigma <= 0:
        raise ValueError("sigma0 and sigma must be positive")
    x = np.asarray(x, dtype=float)
    n = len(x)
    sigma_n = 1 / (1 / sigma0**2 + n / sigma**2)          # NKA: "the posterior variance"
    mu_n = sigma_n * (mu0 / sigma0**2 + x.sum() / sigma**2)
    return float(mu_n), float(sigma_n)
