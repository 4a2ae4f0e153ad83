def posterior_mean(heads, tails, alpha=1.0, beta=1.0):
    """Posterior mean of theta."""
    a, b = beta_update(alpha, beta, heads, tails)
    return a / (a + b)
