# A correct alternative: a plain Python loop over the components, returning a Python float.
def relative_error(a, b):
    worst = 0.0
    for ai, bi in zip(np.ravel(a), np.ravel(b)):
        worst = max(worst, abs(ai - bi) / max(1e-8, abs(ai) + abs(bi)))
    return worst
