def map_estimate(heads, tails, alpha=1.0, beta=1.0):
    if heads < 0 or tails < 0:
        raise ValueError("negative count")
    if alpha <= 0 or beta <= 0:
        raise ValueError("bad prior")
    a, b = beta_update(alpha, beta, heads, tails)
    if not (a >= 1 and b >= 1 and a + b > 2):
        raise ValueError("no unique finite mode")
    return (heads + alpha - 1) / (heads + tails + alpha + beta - 2)
