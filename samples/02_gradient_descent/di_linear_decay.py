# A correct alternative: np.where, lr0 − lr0·t/T.
def linear_decay(lr0, t, T):
    t = np.asarray(t)
    return np.where(t <= T, lr0 - lr0 * t / T, 0.0)
