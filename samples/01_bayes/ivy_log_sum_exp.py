def log_sum_exp(a):
    """log(sum(exp(a)))."""
    return float(np.log(np.sum(np.exp(a))))
