def credible_interval(alpha, beta, level=0.95):
    if alpha <= 0 or beta <= 0 or level <= 0 or level >= 1:
        raise ValueError("need alpha, beta > 0 and 0 < level < 1")
    q = (1 - level) / 2
    return special.betaincinv(alpha, beta, q), 1 - special.betaincinv(beta, alpha, q)
