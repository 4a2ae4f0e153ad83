def log_sum_exp(a):
    a = np.asarray(a, dtype=float)
    m = a.max(initial=-np.inf)
    if m == -np.inf:
        return np.float64(-np.inf)
    return m + np.log(np.exp(a - m).sum())
