def ml_estimate(heads, tails):
    """Maximum-likelihood estimate of P(heads)."""
    return heads / (heads + tails)
