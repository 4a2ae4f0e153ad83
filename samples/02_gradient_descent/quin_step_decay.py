# Mistake: math.floor, which fails on an array of steps.
import math
def step_decay(lr0, t, drop, every):
    return lr0 * drop ** math.floor(t / every)
