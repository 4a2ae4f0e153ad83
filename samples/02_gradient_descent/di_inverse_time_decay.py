# A correct alternative: lr0·T / (T + t).
def inverse_time_decay(lr0, t, T):
    return lr0 * T / (T + np.asarray(t))
