def laplace_rule(heads, n):
    if not 0 <= heads <= n:
        raise ValueError("need 0 <= heads <= n")
    return posterior_mean(heads, n - heads)
