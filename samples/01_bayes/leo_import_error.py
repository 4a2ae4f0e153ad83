from scipy.special import betainc, betainc_upper


def prob_share_above(votes_for, votes_against, threshold=0.5, alpha=1.0, beta=1.0):
    """P(share > threshold | poll)."""
    if votes_for < 0 or votes_against < 0:
        raise ValueError("vote counts must be non-negative")
    if alpha <= 0 or beta <= 0:
        raise ValueError("alpha and beta must be positive")
    if not 0 <= threshold <= 1:
        raise ValueError("threshold must be in [0, 1]")
    a, b = alpha + votes_for, beta + votes_against
    return float(betainc(b, a, 1 - threshold))
