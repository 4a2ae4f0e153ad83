def perceptron_update(w, x, y, alpha=1.0):
    """One step of Rosenblatt's rule on one example."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    if y * (w @ x) < 0:   # misclassified
        return w + alpha * y * x, True
    return w.copy(), False
