class CountError(ValueError):
    pass

def beta_update(alpha, beta, heads, tails):
    if alpha <= 0 or beta <= 0:
        raise CountError("the prior needs alpha > 0 and beta > 0")
    if min(heads, tails) < 0:
        raise CountError("negative count")
    return np.float64(alpha) + heads, np.float64(beta) + tails
