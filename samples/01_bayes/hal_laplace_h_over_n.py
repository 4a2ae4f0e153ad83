def laplace_rule(heads, n):
    """Probability that the next toss is heads."""
    if heads < 0 or heads > n:
        raise ValueError(f"need 0 <= heads <= n, got heads={heads}, n={n}")
    return heads / n
