def beta_update(alpha, beta, heads, tails):
    """Conjugate update of a Beta prior."""
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    if heads < 0 or tails < 0:
        raise ValueError("counts cannot be negative")
    return alpha + heads, beta + tails
