# Mistake: math.exp, which fails on an array of steps.
import math
def exponential_decay(lr0, t, T):
    return lr0 * math.exp(-t / T)
