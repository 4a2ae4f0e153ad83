def beta_update(alpha, beta, heads, tails):
    """Posterior Beta parameters after heads and tails (as in the book: Beta(6, 6) + one head = Beta(6, 7))."""
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    if heads < 0 or tails < 0:
        raise ValueError("counts must be non-negative")
    return float(alpha + tails), float(beta + heads)
