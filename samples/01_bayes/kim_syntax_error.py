def credible_interval(alpha, beta, level=0.95):
    """Central credible interval of Beta(alpha, beta)."""
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    tail = (1 - level) / 2
    return (float(special.betaincinv(alpha, beta, tail)), float(special.betaincinv(alpha, beta, 1 - tail))
