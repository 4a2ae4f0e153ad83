def normal_posterior(mu0, sigma0, x, sigma):
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError("x must be 1-D")
    if sigma0 <= 0 or sigma <= 0:
        raise ValueError("standard deviations must be positive")
    prior_precision, data_precision = sigma0 ** -2, len(x) * sigma ** -2
    precision = prior_precision + data_precision
    total = np.sum(x)
    mu_n = (prior_precision * mu0 + total / sigma**2) / precision
    return mu_n, precision ** -0.5
