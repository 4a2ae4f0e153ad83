def ml_estimate(heads, tails):
    n = heads + tails
    if heads < 0 or tails < 0 or n <= 0:
        raise ValueError("need non-negative counts and at least one toss")
    return np.float64(heads) / n
