def perceptron_update(w, x, y, alpha=1.0):
    """One step of Rosenblatt's rule, without a branch: the step is multiplied by 0 or 1."""
    wrong = y * np.dot(w, x) <= 0
    return np.asarray(w, dtype=float) + float(wrong) * alpha * y * np.asarray(x, dtype=float), bool(wrong)
