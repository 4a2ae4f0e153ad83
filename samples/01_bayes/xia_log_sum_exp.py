def log_sum_exp(a):
    return float(special.logsumexp(np.asarray(a, dtype=float)))
