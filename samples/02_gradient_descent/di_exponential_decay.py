# A correct alternative: division by e^(t/T).
def exponential_decay(lr0, t, T):
    return lr0 / np.exp(np.divide(t, T))
