def prob_share_above(votes_for, votes_against, threshold=0.5, alpha=1.0, beta=1.0):
    if min(votes_for, votes_against) < 0:
        raise ValueError("negative votes")
    if not alpha > 0 or not beta > 0:
        raise ValueError("bad prior")
    if threshold < 0 or threshold > 1:
        raise ValueError("threshold outside [0, 1]")
    return special.betaincc(alpha + votes_for, beta + votes_against, threshold)
