def hinge_update(w, x, y, alpha=1.0):
    """One hinge step without a branch."""
    inside = bool(y * np.dot(w, x) < 1)
    return np.asarray(w, dtype=float) + (alpha * y * inside) * np.asarray(x, dtype=float), inside
