def posterior_mean(heads, tails, alpha=1.0, beta=1.0):
    a, b = beta_update(alpha, beta, heads, tails)       # it checks the prior and the counts
    return a / (a + b)
