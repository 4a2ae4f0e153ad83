# A correct alternative: integer floor division t // every.
def step_decay(lr0, t, drop, every):
    return lr0 * np.power(drop, np.asarray(t) // every)
