# Mistake: Python's min, which fails on an array of steps.
def linear_decay(lr0, t, T):
    return lr0 * (1 - min(t, T) / T)
