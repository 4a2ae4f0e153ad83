import math
def posterior_predictive(heads, tails, m=1, alpha=1.0, beta=1.0):
    if heads < 0 or tails < 0 or m < 0:
        raise ValueError("counts and m must be >= 0")
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    a, b = alpha + heads, beta + tails
    out = []
    for j in range(int(m) + 1):
        log_c = math.lgamma(m + 1) - math.lgamma(j + 1) - math.lgamma(m - j + 1)
        out.append(math.exp(log_c + special.betaln(a + j, b + m - j) - special.betaln(a, b)))
    return np.array(out, dtype=float)
