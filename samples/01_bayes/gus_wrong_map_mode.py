def map_estimate(heads, tails, alpha=1.0, beta=1.0):
    """MAP estimate of theta under a Beta(alpha, beta) prior."""
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    if heads < 0 or tails < 0:
        raise ValueError("counts must be non-negative")
    a = alpha + heads
    b = beta + tails
    # the most probable value of Beta(a, b)
    return float(a / (a + b))
