def binomial_pmf(k, n, p):
    scalar = np.ndim(k) == 0
    k = np.array(k, dtype=np.float64, ndmin=0)
    if n < 0 or np.mod(n, 1) != 0:
        raise ValueError("n must be a whole number >= 0")
    if not (0 <= p <= 1):
        raise ValueError("p must be in [0, 1]")
    if (k < 0).any() or (k > n).any() or (np.mod(k, 1) != 0).any():
        raise ValueError("k must be whole numbers in 0..n")
    log_choose = -np.log(n + 1) - special.betaln(n - k + 1, k + 1)
    out = np.exp(log_choose + special.xlogy(k, p) + special.xlog1py(n - k, -p))
    return out[()] if scalar else out
